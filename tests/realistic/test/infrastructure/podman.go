package infrastructure

import (
	"fmt"
	"io"
	"os/exec"
	"sort"
)

// RunOptions are the settings of a container that runs beside the cluster (a mock of a third
// party API, a local registry), started with `podman run`.
type RunOptions struct {
	Name    string
	Image   string
	Network string
	Ports   map[int]int
	Env     map[string]string
	Detach  bool
}

// PodmanRunArgs returns the argument list of `podman run` for opts.
func PodmanRunArgs(opts RunOptions) []string {
	args := []string{"run", "--rm", "--name", opts.Name}
	if opts.Detach {
		args = append(args, "-d")
	}
	if opts.Network != "" {
		args = append(args, "--network", opts.Network)
	}
	hostPorts := make([]int, 0, len(opts.Ports))
	for host := range opts.Ports {
		hostPorts = append(hostPorts, host)
	}
	sort.Ints(hostPorts)
	for _, host := range hostPorts {
		args = append(args, "-p", fmt.Sprintf("%d:%d", host, opts.Ports[host]))
	}
	keys := make([]string, 0, len(opts.Env))
	for key := range opts.Env {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	for _, key := range keys {
		args = append(args, "-e", key+"="+opts.Env[key])
	}
	return append(args, opts.Image)
}

// RunContainer starts a container with podman.
func RunContainer(opts RunOptions, w io.Writer) error {
	cmd := exec.Command("podman", PodmanRunArgs(opts)...)
	cmd.Stdout = w
	cmd.Stderr = w
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("podman run %s: %w", opts.Name, err)
	}
	return nil
}
