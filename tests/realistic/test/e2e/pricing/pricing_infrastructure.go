// Package pricing sets up the pricing service, its rules engine and the seed data it starts with.
package pricing

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"example.com/shop/test/infrastructure"
)

// Namespace is where the pricing suite runs.
const Namespace = "pricing-e2e"

// releasedRulesImage is the rules engine of the last release, for the upgrade test.
const releasedRulesImage = "ghcr.io/example/shop-pricing-rules:1.8.0"

// SetupPricingInfrastructure builds the pricing image with podman itself (the suite needs a build
// argument the shared helper does not pass), loads it and deploys it with the seed data.
func SetupPricingInfrastructure(ctx context.Context, w io.Writer) error {
	if err := infrastructure.CreateNamespace(ctx, Namespace, w); err != nil {
		return err
	}
	pricingImage := infrastructure.GenerateImageName("pricing")
	build := exec.CommandContext(ctx, "podman", "build", "-t", pricingImage,
		"--build-arg", "PRICING_FEATURES=all", "-f", "services/pricing/Dockerfile", ".")
	build.Stdout, build.Stderr = w, w
	if err := build.Run(); err != nil {
		return fmt.Errorf("build pricing: %w", err)
	}
	if err := infrastructure.LoadImageToKind(pricingImage, w); err != nil {
		return err
	}

	// The seed data ships as an image that the init container copies into a shared volume.
	if err := infrastructure.LoadImageToKind("localhost/shop-pricing-seed:e2e", w); err != nil { // want IMG003 "`\"localhost/shop-pricing-seed:e2e\"` \(a local reference that no file of this Go module [b]uilds"
		return err
	}
	// Redis is the public image, preloaded so that the cluster pulls nothing.
	if err := infrastructure.LoadImageToKind("docker.io/library/redis:7.2", w); err != nil {
		return err
	}

	replicas := int32(1)
	deployment := appsv1.Deployment{
		APIVersion: "apps/v1",
		Kind:       "Deployment",
		ObjectMeta: corev1.ObjectMeta{Name: "pricing", Namespace: Namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &appsv1.LabelSelector{MatchLabels: map[string]string{"app": "pricing"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: corev1.ObjectMeta{Labels: map[string]string{"app": "pricing"}},
				Spec: corev1.PodSpec{
					InitContainers: []corev1.Container{{
						Name:            "seed",
						Image:           "localhost/shop-pricing-seed:e2e",
						ImagePullPolicy: corev1.PullNever,
					}},
					Containers: []corev1.Container{
						{
							Name:            "pricing",
							Image:           infrastructure.GenerateImageName("pricing"), // want IMG003 "`infrastructure.GenerateImageName\(\"pricing\"\)` \(a fresh call of `GenerateImageName` at the deploy site"
							ImagePullPolicy: corev1.PullNever,
							Ports:           []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
						},
						{Name: "redis", Image: "docker.io/library/redis:7.2"},
					},
				},
			},
		},
	}
	if err := infrastructure.ApplyObject(ctx, Namespace, deployment, w); err != nil {
		return err
	}
	return infrastructure.WaitForRollout(ctx, Namespace, "pricing", 3*time.Minute, w)
}

// UpgradePricingRules rebuilds the rules engine from the working tree and rolls it out.
func UpgradePricingRules(ctx context.Context, w io.Writer) error {
	rulesImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
		ServiceName: "pricing-rules",
		Dockerfile:  "services/pricing-rules/Dockerfile",
	}, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "rebuilt the rules engine as %s\n", rulesImage)
	return infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: "pricing-rules", Image: releasedRulesImage, Port: 8081}, w) // want IMG003 "`releasedRulesImage` \(fixed text `ghcr.io/example/shop-pricing-rules:1.8.0`, while the built name \(`infrastructure.BuildAndLoadImageToKind`\) reaches no deployment\)"
}

// DeployReleasedRules deploys the released rules engine next to the current one, to compare them.
func DeployReleasedRules(ctx context.Context, w io.Writer) error {
	return infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: "pricing-rules-released", Image: releasedRulesImage, Port: 8081}, w)
}
