// Package catalog sets up the catalog, search, reviews and recommendations services.
package catalog

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"time"

	"example.com/shop/test/infrastructure"
)

// Namespace is where the catalog suite runs.
const Namespace = "catalog-e2e"

// SetupCatalogInfrastructure builds and deploys the catalog services one after the other.
func SetupCatalogInfrastructure(ctx context.Context, w io.Writer) error {
	if err := infrastructure.CreateNamespace(ctx, Namespace, w); err != nil {
		return err
	}

	// The catalog image gets its name up front, so the build and the load agree on it.
	catalogImage := infrastructure.GenerateImageName("catalog")
	cfg := infrastructure.ImageBuildConfig{ServiceName: "catalog", Dockerfile: "services/catalog/Dockerfile"}
	if err := infrastructure.BuildImageWithTag(catalogImage, cfg, w); err != nil {
		return err
	}
	if err := infrastructure.LoadImageToKind(catalogImage, w); err != nil {
		return err
	}
	if err := deployCatalog(ctx, infrastructure.GenerateImageName("catalog"), w); err != nil { // want IMG003 "GenerateImageName"
		return err
	}

	// Reviews: the same steps, with the generated name carried through.
	reviewsImage := infrastructure.GenerateImageName("reviews")
	if err := infrastructure.BuildImageWithTag(reviewsImage, infrastructure.ImageBuildConfig{ServiceName: "reviews", Dockerfile: "services/reviews/Dockerfile"}, w); err != nil {
		return err
	}
	if err := infrastructure.LoadImageToKind(reviewsImage, w); err != nil {
		return err
	}
	if err := infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: "reviews", Image: reviewsImage, Port: 8080}, w); err != nil {
		return err
	}

	// Search: built by its own make target with a coverage tag.
	if err := buildSearchImage(w); err != nil {
		return err
	}
	if err := infrastructure.LoadImageToKind(searchImage(), w); err != nil {
		return err
	}
	if err := infrastructure.KubectlApply(ctx, Namespace, searchManifest(searchImage()), w); err != nil { // want IMG003 "`searchImage\(\)` \(`localhost/shop-search:cov`, while the build at .*catalog_infrastructure.go:120 tags another repository, `localhost/shop-search-api:cov`"
		return err
	}

	// Recommendations.
	recommendationsImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
		ServiceName: "recommendations",
		Dockerfile:  "services/recommendations/Dockerfile",
	}, w)
	if err != nil {
		return err
	}
	if err := deployRecommendations(ctx, recommendationsImage, w); err != nil {
		return err
	}

	// The reverse proxy in front of the storefront is the public nginx image, preloaded so that
	// the cluster needs no registry access.
	const proxyImage = "docker.io/library/nginx:1.25"
	if err := exec.Command("podman", "pull", proxyImage).Run(); err != nil {
		return fmt.Errorf("pull %s: %w", proxyImage, err)
	}
	if err := infrastructure.LoadImageToKind(proxyImage, w); err != nil {
		return err
	}
	if err := infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: "proxy", Image: proxyImage, Port: 80}, w); err != nil {
		return err
	}

	// The image of the import job comes from the CI pipeline when it runs there.
	if importer := os.Getenv("SHOP_IMPORTER_IMAGE"); importer != "" {
		if err := infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{Name: "importer", Image: importer}, w); err != nil {
			return err
		}
	}
	return infrastructure.WaitForRollout(ctx, Namespace, "catalog", 3*time.Minute, w)
}

func deployCatalog(ctx context.Context, image string, w io.Writer) error {
	return infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{
		Name:  "catalog",
		Image: image,
		Port:  8080,
		Env:   map[string]string{"SEARCH_URL": "http://search:9200"},
	}, w)
}

// deployRecommendations deploys the recommendations service.
func deployRecommendations(ctx context.Context, image string, w io.Writer) error { // want IMG003 "`localhost/shop-recommendations:e2e` \(`deployRecommendations` ignores its `image` parameter\)"
	fmt.Fprintln(w, "deploying recommendations")
	return infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{
		Name:  "recommendations",
		Image: "localhost/shop-recommendations:e2e",
		Port:  8080,
	}, w)
}

// searchImage is the reference of the search image in the cluster.
func searchImage() string {
	return "localhost/shop-search:cov"
}

// buildSearchImage builds the search service with coverage instrumentation.
func buildSearchImage(w io.Writer) error {
	cmd := exec.Command("podman", "build", "-t", "localhost/shop-search-api:cov", "--build-arg", "GOFLAGS=-cover", "-f", "services/search/Dockerfile", ".")
	cmd.Stdout = w
	cmd.Stderr = w
	return cmd.Run()
}

func searchManifest(image string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: search
spec:
  selector:
    matchLabels:
      app: search
  template:
    metadata:
      labels:
        app: search
    spec:
      containers:
      - name: search
        image: %s
        imagePullPolicy: Never
`, image)
}
