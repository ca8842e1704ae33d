package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newEvidenceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Record evidence outside a prompt, or correct what was given"}
	cmd.AddCommand(newEvidenceAddCmd())
	return cmd
}

func newEvidenceAddCmd() *cobra.Command {
	var by, link, note string
	var corrects int64
	cmd := &cobra.Command{
		Use:   "add ENGAGEMENT OCCURRENCE (--link URL | --note TEXT) --as EMAIL [--corrects ID]",
		Short: "Add evidence for one occurrence of a control (e.g. ACC-08/2027-03)",
		Long: `Appends evidence for an occurrence, stamped with now. Evidence given after the
occurrence's grace period is counted as raised retrospectively — that is what an
auditor sees, and it is recorded as such; a missed occurrence stays missed in the
on-time record. --corrects ID adds a correction that points at an earlier row
(nothing is ever overwritten). Only the control's owner, the lead or a lead
delegate may add evidence.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.AddEvidence(cmd.Context(), engagement.AddEvidenceRequest{EngagementID: args[0], OccurrenceKey: args[1],
				Link: link, Note: note, Corrects: corrects, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Recorded evidence %d for %s (%s, due %s): %s\n", res.ID, args[1], res.Kind, res.Due.Format("2006-01-02 15:04 MST"), res.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email")
	cmd.Flags().StringVar(&link, "link", "", "link to the evidence")
	cmd.Flags().StringVar(&note, "note", "", "an attestation, when there is no link")
	cmd.Flags().Int64Var(&corrects, "corrects", 0, "the evidence ID this corrects")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
