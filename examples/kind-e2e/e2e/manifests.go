package e2e

import (
	"context"
	"fmt"
	"io"

	"example.com/shop-e2e/infra"
)

// setupInventory drops the name and applies a YAML manifest with a fixed image line.
func setupInventory(ctx context.Context, namespace string, w io.Writer) error {
	_, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-inventory", Dockerfile: "inventory/Dockerfile"}, w)
	if err != nil {
		return err
	}
	manifest := fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: inventory
  namespace: %s
spec:
  template:
    spec:
      containers:
      - name: inventory
        image: localhost/shop-inventory:e2e
        imagePullPolicy: Never
`, namespace)
	return infra.ApplyManifest(ctx, manifest)
}

// setupShipping keeps the built name but deploys a fresh generated one: a different tag.
func setupShipping(ctx context.Context, namespace string, w io.Writer) error {
	shippingImage, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-shipping", Dockerfile: "shipping/Dockerfile"}, w)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "built %s\n", shippingImage)
	return deployShipping(ctx, namespace, infra.GenerateImageName("shipping"))
}

func deployShipping(ctx context.Context, namespace, image string) error {
	return infra.Apply(ctx, infra.Deployment{
		Name:      "shipping",
		Namespace: namespace,
		Containers: []infra.Container{{
			Name:            "shipping",
			Image:           image,
			ImagePullPolicy: "Never",
		}},
	})
}
