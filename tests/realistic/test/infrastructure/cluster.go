package infrastructure

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"time"
)

// KubectlApply pipes a manifest into `kubectl apply -f -`.
func KubectlApply(ctx context.Context, namespace, manifest string, w io.Writer) error {
	cmd := exec.CommandContext(ctx, "kubectl", "--context", "kind-"+ClusterName, "-n", namespace, "apply", "-f", "-")
	cmd.Stdin = bytes.NewBufferString(manifest)
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("kubectl apply in %s: %w", namespace, err)
	}
	return nil
}

// ApplyObject applies a typed object: kubectl accepts JSON as well as YAML.
func ApplyObject(ctx context.Context, namespace string, obj any, w io.Writer) error {
	data, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode object: %w", err)
	}
	return KubectlApply(ctx, namespace, string(data), w)
}

// CreateNamespace creates the namespace, ignoring one that exists.
func CreateNamespace(ctx context.Context, namespace string, w io.Writer) error {
	manifest := fmt.Sprintf("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: %s\n", namespace)
	return KubectlApply(ctx, namespace, manifest, w)
}

// WaitForRollout waits until a deployment has all its replicas.
func WaitForRollout(ctx context.Context, namespace, name string, timeout time.Duration, w io.Writer) error {
	cmd := exec.CommandContext(ctx, "kubectl", "--context", "kind-"+ClusterName, "-n", namespace,
		"rollout", "status", "deployment/"+name, "--timeout", timeout.String())
	cmd.Stdout = w
	cmd.Stderr = w
	return cmd.Run()
}
