// Package checkout sets up the checkout flow: checkout, payments and inventory, built in parallel.
package checkout

import (
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"example.com/shop/test/infrastructure"
)

// Namespace is where the checkout suite runs.
const Namespace = "checkout-e2e"

type buildResult struct {
	service string
	image   string
	err     error
	elapsed time.Duration
}

// SetupCheckoutInfrastructure builds the three images at the same time, then deploys them.
func SetupCheckoutInfrastructure(ctx context.Context, w io.Writer) error {
	if err := infrastructure.CreateNamespace(ctx, Namespace, w); err != nil {
		return err
	}
	results := make(chan buildResult, 3)
	var wg sync.WaitGroup

	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
			ServiceName: "checkout",
			Dockerfile:  "services/checkout/Dockerfile",
		}, w)
		results <- buildResult{service: "checkout", image: image, err: err, elapsed: time.Since(start)}
	}()

	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		_, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ // want IMG001 "discarded"
			ServiceName: "payments",
			Dockerfile:  "services/payments/Dockerfile",
		}, w)
		results <- buildResult{service: "payments", err: err, elapsed: time.Since(start)}
	}()

	wg.Add(1)
	go func() {
		defer wg.Done()
		start := time.Now()
		image, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
			ServiceName: "inventory",
			Dockerfile:  "services/inventory/Dockerfile",
		}, w)
		results <- buildResult{service: "inventory", image: image, err: err, elapsed: time.Since(start)}
	}()

	go func() {
		wg.Wait()
		close(results)
	}()

	images := map[string]string{}
	var records []infrastructure.BuildRecord
	for result := range results {
		if result.err != nil {
			return fmt.Errorf("build %s: %w", result.service, result.err)
		}
		images[result.service] = result.image
		records = append(records, infrastructure.BuildRecord{Service: result.service, Image: result.image, Duration: result.elapsed})
	}
	if err := infrastructure.WriteBuildReport(w, records); err != nil {
		return err
	}

	if err := infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{
		Name:  "checkout",
		Image: images["checkout"],
		Port:  8080,
		Env:   map[string]string{"PAYMENTS_URL": "http://payments:8080", "INVENTORY_URL": "http://inventory:8080"},
	}, w); err != nil {
		return err
	}
	if err := infrastructure.DeployService(ctx, Namespace, infrastructure.ServiceDeployment{
		Name:  "inventory",
		Image: images["inventory"],
		Port:  8080,
	}, w); err != nil {
		return err
	}
	if err := infrastructure.KubectlApply(ctx, Namespace, paymentsManifest, w); err != nil {
		return fmt.Errorf("deploy payments: %w", err)
	}
	for _, name := range []string{"checkout", "inventory", "payments"} {
		if err := infrastructure.WaitForRollout(ctx, Namespace, name, 3*time.Minute, w); err != nil {
			return fmt.Errorf("%s did not start: %w", name, err)
		}
	}
	return nil
}

const paymentsManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: payments
spec:
  selector:
    matchLabels:
      app: payments
  template:
    metadata:
      labels:
        app: payments
    spec:
      containers:
      - name: payments
        image: localhost/shop-payments:latest
        imagePullPolicy: Never
        ports:
        - containerPort: 8080
`
