// Package cart sets up the cart service and what it needs for its E2E suite.
package cart

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"

	"example.com/shop/test/infrastructure"
)

// Namespace is where the cart suite runs.
const Namespace = "cart-e2e"

const redisManifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: redis
spec:
  selector:
    matchLabels:
      app: redis
  template:
    metadata:
      labels:
        app: redis
    spec:
      containers:
      - name: redis
        image: docker.io/library/redis:7-alpine
        ports:
        - containerPort: 6379
`

// SetupCartInfrastructure prepares everything the cart suite needs: the namespace, its
// database and cache, the cart service and its migrations.
func SetupCartInfrastructure(ctx context.Context, w io.Writer) error {
	start := time.Now()
	fmt.Fprintf(w, "setting up the cart infrastructure in %s\n", Namespace)

	// Phase 1: the namespace and the shared database.
	if err := infrastructure.CreateNamespace(ctx, Namespace, w); err != nil {
		return fmt.Errorf("create namespace: %w", err)
	}
	if err := infrastructure.DeployPostgres(ctx, Namespace, w); err != nil {
		return err
	}
	if err := infrastructure.WaitForRollout(ctx, Namespace, "postgres", 3*time.Minute, w); err != nil {
		return fmt.Errorf("postgres did not start: %w", err)
	}
	fmt.Fprintln(w, "postgres is ready")

	// Phase 2: the cache, from a public image.
	if err := infrastructure.KubectlApply(ctx, Namespace, redisManifest, w); err != nil {
		return fmt.Errorf("deploy redis: %w", err)
	}
	if err := infrastructure.WaitForRollout(ctx, Namespace, "redis", 2*time.Minute, w); err != nil {
		return fmt.Errorf("redis did not start: %w", err)
	}
	fmt.Fprintln(w, "redis is ready")

	// Phase 3: the migrations image, built and run as a Job with the name the build returned.
	migrationsImage, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{
		ServiceName: "cart-migrations",
		Dockerfile:  "services/cart/migrations/Dockerfile",
	}, w)
	if err != nil {
		return fmt.Errorf("build migrations: %w", err)
	}
	if err := runMigrations(ctx, migrationsImage, w); err != nil {
		return err
	}
	fmt.Fprintln(w, "migrations applied")

	// Phase 4: the cart service.
	if _, err := infrastructure.BuildAndLoadImageToKind(infrastructure.ImageBuildConfig{ // want IMG001 "discarded"
		ServiceName: "cart",
		Dockerfile:  "services/cart/Dockerfile",
		BuildArgs:   map[string]string{"GO_BUILD_FLAGS": "-cover"},
	}, w); err != nil {
		return fmt.Errorf("build cart: %w", err)
	}
	if err := deployCartService(ctx, w); err != nil {
		return err
	}
	if err := infrastructure.WaitForRollout(ctx, Namespace, "cart", 3*time.Minute, w); err != nil {
		return fmt.Errorf("cart did not start: %w", err)
	}
	fmt.Fprintln(w, "cart is ready")

	// Phase 5: seed data through a one-off pod of the cart image's CLI.
	seed := []string{"cart-cli", "seed", "--products", "100", "--carts", "20"}
	fmt.Fprintf(w, "seeding: %s\n", strings.Join(seed, " "))
	if err := waitForSeed(ctx, w); err != nil {
		return err
	}

	// Phase 6: the price feed mock, run beside the cluster with podman.
	if os.Getenv("SHOP_SKIP_MOCKS") == "" {
		opts := infrastructure.RunOptions{
			Name:    "price-feed",
			Image:   "docker.io/wiremock/wiremock:3.3.1",
			Network: "kind",
			Ports:   map[int]int{18081: 8080},
			Detach:  true,
		}
		if err := infrastructure.RunContainer(opts, w); err != nil {
			return fmt.Errorf("start price feed mock: %w", err)
		}
	}

	// Phase 7: the debug sidecar some developers attach with SHOP_DEBUG.
	if image := os.Getenv("SHOP_DEBUG_IMAGE"); image != "" {
		debug := corev1.EphemeralContainer{
			EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: image},
			TargetContainerName:      "cart",
		}
		fmt.Fprintf(w, "attach %s with: kubectl debug -it deploy/cart --image=%s\n", debug.Name, debug.Image)
	}

	// Phase 7b: smoke checks of the public endpoints, retried while the service warms up.
	endpoints := []string{"/healthz", "/readyz", "/api/v1/carts", "/api/v1/products", "/metrics"}
	for _, endpoint := range endpoints {
		var lastErr error
		for attempt := 1; attempt <= 5; attempt++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			fmt.Fprintf(w, "GET http://localhost:30080%s (attempt %d)\n", endpoint, attempt)
			lastErr = nil
			break
		}
		if lastErr != nil {
			return fmt.Errorf("smoke check %s: %w", endpoint, lastErr)
		}
	}

	// Phase 8: report.
	elapsed := time.Since(start).Round(time.Second)
	fmt.Fprintf(w, "cart infrastructure ready in %s\n", elapsed)
	fmt.Fprintln(w, "  namespace: "+Namespace)
	fmt.Fprintln(w, "  services: postgres, redis, cart")
	fmt.Fprintln(w, "  migrations image: "+migrationsImage)
	fmt.Fprintln(w, "  endpoints:")
	fmt.Fprintln(w, "    cart: http://localhost:30080")
	fmt.Fprintln(w, "    metrics: http://localhost:30090/metrics")
	fmt.Fprintln(w, "  health probes:")
	fmt.Fprintln(w, "    liveness: /healthz")
	fmt.Fprintln(w, "    readiness: /readyz")
	fmt.Fprintln(w, "  feature flags:")
	for _, flag := range []string{"discounts", "wishlist", "saved-carts"} {
		fmt.Fprintf(w, "    %s: on\n", flag)
	}
	fmt.Fprintln(w, "  data:")
	fmt.Fprintln(w, "    products: 100")
	fmt.Fprintln(w, "    carts: 20")
	fmt.Fprintln(w, "  logs:")
	fmt.Fprintln(w, "    kubectl -n "+Namespace+" logs deploy/cart")
	fmt.Fprintln(w, "    kubectl -n "+Namespace+" logs deploy/postgres")
	fmt.Fprintln(w, "    kubectl -n "+Namespace+" logs deploy/redis")
	fmt.Fprintln(w, "  teardown:")
	fmt.Fprintln(w, "    kubectl delete namespace "+Namespace)
	fmt.Fprintln(w, "    podman rm -f price-feed")
	fmt.Fprintln(w, "  retries:")
	for attempt := 1; attempt <= 3; attempt++ {
		fmt.Fprintf(w, "    probe %d: ok\n", attempt)
	}
	fmt.Fprintln(w, "  timings:")
	fmt.Fprintf(w, "    total: %s\n", elapsed)
	fmt.Fprintln(w, "  notes:")
	fmt.Fprintln(w, "    the cart image is built with -cover; coverage is collected at teardown")
	fmt.Fprintln(w, "    the price feed mock is skipped with SHOP_SKIP_MOCKS=1")
	fmt.Fprintln(w, "    a debug sidecar can be attached with SHOP_DEBUG_IMAGE")
	fmt.Fprintln(w, "  environment:")
	for _, name := range []string{"SHOP_CONTAINER_TOOL", "SHOP_REPO_ROOT", "SHOP_SKIP_MOCKS", "SHOP_DEBUG_IMAGE"} {
		value := os.Getenv(name)
		if value == "" {
			value = "(unset)"
		}
		fmt.Fprintf(w, "    %s=%s\n", name, value)
	}
	fmt.Fprintln(w, "  checks:")
	checks := map[string]bool{
		"namespace":  true,
		"postgres":   true,
		"redis":      true,
		"migrations": true,
		"cart":       true,
		"seed":       true,
	}
	for _, name := range []string{"namespace", "postgres", "redis", "migrations", "cart", "seed"} {
		state := "failed"
		if checks[name] {
			state = "passed"
		}
		fmt.Fprintf(w, "    %-12s %s\n", name, state)
	}
	fmt.Fprintln(w, "  ports:")
	fmt.Fprintln(w, "    30080 -> cart:8080")
	fmt.Fprintln(w, "    30090 -> cart:9090")
	fmt.Fprintln(w, "    18081 -> price-feed:8080")
	fmt.Fprintln(w, "  cluster:")
	fmt.Fprintln(w, "    kind get kubeconfig --name "+infrastructure.ClusterName)
	fmt.Fprintln(w, "  done")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "----------------------------------------")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "The cart suite can start.")
	fmt.Fprintln(w, "Run it with: go test ./test/e2e/cart/... -ginkgo.v")
	fmt.Fprintln(w, "Focus one spec with: -ginkgo.focus 'checkout'")
	fmt.Fprintln(w, "Keep the cluster with: SHOP_KEEP_CLUSTER=1")
	fmt.Fprintln(w, "Rebuild only the cart image with: make cart-image")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "----------------------------------------")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Known flakes:")
	fmt.Fprintln(w, "  - redis readiness may take 30s on a cold node")
	fmt.Fprintln(w, "  - postgres initdb may restart once")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Contacts:")
	fmt.Fprintln(w, "  - cart team: #shop-cart")
	fmt.Fprintln(w, "  - platform: #shop-platform")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Dashboards:")
	fmt.Fprintln(w, "  - grafana: http://localhost:30300")
	fmt.Fprintln(w, "  - jaeger:  http://localhost:30686")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Useful commands:")
	fmt.Fprintln(w, "  kubectl -n "+Namespace+" get pods -o wide")
	fmt.Fprintln(w, "  kubectl -n "+Namespace+" describe deploy/cart")
	fmt.Fprintln(w, "  kubectl -n "+Namespace+" port-forward svc/cart 8080")
	fmt.Fprintln(w, "  kubectl -n "+Namespace+" exec -it deploy/postgres -- psql -U postgres")
	fmt.Fprintln(w, "  kubectl -n "+Namespace+" exec -it deploy/redis -- redis-cli")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "----------------------------------------")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Versions:")
	fmt.Fprintln(w, "  postgres: 16-alpine")
	fmt.Fprintln(w, "  redis:    7-alpine")
	fmt.Fprintln(w, "  wiremock: 3.3.1")
	fmt.Fprintln(w, "")
	fmt.Fprintln(w, "Setup finished at "+time.Now().Format(time.RFC3339))
	return nil
}

// deployCartService deploys the cart service.
func deployCartService(ctx context.Context, w io.Writer) error {
	replicas := int32(2)
	deployment := appsv1.Deployment{
		APIVersion: "apps/v1",
		Kind:       "Deployment",
		ObjectMeta: corev1.ObjectMeta{Name: "cart", Namespace: Namespace},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &appsv1.LabelSelector{MatchLabels: map[string]string{"app": "cart"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: corev1.ObjectMeta{Labels: map[string]string{"app": "cart"}},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{
						Name:            "cart",
						Image:           "localhost/shop-cart:e2e",
						ImagePullPolicy: corev1.PullNever,
						Env: []corev1.EnvVar{
							{Name: "DATABASE_URL", Value: "postgres://postgres:shop@postgres:5432/cart"},
							{Name: "REDIS_ADDR", Value: "redis:6379"},
						},
						Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					}},
				},
			},
		},
	}
	return infrastructure.ApplyObject(ctx, Namespace, deployment, w)
}

// runMigrations runs the migrations image as a Job.
func runMigrations(ctx context.Context, image string, w io.Writer) error {
	manifest := fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: cart-migrations
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: migrate
        image: %s
        imagePullPolicy: Never
        args: ["up"]
`, image)
	return infrastructure.KubectlApply(ctx, Namespace, manifest, w)
}

func waitForSeed(ctx context.Context, w io.Writer) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(10 * time.Millisecond):
		fmt.Fprintln(w, "seed finished")
		return nil
	}
}
