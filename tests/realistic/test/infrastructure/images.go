// Package infrastructure holds the helpers every E2E suite of the shop shares: image builds,
// the Kind cluster, deployments and the podman containers that run beside the cluster.
package infrastructure

import (
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// ClusterName is the Kind cluster the suites share.
const ClusterName = "shop-e2e"

// ImageBuildConfig describes one service image.
type ImageBuildConfig struct {
	ServiceName  string // e.g. "cart"; names the image when ImageName is empty
	ImageName    string // full reference to tag; empty: GenerateImageName(ServiceName)
	Dockerfile   string // relative to the repository root
	BuildContext string
	BuildArgs    map[string]string
}

// GenerateImageName returns a fresh reference for a service image. Every call has a new tag,
// so that parallel suites never load over each other's images.
func GenerateImageName(service string) string {
	tag := fmt.Sprintf("e2e-%d-%04d", time.Now().Unix(), rand.Intn(10000))
	return fmt.Sprintf("localhost/shop-%s:%s", service, tag)
}

// containerTool is podman unless the developer asks for docker.
func containerTool() string {
	if tool := os.Getenv("SHOP_CONTAINER_TOOL"); tool != "" {
		return tool
	}
	return "podman"
}

// BuildAndLoadImageToKind builds the service image, loads it into the Kind cluster and returns
// the reference it was tagged with.
func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	imageName := cfg.ImageName
	if imageName == "" {
		imageName = GenerateImageName(cfg.ServiceName)
	}
	if err := BuildImageWithTag(imageName, cfg, w); err != nil {
		return "", err
	}
	if err := LoadImageToKind(imageName, w); err != nil {
		return "", err
	}
	return imageName, nil
}

// BuildImageWithTag runs `podman build -t imageName` for the service.
func BuildImageWithTag(imageName string, cfg ImageBuildConfig, w io.Writer) error {
	args := []string{"build", "-t", imageName, "-f", cfg.Dockerfile}
	for key, value := range cfg.BuildArgs {
		args = append(args, "--build-arg", key+"="+value)
	}
	contextDir := cfg.BuildContext
	if contextDir == "" {
		contextDir = repositoryRoot()
	}
	args = append(args, contextDir)
	cmd := exec.Command(containerTool(), args...)
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("build %s: %w", imageName, err)
	}
	return nil
}

// LoadImageToKind saves the image to an archive and loads it into the cluster (podman images
// are not visible to kind directly).
func LoadImageToKind(imageName string, w io.Writer) error {
	archive := filepath.Join(os.TempDir(), strings.NewReplacer("/", "_", ":", "_").Replace(imageName)+".tar")
	defer os.Remove(archive)
	save := exec.Command("podman", "save", "-o", archive, imageName)
	save.Stdout = w
	save.Stderr = w
	if err := save.Run(); err != nil {
		return fmt.Errorf("save %s: %w", imageName, err)
	}
	load := exec.Command("kind", "load", "image-archive", archive, "--name", ClusterName)
	load.Stdout = w
	load.Stderr = w
	if err := load.Run(); err != nil {
		return fmt.Errorf("load %s into kind: %w", imageName, err)
	}
	return nil
}

func repositoryRoot() string {
	if root := os.Getenv("SHOP_REPO_ROOT"); root != "" {
		return root
	}
	return filepath.Join("..", "..", "..")
}
