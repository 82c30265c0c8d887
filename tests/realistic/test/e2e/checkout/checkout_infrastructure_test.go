package checkout

import (
	"strings"
	"testing"

	"example.com/shop/test/infrastructure"
)

func TestBuildReportRows(t *testing.T) {
	var out strings.Builder
	rows := []infrastructure.BuildRecord{{Service: "payments", Image: "localhost/shop-payments:e2e-1-0001"}}
	if err := infrastructure.WriteBuildReport(&out, rows); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "payments") {
		t.Fatalf("report: %s", out.String())
	}
}
