package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// newFindingsCmd lists the readiness review's findings with the lead's
// decisions and the fixes recorded.
func newFindingsCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "findings ENGAGEMENT [--format table|json]",
		Short: "The readiness review's findings: decision (fix or accept, with the reason), ticket, fix evidence",
		Long: `Lists every finding the stored readiness reviews made, ranked, with the lead's
latest decision on it. The lead decides through the finding's prompt (see
'starter prompts'; answer with 'starter answer PROMPT --choice fix|accept'); an
accepted finding is a known exception and appears as one in the evidence pack.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Findings(cmd.Context(), engagement.FindingsRequest{EngagementID: args[0]})
			if err != nil {
				return err
			}
			fs, fixes := res.Findings, res.Fixes
			if format == "json" {
				type row struct {
					Finding any `json:"finding"`
					Fix     any `json:"fix,omitempty"`
				}
				out := make([]row, 0, len(fs))
				for _, f := range fs {
					r := row{Finding: f}
					if fx, ok := fixes[f.FindingID]; ok {
						r.Fix = fx
					}
					out = append(out, r)
				}
				return writeJSON(cmd.OutOrStdout(), out)
			}
			if len(fs) == 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: no readiness findings recorded.\n", args[0])
				return nil
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "RANK\tFINDING\tSEVERITY\tDECISION\tBY\tREASON\tTICKET\tFIXED WITH")
			for _, f := range fs {
				fixed := "-"
				if fx, ok := fixes[f.FindingID]; ok {
					fixed = fx.Evidence
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Rank, f.FindingID, f.Severity, orDash(f.Decision), orDash(f.DecidedBy),
					orDash(f.Reason), orDash(f.RemediationItem), fixed)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table or json")
	return cmd
}
