package main

import (
	"fmt"
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
configured), status (open, verified, accepted) and the evidence that closed it.`,
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
			fmt.Fprintln(tw, "ITEM\tRANK\tOWNER\tDUE\tTICKET\tSTATUS\tEVIDENCE")
			for _, it := range items {
				fmt.Fprintf(tw, "%s/%s\t%d\t%s\t%s\t%s\t%s\t%s\n", it.EngagementID, it.ControlID, it.Rank, it.OwnerEmail,
					it.Due.Format("2006-01-02"), orDash(it.TicketKey), it.Status, orDash(it.EvidenceLink))
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
		Use:   "done ITEM --as EMAIL --evidence URL",
		Short: "Close a remediation item with the evidence that the control now operates",
		Long: `Closes a gap: only its owner, the lead or a lead delegate may, and only with a
link to the evidence the auditor will sample. ITEM is ENGAGEMENT/CONTROL.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			st, err := svc.CompleteGap(cmd.Context(), engagement.CompleteGapRequest{Item: args[0], Evidence: evidence, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is %s\n", args[0], st.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email")
	cmd.Flags().StringVar(&evidence, "evidence", "", "link to the evidence")
	_ = cmd.MarkFlagRequired("as")
	_ = cmd.MarkFlagRequired("evidence")
	return cmd
}
