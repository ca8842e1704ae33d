package main

import (
	"fmt"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newGapsCmd() *cobra.Command {
	var format string
	var all bool
	cmd := &cobra.Command{
		Use:   "gaps ENGAGEMENT [--format table|json|csv]",
		Short: "Show the gap register, ranked by what fails an audit first",
		Long: `Shows the ranked gap register built when the gap assessment finished: each gap's
rank (a lead's override wins), status, owner, how exposed it is to sampling, and
the reasons for its rank. --all includes controls that are not gaps.

PLANNED SAMPLE is the auditor's sample for the control over the whole period,
sized by its frequency, its own risk, whether a system performs it and any count
its description names. Readiness and the evidence pack plan the same figure and
show what they could draw so far as "N of PLANNED" while fewer occurrences have
fallen due.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Gaps(cmd.Context(), engagement.GapsRequest{EngagementID: args[0], All: all})
			if err != nil {
				return err
			}
			if err := writeRegister(cmd.OutOrStdout(), format, args[0], res.Register); err != nil {
				return err
			}
			if format == "table" {
				writeVendorGaps(cmd.OutOrStdout(), args[0], res.Vendors)
			}
			return nil
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
		_ = w.Write([]string{"rank", "override_rank", "control_id", "title", "status", "gap", "accepted", "owner", "frequency", "planned_sample_size", "frameworks", "requirements", "score", "reasons"})
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
		fmt.Fprintln(tw, "RANK\tCONTROL\tSTATUS\tOWNER\tFREQUENCY\tPLANNED SAMPLE\tFRAMEWORKS\tWHY")
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
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, control, err := itemArgs(args)
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			_, err = svc.DecideGap(cmd.Context(), engagement.DecideGapRequest{EngagementID: eng, ControlID: control, Accept: accept,
				Rank: rank, Reason: reason, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			if accept {
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
