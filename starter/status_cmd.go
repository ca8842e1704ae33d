package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newStatusCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "status ENGAGEMENT",
		Short: "Show an engagement's phase, plan, scope risks and who it is waiting on",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal|needStore)
			if err != nil {
				return err
			}
			defer done()
			st, err := svc.StatusReport(cmd.Context(), engagement.StatusRequest{EngagementID: args[0]})
			if err != nil {
				return err
			}
			switch format {
			case "json":
				return writeJSON(cmd.OutOrStdout(), st)
			case "text":
				printStatus(cmd.OutOrStdout(), st)
				return nil
			}
			return fmt.Errorf("--format must be text or json, not %q", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func printStatus(out io.Writer, st engagement.StatusView) {
	fmt.Fprintf(out, "%s — %s\n", st.EngagementID, st.Client)
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "Phase\t%s (spec revision %d)\n", st.Phase, st.Revision)
	fmt.Fprintf(tw, "Frameworks\t%s\n", strings.Join(st.Frameworks, ", "))
	fmt.Fprintf(tw, "Audit date\t%s\n", st.AuditDate)
	if a := st.Assessment; a != nil {
		fmt.Fprintf(tw, "Assessment\t%d of %d controls answered, %d unanswered\n", a.Answered, a.Controls, a.Unanswered)
	}
	if r := st.Readiness; r != nil {
		fmt.Fprintf(tw, "Readiness\t%d findings: %d fixed, %d accepted as known exceptions, %d undecided (`starter findings %s`)\n",
			r.Findings, r.Fixed, r.Accepted, r.Undecided, st.EngagementID)
	}
	if st.AuditRequests > 0 {
		fmt.Fprintf(tw, "Audit requests\t%d routed to owners (`starter audit requests %s`)\n", st.AuditRequests, st.EngagementID)
	}
	for _, c := range st.Changes {
		fmt.Fprintf(tw, "Tailoring change\t%s, %s by %s; controls assessed again: %s\n", c.ID, c.Status, c.By, orNone(c.NewControls))
	}
	for _, c := range st.Certifications {
		hint := ""
		if st.Phase == compliance.PhaseProgramme {
			hint = fmt.Sprintf("(`starter programme %s`)", st.EngagementID)
		}
		fmt.Fprintf(tw, "Certified\t%s on %s %s%s\n", c.Framework, c.Date, reportPeriod(c.ReportPeriod), hint)
	}
	switch {
	case st.Phase.Before(compliance.PhaseOperating):
	case st.OnTimeRate == nil:
		fmt.Fprintf(tw, "On time\tn/a: no evidence has fallen due yet in the window (`starter coverage %s`)\n", st.EngagementID)
	default:
		fmt.Fprintf(tw, "On time\t%.1f%% (%d of %d due so far in the window; `starter coverage %s`)\n", 100**st.OnTimeRate, st.OnTime, st.Due, st.EngagementID)
	}
	if st.GapsFound > 0 {
		open := st.GapsFound - st.Verified - st.Accepted - st.Withdrawn
		fmt.Fprintf(tw, "Gaps\t%d found: %d open, %d closed with evidence, %d accepted", st.GapsFound, open, st.Verified, st.Accepted)
		if st.Withdrawn > 0 {
			fmt.Fprintf(tw, ", %d withdrawn by a tailoring change (`starter remediation %s`)", st.Withdrawn, st.EngagementID)
		}
		if open > 0 && !st.RemediationDue.IsZero() && time.Now().After(st.RemediationDue) {
			fmt.Fprintf(tw, " — %d overdue (due %s)", open, st.RemediationDue.Format("2006-01-02"))
		}
		fmt.Fprintln(tw)
	}
	for _, c := range st.ChangeRemediations {
		fmt.Fprintf(tw, "Change remediation\t%s: %d open, %d closed with evidence, %d accepted", c.Change, c.Open, c.Closed, c.Accepted)
		if c.Withdrawn > 0 {
			fmt.Fprintf(tw, ", %d withdrawn by a later change", c.Withdrawn)
		}
		fmt.Fprintf(tw, "; owners %s; due %s", orNone(c.Owners), c.Due.Format("2006-01-02"))
		if c.Overdue > 0 {
			fmt.Fprintf(tw, " — %d overdue", c.Overdue)
		}
		fmt.Fprintf(tw, " (`starter remediation %s`)\n", st.EngagementID)
	}
	if n := st.Vendors; n != nil {
		fmt.Fprintf(tw, "Vendors\t%d (%d relied on): vendor work %d open, %d overdue, %d needing action, %d done (`starter vendors %s`)\n",
			n.Vendors, n.ReliedOn, n.Open, n.Overdue, n.NeedsAction, n.Done, st.EngagementID)
	}
	printScrutiny(tw, st.EngagementID, st.Scrutiny)
	if len(st.WaitingOn) > 0 {
		fmt.Fprintf(tw, "Waiting on\t%s — %s\n", strings.Join(st.WaitingOn, ", "), st.WaitingFor)
	} else if st.WaitingFor != "" {
		fmt.Fprintf(tw, "Waiting for\t%s\n", st.WaitingFor)
	}
	tw.Flush()
	if p := st.Plan; p != nil {
		fmt.Fprintf(out, "\nPlan (business days, %s):\n", p.TimeZone)
		tw = tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "  Gap assessment\t%s\n", p.GapAssessment)
		fmt.Fprintf(tw, "  Remediation\t%s\n", p.Remediation)
		fmt.Fprintf(tw, "  Operating period\t%s (%d months)\n", p.Operating, p.Operating.Months())
		if w := st.OperatingWindow; !w.Start.IsZero() && w != p.Operating {
			fmt.Fprintf(tw, "  Evidence window\t%s (what coverage, drift and readiness report on)\n", w)
		}
		fmt.Fprintf(tw, "  Readiness review\t%s\n", p.Readiness)
		fmt.Fprintf(tw, "  Audit fieldwork\t%s\n", p.Fieldwork)
		fmt.Fprintf(tw, "  Latest start\t%s\n", p.LatestStart)
		tw.Flush()
		if !p.Fits {
			fmt.Fprintf(out, "  The plan does not fit: %s\n", strings.Join(p.Problems, "; "))
		}
	}
	fmt.Fprintf(out, "\nScope risks (%d):\n", len(st.Risks))
	for _, r := range st.Risks {
		sys := ""
		if len(r.Systems) > 0 {
			sys = " [" + strings.Join(r.Systems, ", ") + "]"
		}
		fmt.Fprintf(out, "  %-6s %s%s\n         %s\n", strings.ToUpper(string(r.Severity)), r.Rule, sys, r.Message)
	}
	if len(st.Decisions) > 0 {
		fmt.Fprintln(out, "\nScope decisions:")
		for _, d := range st.Decisions {
			fmt.Fprintf(out, "  revision %d %s by %s via %s at %s", d.Revision, pastTense(d.Decision), d.By, d.Channel, d.At.Format("2006-01-02 15:04 MST"))
			if d.Reason != "" {
				fmt.Fprintf(out, ": %s", d.Reason)
			}
			fmt.Fprintln(out)
		}
	}
}

// reportPeriod shows a SOC 2 report's period, when there is one.
func reportPeriod(p compliance.Span) string {
	if p.Start.IsZero() {
		return ""
	}
	return "for " + p.Start.String() + " to " + p.End.String() + " "
}

// orNone lists ids, or says there are none.
func orNone(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return strings.Join(ids, ", ")
}
