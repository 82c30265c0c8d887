package infrastructure

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"
)

// BuildRecord is one row of the build report printed after the suite.
type BuildRecord struct {
	Service  string
	Image    string
	Duration time.Duration
}

// WriteBuildReport prints the images the suite built.
func WriteBuildReport(w io.Writer, records []BuildRecord) error {
	table := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(table, "SERVICE\tIMAGE\tBUILD TIME")
	for _, record := range records {
		fmt.Fprintf(table, "%s\t%s\t%s\n", record.Service, record.Image, record.Duration.Round(time.Second))
	}
	return table.Flush()
}
