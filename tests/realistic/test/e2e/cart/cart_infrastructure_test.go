package cart

import (
	"testing"

	"example.com/shop/test/infrastructure"
)

// TestPriceFeedOptions checks the podman arguments of a mock, filled with a fixture image.
func TestPriceFeedOptions(t *testing.T) {
	opts := infrastructure.RunOptions{Name: "price-feed", Image: "localhost/shop-price-feed:test", Detach: true}
	args := infrastructure.PodmanRunArgs(opts)
	if args[len(args)-1] != "localhost/shop-price-feed:test" {
		t.Fatalf("unexpected arguments %v", args)
	}
}
