// Package inventory is the stock service's suite, written with the standard `testing` package:
// TestMain builds the service once for the run, and a helper of the suite's own builds the small
// workers the tests need, with two tags (the run's and `latest`), and loads them into Kind.
package inventory

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"example.com/shop/test/infrastructure"
)

// Namespace is where the inventory suite deploys.
const Namespace = "shop-inventory-e2e"

// inventoryImage is the name TestMain built for this run.
var inventoryImage string

// runID tags every worker image of this run.
var runID = fmt.Sprintf("%d", time.Now().Unix())

func TestMain(m *testing.M) {
	var err error
	inventoryImage, err = infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
		ServiceName: "inventory",
		Dockerfile:  "services/inventory/Dockerfile",
	}, os.Stdout)
	if err != nil {
		log.Fatalf("build inventory: %v", err)
	}
	os.Exit(m.Run())
}

// run runs a command and fails the test with its output.
func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// buildAndLoadWorker builds a worker of the inventory service under this run's tag (and
// `latest`, for people running the suite by hand), loads it into Kind and returns the run's name.
func buildAndLoadWorker(t *testing.T, worker string) string {
	t.Helper()
	tag := "localhost/shop-" + worker + ":e2e-" + runID
	run(t, "podman", "build", "-t", tag, "--tag=localhost/shop-"+worker+":latest", "-f", "services/"+worker+"/Dockerfile", ".")
	run(t, "kind", "load", "docker-image", tag, "--name", infrastructure.ClusterName)
	return tag
}

// deploy applies a one-container Deployment of the image.
func deploy(ctx context.Context, t *testing.T, name, image string, port int32) {
	t.Helper()
	err := infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: name, Image: image, Port: port}, os.Stdout)
	if err != nil {
		t.Fatalf("deploy %s: %v", name, err)
	}
}
