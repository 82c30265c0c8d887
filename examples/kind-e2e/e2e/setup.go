// Package e2e sets up the shop's services in a Kind cluster before the end-to-end tests run.
package e2e

import (
	"context"
	"fmt"
	"io"

	"example.com/shop-e2e/infra"
)

type buildResult struct {
	service string
	err     error
}

// SetupShop builds the orders image while it creates the namespace, then sets up each service.
func SetupShop(ctx context.Context, namespace string, w io.Writer) error {
	results := make(chan buildResult, 2)
	go func() {
		// the goroutine reports only the error: the built name is dropped
		_, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-orders", Dockerfile: "orders/Dockerfile"}, w)
		results <- buildResult{service: "orders", err: err}
	}()
	go func() {
		results <- buildResult{service: "namespace", err: infra.CreateNamespace(ctx, namespace)}
	}()
	for i := 0; i < 2; i++ {
		if r := <-results; r.err != nil {
			return fmt.Errorf("build %s: %w", r.service, r.err)
		}
	}
	if err := deployOrders(ctx, namespace); err != nil {
		return err
	}
	if err := setupCatalog(ctx, namespace, w); err != nil {
		return err
	}
	if err := setupInventory(ctx, namespace, w); err != nil {
		return err
	}
	if err := setupCart(ctx, namespace, w); err != nil {
		return err
	}
	return setupShipping(ctx, namespace, w)
}

// deployOrders deploys a hardcoded tag: Kind has no image by that name.
func deployOrders(ctx context.Context, namespace string) error {
	return infra.Apply(ctx, infra.Deployment{
		Name:      "orders",
		Namespace: namespace,
		Containers: []infra.Container{{
			Name:            "orders",
			Image:           "localhost/shop-orders:e2e",
			ImagePullPolicy: "Never",
		}},
	})
}

// setupCatalog drops the name in an if init statement and deploys a hardcoded tag.
func setupCatalog(ctx context.Context, namespace string, w io.Writer) error {
	if _, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-catalog", Dockerfile: "catalog/Dockerfile"}, w); err != nil {
		return err
	}
	return deployCatalog(ctx, namespace)
}

func deployCatalog(ctx context.Context, namespace string) error {
	return infra.Apply(ctx, infra.Deployment{
		Name:      "catalog",
		Namespace: namespace,
		Containers: []infra.Container{{
			Name:            "catalog",
			Image:           "localhost/shop-catalog:e2e",
			ImagePullPolicy: "Never",
		}},
	})
}

// setupCart is the correct form: the name the builder returns is the name deployed.
func setupCart(ctx context.Context, namespace string, w io.Writer) error {
	cartImage, err := infra.BuildAndLoadImageToKind(infra.ImageBuildConfig{ImageName: "shop-cart", Dockerfile: "cart/Dockerfile"}, w)
	if err != nil {
		return err
	}
	return deployCart(ctx, namespace, cartImage)
}

func deployCart(ctx context.Context, namespace, image string) error {
	return infra.Apply(ctx, infra.Deployment{
		Name:      "cart",
		Namespace: namespace,
		Containers: []infra.Container{{
			Name:            "cart",
			Image:           image,
			ImagePullPolicy: "Never",
		}},
	})
}
