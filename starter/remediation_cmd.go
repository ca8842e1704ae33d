package main

import (
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
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
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			items, err := store.Items(cmd.Context(), args[0])
			if err != nil {
				return err
			}
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

// itemWorkflowID accepts ENGAGEMENT/CONTROL or the full item ID.
func itemWorkflowID(item string) (string, error) {
	if strings.HasPrefix(item, "engagement/") {
		return item, nil
	}
	eng, control, ok := strings.Cut(item, "/")
	if !ok || eng == "" || control == "" {
		return "", fmt.Errorf("item %q: write it as ENGAGEMENT/CONTROL (see `starter remediation ENGAGEMENT`)", item)
	}
	return workflows.GapWorkflowID(eng, control), nil
}

func newRemediationDoneCmd() *cobra.Command {
	var req workflows.CompleteGapRequest
	cmd := &cobra.Command{
		Use:   "done ITEM --as EMAIL --evidence URL",
		Short: "Close a remediation item with the evidence that the control now operates",
		Long: `Closes a gap: only its owner, the lead or a lead delegate may, and only with a
link to the evidence the auditor will sample. ITEM is ENGAGEMENT/CONTROL.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := itemWorkflowID(args[0])
			if err != nil {
				return err
			}
			cfg := config.FromEnv()
			tc, err := cfg.DialTemporal(cfg.Logger())
			if err != nil {
				return err
			}
			defer tc.Close()
			req.Actor, req.By = identity.CLIActor(req.By), ""
			h, err := tc.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{
				WorkflowID: id, UpdateID: "cli/" + id + "/" + req.Actor.Person + "/" + req.Evidence,
				UpdateName: workflows.UpdateCompleteGap, Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			var nf *serviceerror.NotFound
			if errors.As(err, &nf) {
				return fmt.Errorf("%s is not open (closed already, or no such gap)", args[0])
			}
			if err != nil {
				return fmt.Errorf("close %s: %w", args[0], err)
			}
			var st workflows.GapRemediationState
			if err := h.Get(cmd.Context(), &st); err != nil {
				return fmt.Errorf("close %s: %w", args[0], err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s is %s\n", args[0], st.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&req.By, "as", "", "your email")
	cmd.Flags().StringVar(&req.Evidence, "evidence", "", "link to the evidence")
	_ = cmd.MarkFlagRequired("as")
	_ = cmd.MarkFlagRequired("evidence")
	return cmd
}
