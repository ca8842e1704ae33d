package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// newCertifiedCmd records a report or certificate.
func newCertifiedCmd() *cobra.Command {
	var framework, date, period, reference, by, format string
	var issued issuedFlags
	cmd := &cobra.Command{
		Use:   "certified ENGAGEMENT --framework soc2|iso27001|pci-dss --date YYYY-MM-DD [--report-period START..END] [--reference REF] [--opinion O [--exceptions FILE] [--report-file FILE]] --as EMAIL",
		Short: "Record the report or certificate; the engagement becomes a running programme",
		Long: `Records a SOC 2 report (with its report period), an ISO 27001 certificate or a
PCI DSS attestation of compliance, once the audit is under way or done. The lead,
a lead delegate or the consultant may record it. The engagement then becomes the
certified programme: the next Type II window, or the surveillance audits and
recertification, are planned from the certification date; evidence and
quarterly reviews carry on. Recording the same certification twice records it
once.

With --opinion it also records what the report says: the auditor's opinion
(unqualified, qualified, adverse or disclaimer) and every exception it lists
(--exceptions: a CSV with ref,description,management_response, or YAML; every
bad line is reported and nothing is recorded). Each exception is marked as
accepted beforehand (the lead accepted a gap or a finding on a control it
touches) or a surprise, which is called out to the lead and the sponsor and
becomes a finding for the next cycle. --report-file keeps the report itself
in the evidence store. Each control owner is then asked to read their
sections (see 'starter report').`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := parseCertification(framework, date, period, reference)
			if err != nil {
				return err
			}
			rep, err := issued.request(args[0], c, cliActor(by))
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			st, err := svc.Certify(cmd.Context(), engagement.CertifyRequest{EngagementID: args[0], Certification: c, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			if rep != nil {
				return recordIssued(cmd, svc, format, st, rep)
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: %s certified on %s is recorded; the engagement is %s.\n", args[0], c.Framework, c.Date, st.Phase)
			return nil
		},
	}
	cmd.Flags().StringVar(&framework, "framework", "", "soc2, iso27001 or pci-dss")
	cmd.Flags().StringVar(&date, "date", "", "the report, certification or attestation date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&period, "report-period", "", "a SOC 2 report's period, START..END (YYYY-MM-DD..YYYY-MM-DD)")
	cmd.Flags().StringVar(&reference, "reference", "", "the report or certificate number")
	issued.register(cmd)
	cmd.Flags().StringVar(&by, "as", "", "who records it (lead, lead delegate or consultant)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	_ = cmd.MarkFlagRequired("framework")
	_ = cmd.MarkFlagRequired("date")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

// parseCertification reads the certified command's flags.
func parseCertification(framework, date, period, reference string) (postcert.Certification, error) {
	c := postcert.Certification{Framework: compliance.FrameworkID(strings.ToLower(framework)), Reference: reference}
	d, err := compliance.ParseDate(date)
	if err != nil {
		return c, fmt.Errorf("--date: %w", err)
	}
	c.Date = d
	if period != "" {
		a, b, ok := strings.Cut(period, "..")
		if !ok {
			return c, fmt.Errorf("--report-period %q: want START..END", period)
		}
		start, err := compliance.ParseDate(a)
		if err != nil {
			return c, fmt.Errorf("--report-period start: %w", err)
		}
		end, err := compliance.ParseDate(b)
		if err != nil {
			return c, fmt.Errorf("--report-period end: %w", err)
		}
		if end.Before(start) {
			return c, fmt.Errorf("--report-period ends %s before it starts %s", end, start)
		}
		c.ReportPeriod = compliance.Span{Start: start, End: end}
	}
	return c, nil
}

// newAddSystemCmd brings a system into a certified programme's scope.
func newAddSystemCmd() *cobra.Command {
	var file, by, format string
	cmd := &cobra.Command{
		Use:   "add-system ENGAGEMENT -f SYSTEM.yaml --as EMAIL",
		Short: "Bring a new system into a certified programme's scope",
		Long: `Reads one system (the same fields as a spec's systems: entry), runs the scope-risk
rules on it, and shows the risks and the controls that would newly apply. The lead
is asked to approve it; once approved, the new controls are assessed with their
owners and join the evidence cadence. Errors in the file are reported with
file:line:column.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			data, err := os.ReadFile(file)
			if err != nil {
				return fmt.Errorf("read system: %w", err)
			}
			sys, err := postcert.ParseSystem(file, data)
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			ch, err := svc.AddSystem(cmd.Context(), engagement.AddSystemRequest{EngagementID: args[0], System: sys, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			return writeChange(cmd.OutOrStdout(), format, ch)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the system's YAML")
	cmd.Flags().StringVar(&by, "as", "", "who proposes it (lead, lead delegate or consultant)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

// newFrameworkCmd adds a framework to a certified programme.
func newFrameworkCmd() *cobra.Command {
	var by, version, format string
	add := &cobra.Command{
		Use:   "add ENGAGEMENT soc2|iso27001|pci-dss --as EMAIL [--version V]",
		Short: "Add a framework to a certified programme; only what is new is assessed",
		Long: `Runs the control-library delta for the framework against the programme's scope
and assesses only the controls that are new (their owners are asked, as in the
gap assessment); they then join the evidence cadence. See 'catalog delta' for the
same delta without changing anything.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			ch, err := svc.AddFramework(cmd.Context(), engagement.AddFrameworkRequest{EngagementID: args[0],
				Framework: compliance.Framework{ID: compliance.FrameworkID(args[1]), Version: version}, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			return writeChange(cmd.OutOrStdout(), format, ch)
		},
	}
	add.Flags().StringVar(&by, "as", "", "who adds it (lead, lead delegate or consultant)")
	add.Flags().StringVar(&version, "version", "", "the framework version (default: the library's)")
	add.Flags().StringVar(&format, "format", "text", "text or json")
	_ = add.MarkFlagRequired("as")
	cmd := &cobra.Command{Use: "framework", Short: "Change a certified programme's frameworks"}
	cmd.AddCommand(add)
	return cmd
}

func writeChange(out io.Writer, format string, ch workflows.ScopeChange) error {
	if format == "json" {
		return writeJSON(out, ch)
	}
	what := "newly apply"
	if ch.Tailoring != nil {
		what = "to assess again"
	}
	fmt.Fprintf(out, "%s proposed by %s: %d controls %s (%s); status %s.\n", ch.ID, ch.By, len(ch.NewControls), what,
		orDash(strings.Join(ch.NewControls, ", ")), ch.Status)
	for _, r := range ch.Risks {
		fmt.Fprintf(out, "  risk (%s): %s\n", r.Severity, r.Message)
	}
	return nil
}

// newProgrammeCmd shows the certified programme.
func newProgrammeCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "programme ENGAGEMENT [--format text|json]",
		Short: "The certified programme: its cycle, window, milestones and scope changes",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			st, err := svc.Programme(cmd.Context(), engagement.ProgrammeRequest{EngagementID: args[0]})
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "%s: cycle %d, operating window %s\n", args[0], st.Cycle, st.Window)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "FRAMEWORK\tMILESTONE\tSTART\tDUE\tNOTE")
			for _, m := range st.Milestones {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", orDash(string(m.Framework)), m.Kind, m.Start, m.Due, m.Note)
			}
			if err := tw.Flush(); err != nil {
				return err
			}
			for _, ch := range st.Changes {
				fmt.Fprintf(out, "scope change %s: %s (%d new controls, %d gaps)\n", ch.ID, ch.Status, len(ch.NewControls), ch.Gaps)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}
