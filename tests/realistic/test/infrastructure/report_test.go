package infrastructure

import (
	"strings"
	"testing"
	"time"
)

func TestWriteBuildReport(t *testing.T) {
	var out strings.Builder
	records := []BuildRecord{
		{Service: "cart", Image: "localhost/shop-cart:e2e-1700000000-0001", Duration: 42 * time.Second},
		{Service: "checkout", Image: "localhost/shop-checkout:e2e-1700000000-0002", Duration: time.Minute},
	}
	if err := WriteBuildReport(&out, records); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "localhost/shop-cart:e2e-1700000000-0001") {
		t.Errorf("report lacks the cart image:\n%s", out.String())
	}
}
