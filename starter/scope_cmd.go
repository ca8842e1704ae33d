package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

func newScopeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "scope",
		Short: "Decide or revise an engagement's scope",
	}
	cmd.AddCommand(newDecideCmd(workflows.DecisionApprove), newDecideCmd(workflows.DecisionReject), newReviseCmd(), newAddSystemCmd(), newTailorCmd(), newScopeStatementCmd())
	return cmd
}

func newDecideCmd(decision string) *cobra.Command {
	var by, reason string
	var revision int
	cmd := &cobra.Command{
		Use:   decision + " ENGAGEMENT --as EMAIL [--reason TEXT]",
		Short: map[string]string{workflows.DecisionApprove: "Sign the scope off (lead or lead delegate)", workflows.DecisionReject: "Reject the scope with a reason (lead or lead delegate)"}[decision],
		Long: `Records the lead's decision on the current scope revision. Only the lead or a
lead delegate named in the spec may decide; a rejection needs a reason; a scope
already decided cannot be decided again. Running the same command twice records
one decision.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if decision == workflows.DecisionReject && strings.TrimSpace(reason) == "" {
				return fmt.Errorf("a rejection needs a reason the consultant can act on: add --reason \"what to change\"")
			}
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			d, err := svc.DecideScope(cmd.Context(), engagement.DecideScopeRequest{
				EngagementID: args[0], Decision: decision, Reason: reason, Revision: revision, Actor: cliActor(by),
			})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Scope revision %d of %s %s by %s at %s\n", d.Revision, args[0], pastTense(d.Decision), d.By, d.At.Format("2006-01-02 15:04 MST"))
			if d.Decision == workflows.DecisionReject {
				fmt.Fprintf(cmd.OutOrStdout(), "The consultant revises it with: starter scope revise %s -f SPEC.yaml\n", args[0])
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email, as named in the spec")
	cmd.Flags().StringVar(&reason, "reason", "", "why (required to reject)")
	cmd.Flags().IntVar(&revision, "revision", 0, "the spec revision you reviewed (default: the current one)")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func newReviseCmd() *cobra.Command {
	var file, by string
	cmd := &cobra.Command{
		Use:   "revise ENGAGEMENT -f SPEC.yaml",
		Short: "Send a revised spec after the scope was rejected",
		Long: `Parses the revised spec and hands it to the engagement, which re-checks the
scope risks, re-plans and asks the lead to decide again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := catalog.LoadSpec(file)
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.ReviseScope(cmd.Context(), engagement.ReviseScopeRequest{EngagementID: args[0], Spec: spec, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Spec revision %d of %s is being assessed; check it with: starter status %s\n", res.Revision, args[0], args[0])
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the revised spec (YAML)")
	cmd.Flags().StringVar(&by, "as", defaultUser(), "who is revising the scope")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}
