package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
)

func newGapsCmd() *cobra.Command {
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "gaps ENGAGEMENT [--format table|json|csv]",
		Short: "Show the gap register, ranked by what fails an audit first",
		Long: `Shows the ranked gap register built when the gap assessment finished: each gap's
rank (a lead's override wins), status, owner, how exposed it is to sampling, and
the reasons for its rank. --all includes controls that are not gaps.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			reg, err := store.Register(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if !all {
				reg = slices.DeleteFunc(reg, func(e postgres.GapEntry) bool { return !e.Gap })
			}
			return writeRegister(cmd.OutOrStdout(), format, args[0], reg)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json or csv")
	cmd.Flags().BoolVar(&all, "all", false, "include controls that are not gaps")
	cmd.AddCommand(newGapDecisionCmd(false), newGapDecisionCmd(true))
	return cmd
}

func writeRegister(out io.Writer, format, engagement string, reg []postgres.GapEntry) error {
	switch format {
	case "json":
		return writeJSON(out, reg)
	case "csv":
		w := csvsafe.NewWriter(out)
		_ = w.Write([]string{"rank", "override_rank", "control_id", "title", "status", "gap", "accepted", "owner", "frequency", "sample_size", "frameworks", "requirements", "score", "reasons"})
		for _, e := range reg {
			over := ""
			if e.OverrideRank != nil {
				over = strconv.Itoa(*e.OverrideRank)
			}
			_ = w.Write([]string{strconv.Itoa(e.Rank), over, e.ControlID, e.Title, e.Status, strconv.FormatBool(e.Gap),
				strconv.FormatBool(e.Accepted), e.OwnerEmail, e.Frequency, strconv.Itoa(e.SampleSize),
				strings.Join(e.Frameworks, " "), strconv.Itoa(e.Requirements), strconv.Itoa(e.Score), strings.Join(e.Reasons, "; ")})
		}
		w.Flush()
		return w.Error()
	case "table":
		if len(reg) == 0 {
			fmt.Fprintf(out, "No gap register for %s yet: it is built when the gap assessment finishes (see `starter status %s`).\n", engagement, engagement)
			return nil
		}
		tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "RANK\tCONTROL\tSTATUS\tOWNER\tFREQUENCY\tSAMPLE\tFRAMEWORKS\tWHY")
		for _, e := range reg {
			rank := strconv.Itoa(e.Rank)
			if e.OverrideRank != nil {
				rank = fmt.Sprintf("%d (was %d)", *e.OverrideRank, e.Rank)
			}
			status := e.Status
			if e.Accepted {
				status += " (accepted)"
			}
			why := ""
			if len(e.Reasons) > 0 {
				why = e.Reasons[0]
			}
			fmt.Fprintf(tw, "%s\t%s %s\t%s\t%s\t%s\t%d\t%s\t%s\n", rank, e.ControlID, e.Title, status, e.OwnerEmail,
				e.Frequency, e.SampleSize, strings.Join(e.Frameworks, ","), why)
		}
		return tw.Flush()
	}
	return fmt.Errorf("--format must be table, json or csv, not %q", format)
}

// newGapDecisionCmd is `gaps override` (accept=false) or `gaps accept`.
func newGapDecisionCmd(accept bool) *cobra.Command {
	var by, reason string
	var rank int
	use, short := "override ENGAGEMENT CONTROL --rank N --as EMAIL --reason TEXT", "Override a gap's rank (lead or lead delegate)"
	if accept {
		use, short = "accept ENGAGEMENT CONTROL --as EMAIL --reason TEXT", "Accept a gap as a known exception (lead or lead delegate)"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Long: short + `. The decision, who made it, when and why are recorded
beside the computed rank, which stays visible.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, control := args[0], args[1]
			switch {
			case strings.TrimSpace(reason) == "":
				return errors.New("--reason is required: say why, for the record")
			case !accept && rank < 1:
				return errors.New("--rank must be a positive rank")
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			roles, err := store.PersonRoles(cmd.Context(), eng, by)
			if errors.Is(err, postgres.ErrNotFound) {
				return fmt.Errorf("%s is not named in engagement %s", by, eng)
			}
			if err != nil {
				return err
			}
			if !slices.Contains(roles, string(compliance.RoleLead)) && !slices.Contains(roles, string(compliance.RoleLeadDelegate)) {
				return fmt.Errorf("%s may not decide on gaps: only the lead or a lead delegate may", by)
			}
			at := time.Now().UTC()
			err = store.RecordGapDecision(cmd.Context(), postgres.GapDecision{
				EngagementID: eng, ControlID: control, OverrideRank: rank, Accept: accept, Reason: reason, By: by,
				UpdateID: at.Format(time.RFC3339Nano), At: at,
			})
			if err != nil {
				return err
			}
			if accept {
				// Stop chasing it: tell its remediation, if it is running.
				if err := signalAccept(cmd, eng, control, by, reason); err != nil {
					return err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "Gap %s of %s accepted by %s: %s\n", control, eng, by, reason)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Gap %s of %s now ranks %d (set by %s: %s)\n", control, eng, rank, by, reason)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email, as named in the spec")
	cmd.Flags().StringVar(&reason, "reason", "", "why")
	if !accept {
		cmd.Flags().IntVar(&rank, "rank", 0, "the rank it should have")
	}
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func signalAccept(cmd *cobra.Command, eng, control, by, reason string) error {
	cfg := config.FromEnv()
	tc, err := cfg.DialTemporal(cfg.Logger())
	if err != nil {
		return err
	}
	defer tc.Close()
	id := workflows.GapWorkflowID(eng, control)
	h, err := tc.UpdateWorkflow(cmd.Context(), client.UpdateWorkflowOptions{WorkflowID: id, UpdateID: "cli/accept/" + id,
		UpdateName: workflows.UpdateAcceptGap, Args: []any{workflows.AcceptGapRequest{Reason: reason, Actor: identity.CLIActor(by)}},
		WaitForStage: client.WorkflowUpdateStageCompleted})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return nil // remediation has not started, or the gap is closed: the register records it
	}
	if err == nil {
		err = h.Get(cmd.Context(), nil)
	}
	if err != nil {
		return fmt.Errorf("tell remediation of %s: %w", control, err)
	}
	return nil
}
