package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

func newCoverageCmd() *cobra.Command {
	var format, asOf string
	cmd := &cobra.Command{
		Use:   "coverage ENGAGEMENT [--format text|json|csv] [--as-of YYYY-MM-DD]",
		Short: "Show evidence coverage of the operating window, control by control and month by month",
		Long: `Shows the evidence coverage of the operating window as a heat map, control by
control and month by month. The window is the SOC 2 Type II observation window
(from the Type I date when there is one), otherwise the plan's operating period.
For every control the engagement operates, each month shows whether what was
expected arrived on time, late (within the grace period), retrospectively
(after it), or not at all (missed); whether it is past due but still within
the grace period (overdue); or whether it is not due yet. An occurrence counts
in the month its period ends in. The header gives the window and the on-time
rate so far (on time over fallen due; "n/a" while nothing has fallen due).

Formats: text (a heat map with a legend), json (the header and the heat map) and
csv (one row per control and month; the header line goes to stderr).
--as-of reports as of the end of that day in the client's time zone, ignoring
evidence given later; it defaults to now.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" && format != "csv" {
				return fmt.Errorf("--format must be text, json or csv, not %q", format)
			}
			op, err := loadOperating(cmd, args[0], asOf)
			if err != nil {
				return err
			}
			return writeCoverage(cmd.OutOrStdout(), cmd.ErrOrStderr(), format, op)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json or csv")
	cmd.Flags().StringVar(&asOf, "as-of", "", "report as of the end of this day (YYYY-MM-DD, client's time zone); default now")
	return cmd
}

// loadOperating builds the operating report of an engagement now, or as of
// the end of the day asOf (YYYY-MM-DD) when it is set.
func loadOperating(cmd *cobra.Command, id, asOf string) (reports.Operating, error) {
	day, err := parseAsOf(asOf)
	if err != nil {
		return reports.Operating{}, err
	}
	svc, done, err := openService(cmd, needStore)
	if err != nil {
		return reports.Operating{}, err
	}
	defer done()
	return svc.Operating(cmd.Context(), engagement.OperatingRequest{EngagementID: id, AsOf: day})
}

// operatingHeader is the line above both reports: the window, the instant
// and the on-time rate so far.
func operatingHeader(op reports.Operating) string {
	return fmt.Sprintf("%s: operating window %s, as of %s; on-time rate so far %s",
		op.EngagementID, op.Window, op.AsOf.Format("2006-01-02 15:04 MST"), rateText(op))
}

func rateText(op reports.Operating) string {
	if op.Due == 0 {
		return "n/a (nothing due yet)"
	}
	on := op.Heatmap.Total.OnTime
	return fmt.Sprintf("%.1f%% (%d of %d due)", 100*op.OnTimeRate, on, op.Due)
}

// rateJSON is the on-time rate, or nil (null) when nothing is due.
func rateJSON(op reports.Operating) *float64 {
	if op.Due == 0 {
		return nil
	}
	r := op.OnTimeRate
	return &r
}

// coverageJSON is `coverage --format json`.
type coverageJSON struct {
	EngagementID string          `json:"engagement_id"`
	Window       compliance.Span `json:"window"`
	AsOf         time.Time       `json:"as_of"`
	// OnTimeRate is null while nothing has fallen due.
	OnTimeRate *float64      `json:"on_time_rate"`
	Due        int           `json:"due"`
	Heatmap    drift.Heatmap `json:"heatmap"`
}

func writeCoverage(out, errOut io.Writer, format string, op reports.Operating) error {
	switch format {
	case "json":
		return writeJSON(out, coverageJSON{EngagementID: op.EngagementID, Window: op.Window, AsOf: op.AsOf,
			OnTimeRate: rateJSON(op), Due: op.Due, Heatmap: op.Heatmap})
	case "csv":
		// Keep stdout pure CSV for tools; the person at the terminal still
		// sees which window and instant it is.
		fmt.Fprintln(errOut, operatingHeader(op))
		return op.Heatmap.CSV(out)
	case "text":
		if _, err := fmt.Fprintln(out, operatingHeader(op)); err != nil {
			return err
		}
		// The header above already gives the window, instant and rate.
		return op.Heatmap.Grid(out)
	}
	return fmt.Errorf("--format must be text, json or csv, not %q", format)
}
