package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/load"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// newLoadCmd is `starter load`: what an engagement asks each owner, month
// by month, question by question and in owner batches.
func newLoadCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "load ENGAGEMENT-OR-SPEC [--format table|json]",
		Short: "Show per owner and month the questions asked and the minutes they take",
		Long: `Shows, for each control owner and each month of the operating window, the
questions Steadfast asks (evidence requests and control reviews), the
messages they arrive in and the minutes answering them takes (an estimate:
` + fmt.Sprintf("%d min per evidence request, %d per review, %d per message opened", load.EvidenceMinutes, load.ReviewMinutes, load.SwitchMinutes) + `),
both question by question and in owner batches (a quarter's reviews as one
checklist, a week's evidence requests as one batch, reviews thinned by the
spec's review_policy), which is how the scheduler asks.

The argument is a spec file (planned from today) or an engagement ID (read
from DATABASE_URL).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" {
				return fmt.Errorf("--format must be table or json, not %q", format)
			}
			req := engagement.LoadRequest{EngagementID: args[0]}
			svc := &engagement.Service{}
			if st, err := os.Stat(args[0]); err == nil && !st.IsDir() {
				spec, err := compliance.LoadSpec(args[0])
				if err != nil {
					return err
				}
				req.Spec = spec
			} else {
				s, done, err := openService(cmd, needStore)
				if err != nil {
					return err
				}
				defer done()
				svc = s
			}
			v, err := svc.Load(cmd.Context(), req)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), v)
			}
			printLoad(cmd.OutOrStdout(), v)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format: table or json")
	return cmd
}

func printLoad(out io.Writer, v engagement.LoadView) {
	fmt.Fprintf(out, "%s — operating window %s to %s\n\n", v.EngagementID, v.WindowStart, v.WindowEnd)
	type key struct{ owner, month string }
	batched := map[key]load.OwnerMonth{}
	for _, m := range v.Batched {
		batched[key{m.Owner, m.Month}] = m
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "owner\tmonth\tquestions\tmessages\tminutes\t\tquestions\tmessages\tminutes\t")
	fmt.Fprintln(tw, "\t\tone by one\t\t\t\tin batches\t\t\t")
	row := func(owner, month string, a, b load.OwnerMonth) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t\t%d\t%d\t%d\t\n", owner, month, a.Questions, a.Messages, a.Minutes, b.Questions, b.Messages, b.Minutes)
	}
	seen := map[key]bool{}
	for _, a := range v.Alone {
		k := key{a.Owner, a.Month}
		seen[k] = true
		row(a.Owner, a.Month, a, batched[k])
	}
	for _, b := range v.Batched {
		if !seen[key{b.Owner, b.Month}] {
			row(b.Owner, b.Month, load.OwnerMonth{}, b)
		}
	}
	totals := map[string]load.OwnerMonth{}
	for _, t := range v.BatchedTotal {
		totals[t.Owner] = t
	}
	for _, t := range v.AloneTotals {
		row(t.Owner, "total", t, totals[t.Owner])
	}
	_ = tw.Flush()
}
