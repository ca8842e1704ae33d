package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

func newDriftCmd() *cobra.Command {
	var format, asOf string
	cmd := &cobra.Command{
		Use:   "drift ENGAGEMENT [--format text|json] [--as-of YYYY-MM-DD]",
		Short: "List the controls whose evidence cadence is drifting now, worst first",
		Long: `Lists the controls drifting now, worst first: each control's owner, its drift
level and who that level tells (watch: the control owner; drifting: the owner
and the lead; critical: the owner, the lead and the sponsor), how many of its
occurrences so far were missed, late, overdue or raised retrospectively, the
days since its last evidence, its current on-time streak and the reasons for its
level. Controls whose cadence is fine are left out. The header gives the
operating window and the on-time rate so far ("n/a" while nothing has fallen
due).

--as-of reports as of the end of that day in the client's time zone, ignoring
evidence given later; it defaults to now.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format must be text or json, not %q", format)
			}
			op, err := loadOperating(cmd, args[0], asOf)
			if err != nil {
				return err
			}
			return writeDrift(cmd.OutOrStdout(), format, op)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.Flags().StringVar(&asOf, "as-of", "", "report as of the end of this day (YYYY-MM-DD, client's time zone); default now")
	return cmd
}

// driftJSON is `drift --format json`.
type driftJSON struct {
	EngagementID string          `json:"engagement_id"`
	Window       compliance.Span `json:"window"`
	AsOf         time.Time       `json:"as_of"`
	// OnTimeRate is null while nothing has fallen due.
	OnTimeRate *float64 `json:"on_time_rate"`
	Due        int      `json:"due"`
	// Controls counts the controls operated; Drifting lists those above ok.
	Controls int                     `json:"controls"`
	Drifting []reports.ControlReport `json:"drifting"`
	Reviews  reports.Reviews         `json:"reviews"`
}

func writeDrift(out io.Writer, format string, op reports.Operating) error {
	drifting := op.Drifting()
	switch format {
	case "json":
		return writeJSON(out, driftJSON{EngagementID: op.EngagementID, Window: op.Window, AsOf: op.AsOf,
			OnTimeRate: rateJSON(op), Due: op.Due, Controls: len(op.Controls), Drifting: drifting, Reviews: op.Reviews})
	case "text":
		fmt.Fprintln(out, operatingHeader(op))
		writeReviews(out, op.Reviews)
		if len(drifting) == 0 {
			fmt.Fprintf(out, "No control is drifting: all %d controls are on cadence so far.\n", len(op.Controls))
			return nil
		}
		fmt.Fprintf(out, "%d of %d controls drifting:\n", len(drifting), len(op.Controls))
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CONTROL\tOWNER\tLEVEL\tTELLS\tMISSED\tLATE\tOVERDUE\tRETRO\tDAYS SINCE EVIDENCE\tSTREAK\tWHY")
		for _, c := range drifting {
			d := c.Drift
			tells := make([]string, len(d.Tell))
			for i, r := range d.Tell {
				tells[i] = string(r)
			}
			since := strconv.Itoa(d.DaysSinceEvidence)
			if d.LastEvidence == nil {
				since += " (none yet)"
			}
			why := ""
			if len(d.Reasons) > 0 {
				why = d.Reasons[0]
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\t%d\t%s\n", c.ControlID, orDash(c.Owner), d.Level,
				strings.Join(tells, ", "), d.Missed, d.Late, d.Overdue, d.Retrospective, since, d.Streak, why)
			// Further reasons on their own lines under WHY (empty cells keep
			// the columns aligned).
			for _, r := range distinctReasons(d.Reasons)[min(1, len(d.Reasons)):] {
				fmt.Fprintf(tw, "%s%s\n", strings.Repeat("\t", 10), r)
			}
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format must be text or json, not %q", format)
}

// writeReviews prints the quarterly reviews line and what needs attention:
// reviews overdue (and who has been told) and reviews that reported a change.
func writeReviews(out io.Writer, r reports.Reviews) {
	if r.Asked == 0 {
		return
	}
	fmt.Fprintf(out, "Quarterly reviews: %d asked, %d done on time, %d done late, %d overdue, %d reported a change\n",
		r.Asked, r.Done, r.DoneLate, len(r.Overdue), len(r.Changed))
	for _, it := range r.Overdue {
		fmt.Fprintf(out, "  overdue  %s  %s  due %s  told: %s\n", it.Key, it.Owner, it.Due.Format("2006-01-02"), orDash(it.Told))
	}
	for _, it := range r.Changed {
		fmt.Fprintf(out, "  changed  %s  %s  %q\n", it.Key, it.Owner, it.Note)
	}
}

// distinctReasons drops a reason that an earlier one already says (the
// same occurrence "is missed" after "is missed and the quarter closes …").
func distinctReasons(rs []string) []string {
	var out []string
	for _, r := range rs {
		said := false
		for _, prev := range out {
			if strings.HasPrefix(prev, r) {
				said = true
				break
			}
		}
		if !said {
			out = append(out, r)
		}
	}
	return out
}
