package infrastructure

import (
	"reflect"
	"testing"
)

func TestPodmanRunArgs(t *testing.T) {
	cases := []struct {
		name string
		opts RunOptions
		want []string
	}{
		{
			name: "detached with a port",
			opts: RunOptions{
				Name:   "payments-mock",
				Image:  "localhost/shop-payments-mock:test",
				Ports:  map[int]int{18080: 8080},
				Detach: true,
			},
			want: []string{"run", "--rm", "--name", "payments-mock", "-d", "-p", "18080:8080", "localhost/shop-payments-mock:test"},
		},
		{
			name: "network and environment",
			opts: RunOptions{
				Name:    "mail",
				Image:   "localhost/shop-mailhog:test",
				Network: "kind",
				Env:     map[string]string{"MH_HOSTNAME": "mail"},
			},
			want: []string{"run", "--rm", "--name", "mail", "--network", "kind", "-e", "MH_HOSTNAME=mail", "localhost/shop-mailhog:test"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := PodmanRunArgs(tc.opts); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("PodmanRunArgs() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestPodmanRunArgsSetsImageLast(t *testing.T) {
	opts := RunOptions{Name: "registry"}
	opts.Image = "localhost/shop-registry:test"
	args := PodmanRunArgs(opts)
	if args[len(args)-1] != opts.Image {
		t.Fatalf("image is not the last argument: %v", args)
	}
}
