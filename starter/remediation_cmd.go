package main

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newRemediationCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "remediation ENGAGEMENT",
		Short: "List the engagement's remediation items (one per gap)",
		Long: `Lists one item per gap in rank order: owner, due date, Jira ticket (when Jira is
configured), status (open, verified, accepted, withdrawn) and the evidence that
closed it — or, for a gap withdrawn because an approved tailoring change took
its control out of scope, the note naming the change and who approved it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Remediation(cmd.Context(), engagement.RemediationRequest{EngagementID: args[0]})
			if err != nil {
				return err
			}
			items := res.Items
			out := cmd.OutOrStdout()
			if format == "json" {
				return writeJSON(out, items)
			}
			if len(items) == 0 {
				fmt.Fprintf(out, "No remediation items for %s yet.\n", args[0])
				return nil
			}
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ITEM\tRANK\tOWNER\tDUE\tTICKET\tSTATUS\tEVIDENCE / NOTE")
			for _, it := range items {
				rank := strconv.Itoa(it.Rank)
				if was, ok := res.ComputedRank[it.ControlID]; ok {
					rank = fmt.Sprintf("%d (was %d)", it.Rank, was)
				}
				fmt.Fprintf(tw, "%s/%s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.EngagementID, it.ControlID, rank, it.OwnerEmail,
					it.Due.Format("2006-01-02"), orDash(it.TicketKey), it.Status, orDash(engagement.ItemEvidence(it)))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.AddCommand(newRemediationDoneCmd())
	return cmd
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newRemediationDoneCmd() *cobra.Command {
	var by, evidence string
	cmd := &cobra.Command{
		Use:   "done ENGAGEMENT CONTROL --as EMAIL --evidence URL",
		Short: "Close a remediation item with the evidence that the control now operates",
		Long: `Closes a gap: only its owner, the lead or a lead delegate may, and only with a
link to the evidence the auditor will sample. The item is named as everywhere
else: ENGAGEMENT CONTROL (ENGAGEMENT/CONTROL, as listed, works too).`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			eng, control, err := itemArgs(args)
			if err != nil {
				return err
			}
			st, err := svc.CompleteGap(cmd.Context(), engagement.CompleteGapRequest{Item: eng + "/" + control, Evidence: evidence, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s/%s is %s\n", eng, control, st.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email")
	cmd.Flags().StringVar(&evidence, "evidence", "", "link to the evidence")
	_ = cmd.MarkFlagRequired("as")
	_ = cmd.MarkFlagRequired("evidence")
	return cmd
}

// itemArgs reads a gap named ENGAGEMENT CONTROL or ENGAGEMENT/CONTROL: the
// commands that name a gap take both, so none has its own convention.
func itemArgs(args []string) (engagementID, controlID string, err error) {
	switch {
	case len(args) == 2 && !strings.Contains(args[0], "/"):
		return args[0], args[1], nil
	case len(args) == 1:
		if eng, control, ok := strings.Cut(args[0], "/"); ok && eng != "" && control != "" && !strings.Contains(control, "/") {
			return eng, control, nil
		}
	}
	return "", "", fmt.Errorf("name the gap as ENGAGEMENT CONTROL (e.g. brightlane OPS-15) or ENGAGEMENT/CONTROL, not %q", strings.Join(args, " "))
}
