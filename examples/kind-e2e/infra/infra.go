// Package infra builds service images with a unique tag, loads them into the Kind cluster and
// applies objects to it. It prints the commands instead of running them, so the example builds
// with the standard library alone.
package infra

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// ClusterName is the Kind cluster the suite runs against.
const ClusterName = "shop-e2e"

// ImageBuildConfig describes one service image.
type ImageBuildConfig struct {
	ImageName  string // repository, e.g. "shop-orders"
	Dockerfile string
}

var builds atomic.Int64

// BuildAndLoadImageToKind builds the image with a unique tag, loads it into Kind and returns the
// reference it built, "localhost/<ImageName>:e2e-<unix time>-<n>". Deploy exactly that reference.
func BuildAndLoadImageToKind(cfg ImageBuildConfig, w io.Writer) (string, error) {
	if cfg.ImageName == "" {
		return "", fmt.Errorf("build: no image name")
	}
	ref := fmt.Sprintf("localhost/%s:e2e-%d-%d", cfg.ImageName, time.Now().Unix(), builds.Add(1))
	fmt.Fprintf(w, "podman build -t %s -f %s .\n", ref, cfg.Dockerfile)
	fmt.Fprintf(w, "kind load docker-image %s --name %s\n", ref, ClusterName)
	return ref, nil
}

// GenerateImageName returns a fresh reference for a service: every call gives a new tag.
func GenerateImageName(service string) string {
	return fmt.Sprintf("localhost/shop-%s:e2e-%d-%d", service, time.Now().Unix(), builds.Add(1))
}

// Container is the part of a pod's container the suite sets.
type Container struct {
	Name            string
	Image           string
	ImagePullPolicy string
}

// Deployment is a trimmed apps/v1 Deployment.
type Deployment struct {
	Name       string
	Namespace  string
	Containers []Container
}

// CreateNamespace creates a namespace if it does not exist yet.
func CreateNamespace(ctx context.Context, name string) error {
	if name == "" {
		return fmt.Errorf("empty namespace")
	}
	return ctx.Err()
}

// Apply creates or updates a deployment.
func Apply(ctx context.Context, d Deployment) error {
	if len(d.Containers) == 0 {
		return fmt.Errorf("deployment %s has no containers", d.Name)
	}
	return ctx.Err()
}

// ApplyManifest applies a YAML manifest, like `kubectl apply -f -`.
func ApplyManifest(ctx context.Context, manifest string) error {
	if manifest == "" {
		return fmt.Errorf("empty manifest")
	}
	return ctx.Err()
}
