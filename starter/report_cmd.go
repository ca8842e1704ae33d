package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// issuedFlags are the certified command's flags for what the report says.
type issuedFlags struct{ opinion, exceptions, file string }

func (f *issuedFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.opinion, "opinion", "", "the auditor's opinion: unqualified, qualified, adverse or disclaimer (records the issued report)")
	cmd.Flags().StringVar(&f.exceptions, "exceptions", "", "the report's exceptions: a .csv (ref,description,management_response) or .yaml file")
	cmd.Flags().StringVar(&f.file, "report-file", "", "the report or certificate itself, kept in the evidence store")
}

// issuedReport is the parsed flags: the request, and the file to open.
type issuedReport struct {
	req  engagement.RecordReportRequest
	file string
}

// request parses the flags before anything is sent: a bad exceptions file
// records neither the certification nor the report.
func (f *issuedFlags) request(id string, c postcert.Certification, actor compliance.Actor) (*issuedReport, error) {
	if f.opinion == "" {
		if f.exceptions != "" || f.file != "" {
			return nil, errors.New("--exceptions and --report-file describe the issued report: give its --opinion too")
		}
		return nil, nil
	}
	o, err := report.ParseOpinion(f.opinion)
	if err != nil {
		return nil, fmt.Errorf("--opinion: %w", err)
	}
	r := &issuedReport{req: engagement.RecordReportRequest{EngagementID: id, Framework: c.Framework, Date: c.Date, Opinion: o, Actor: actor}, file: f.file}
	if f.exceptions != "" {
		data, err := readBounded(f.exceptions, report.MaxExceptionsFile)
		if err != nil {
			return nil, fmt.Errorf("--exceptions: %w", err)
		}
		if r.req.Exceptions, err = report.ParseExceptions(f.exceptions, data); err != nil {
			return nil, err
		}
	}
	if err := report.CheckOpinion(o, len(r.req.Exceptions)); err != nil {
		return nil, err
	}
	if f.file != "" {
		if _, err := os.Stat(f.file); err != nil {
			return nil, fmt.Errorf("--report-file: %w", err)
		}
	}
	return r, nil
}

// readBounded reads a file of at most max bytes.
func readBounded(path string, max int64) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = fh.Close() }() // read only
	data, err := io.ReadAll(io.LimitReader(fh, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, max)
	}
	return data, nil
}

// recordIssued records the report after its certification and prints both.
func recordIssued(cmd *cobra.Command, svc *engagement.Service, format string, st workflows.EngagementStatus, r *issuedReport) error {
	if r.file != "" {
		fh, err := os.Open(r.file)
		if err != nil {
			return fmt.Errorf("--report-file: %w", err)
		}
		defer func() { _ = fh.Close() }() // read only
		r.req.File = &engagement.FileUpload{Name: r.file, Body: fh}
	}
	res, err := svc.RecordReport(cmd.Context(), r.req)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if format == "json" {
		return writeJSON(out, struct {
			Status workflows.EngagementStatus   `json:"status"`
			Report workflows.RecordReportResult `json:"report"`
		}{st, res})
	}
	rep := res.Report
	fmt.Fprintf(out, "%s: %s certified on %s is recorded with a %s opinion; the engagement is %s.\n",
		r.req.EngagementID, rep.Framework, rep.Date, rep.Opinion, st.Phase)
	if rep.File != nil {
		fmt.Fprintf(out, "The report is kept as evidence: %s (sha256 %s).\n", rep.File.Filename, rep.File.SHA256)
	}
	for _, e := range rep.Exceptions {
		fmt.Fprintf(out, "  exception %d %s: %s; owners %s\n", e.N, e.Ref, e.Origin, strings.Join(e.Owners, ", "))
	}
	if n := len(rep.Surprises()); n > 0 {
		fmt.Fprintf(out, "%d surprise exception(s): the lead and the sponsor are told, and each is a finding for the next cycle.\n", n)
	}
	fmt.Fprintf(out, "%d control owner(s) are asked to read their sections; see: starter report %s\n", res.Readers, r.req.EngagementID)
	return nil
}

// newReportCmd shows the issued reports and takes the owners' explanations.
func newReportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "report ENGAGEMENT [--format text|json]",
		Short: "The issued report: its exceptions with owners and responses, who has read it, the explanations",
		Long: `Shows each report recorded with 'starter certified --opinion': the opinion, every
exception with the controls and owners it touches, management's response and
whether it was accepted beforehand or a surprise; each owner's reading (asked,
read, or escalated after the reminder ladder); and the owners' explanations
with the lead's approval.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			views, err := svc.Reports(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), views)
			}
			return writeReports(cmd.OutOrStdout(), args[0], views)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	cmd.AddCommand(newExplainCmd(false), newExplainCmd(true))
	return cmd
}

// newExplainCmd is `report explain` (an owner's words) or `report approve`
// (the lead approving them).
func newExplainCmd(approve bool) *cobra.Command {
	var which, control, text, by string
	var exception int
	use, short := "explain ENGAGEMENT (--control ID | --exception N) --text TEXT --as EMAIL [--report FRAMEWORK/DATE]",
		"A control owner explains, in their own words, what a control covers or what an exception means for a customer"
	if approve {
		use, short = "approve ENGAGEMENT (--control ID | --exception N) --as EMAIL [--report FRAMEWORK/DATE]",
			"The lead approves an owner's explanation"
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var subject report.Subject
			switch {
			case control != "" && exception != 0, control == "" && exception == 0:
				return errors.New("name one subject: --control ID or --exception N")
			case control != "":
				subject = report.ControlSubject(strings.ToUpper(control))
			default:
				subject = report.ExceptionSubject(exception)
			}
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			key, err := pickReport(cmd, svc, args[0], which)
			if err != nil {
				return err
			}
			e, err := svc.Explain(cmd.Context(), engagement.ExplainRequest{Key: key, Subject: subject, Text: text, Approve: approve, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			if approve {
				fmt.Fprintf(cmd.OutOrStdout(), "The explanation of %s by %s is approved by %s.\n", e.Subject, e.By, e.ApprovedBy)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "Your explanation of %s is recorded; the lead approves it next.\n", e.Subject)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&which, "report", "", "which report, FRAMEWORK/DATE (default: the newest)")
	cmd.Flags().StringVar(&control, "control", "", "the control explained")
	cmd.Flags().IntVar(&exception, "exception", 0, "the exception explained (its number in 'starter report')")
	cmd.Flags().StringVar(&by, "as", "", "who explains (the owner) or approves (the lead or a delegate)")
	if !approve {
		cmd.Flags().StringVar(&text, "text", "", "the explanation, in your own words")
		_ = cmd.MarkFlagRequired("text")
	}
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

// pickReport resolves --report, or the newest report recorded.
func pickReport(cmd *cobra.Command, svc *engagement.Service, id, which string) (report.Key, error) {
	views, err := svc.Reports(cmd.Context(), id)
	if err != nil {
		return report.Key{}, err
	}
	if len(views) == 0 {
		return report.Key{}, fmt.Errorf("%s has no issued report recorded yet (starter certified --opinion)", id)
	}
	if which == "" {
		return views[len(views)-1].Key, nil
	}
	for _, v := range views {
		if v.Key.String() == which {
			return v.Key, nil
		}
	}
	return report.Key{}, fmt.Errorf("--report %q: %s has no such report; it has %s", which, id, reportKeys(views))
}

func reportKeys(views []postgres.ReportView) string {
	var ks []string
	for _, v := range views {
		ks = append(ks, v.Key.String())
	}
	return strings.Join(ks, ", ")
}

// writeReports prints each report for a person.
func writeReports(w io.Writer, id string, views []postgres.ReportView) error {
	if len(views) == 0 {
		_, err := fmt.Fprintf(w, "%s has no issued report recorded yet (starter certified --opinion).\n", id)
		return err
	}
	for _, v := range views {
		r := v.Report
		fmt.Fprintf(w, "%s report of %s: %s opinion", r.Framework, r.Date, r.Opinion)
		if !r.Period.Start.IsZero() {
			fmt.Fprintf(w, ", period %s", r.Period)
		}
		fmt.Fprintf(w, "; recorded by %s\n", v.RecordedBy)
		if r.File != nil {
			fmt.Fprintf(w, "File: %s (sha256 %s)\n", r.File.Filename, r.File.SHA256)
		}
		explained := map[string]postgres.Explanation{}
		for _, e := range v.Explained {
			explained[e.Subject] = e
		}
		fmt.Fprintf(w, "\nExceptions (%d):\n", len(r.Exceptions))
		for _, e := range r.Exceptions {
			fmt.Fprintf(w, "  #%d %s [%s] controls %s; owners %s\n", e.N, e.Ref, e.Origin, strings.Join(e.Controls, ", "), strings.Join(e.Owners, ", "))
			fmt.Fprintf(w, "     auditor: %s\n     management: %s\n", e.Description, e.ManagementResponse)
			for _, b := range e.Because {
				fmt.Fprintf(w, "     accepted beforehand: %s %s on %s by %s: %s\n", b.Source, b.ID, b.ControlID, b.By, b.Reason)
			}
			fmt.Fprintf(w, "     explanation: %s\n", explanationLine(explained[string(report.ExceptionSubject(e.N))]))
		}
		fmt.Fprintf(w, "\nReading:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  OWNER\tCONTROLS\tEXCEPTIONS\tSTATUS\tWHEN\tEXPLAINED (APPROVED)")
		for _, rd := range v.Readings {
			when := "—"
			if rd.ReadAt != nil {
				when = rd.ReadAt.UTC().Format("2006-01-02 15:04")
			}
			var ex []string
			for _, n := range rd.Exceptions {
				ex = append(ex, "#"+strconv.Itoa(int(n)))
			}
			done, approved := 0, 0
			for _, c := range rd.Controls {
				if e, ok := explained[string(report.ControlSubject(c))]; ok {
					done++
					if e.ApprovedBy != "" {
						approved++
					}
				}
			}
			fmt.Fprintf(tw, "  %s\t%d\t%s\t%s\t%s\t%d/%d (%d)\n", rd.Owner, len(rd.Controls), orDash(strings.Join(ex, " ")), rd.Status, when, done, len(rd.Controls), approved)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		var ctrl []postgres.Explanation
		for _, e := range v.Explained {
			if strings.HasPrefix(e.Subject, "control:") {
				ctrl = append(ctrl, e)
			}
		}
		if len(ctrl) > 0 {
			fmt.Fprintf(w, "\nControls explained:\n")
			for _, e := range ctrl {
				fmt.Fprintf(w, "  %s: %s\n", strings.TrimPrefix(e.Subject, "control:"), explanationLine(e))
			}
		}
		fmt.Fprintln(w)
	}
	return nil
}

func explanationLine(e postgres.Explanation) string {
	if e.Body == "" {
		return "not written yet"
	}
	s := fmt.Sprintf("%q by %s", e.Body, e.WrittenBy)
	if e.ApprovedBy != "" {
		return s + ", approved by " + e.ApprovedBy
	}
	return s + ", waiting for the lead's approval"
}

// printScrutiny adds status's lines on the customers' side: open customer
// reviews with what waits on whom, and owners who have not read the report.
func printScrutiny(w io.Writer, id string, s *engagement.Scrutiny) {
	if s == nil {
		return
	}
	for _, r := range s.Reviews {
		returned := ""
		if r.Returned > 0 {
			returned = fmt.Sprintf(" (%d returned by the lead)", r.Returned)
		}
		fmt.Fprintf(w, "Customer review\t%s (%s) due %s: %d waiting on owners%s, %d on the lead (`starter customer-review list %s %s`)\n",
			r.Customer, r.ReviewID, r.Due, r.OnOwners, returned, r.OnLead, id, r.ReviewID)
	}
	if s.Reconfirm > 0 {
		fmt.Fprintf(w, "Answers to re-confirm\t%d approved answer(s) are not offered again until re-confirmed (`starter customer-review list %s`)\n", s.Reconfirm, id)
	}
	if s.Report != "" {
		if len(s.Unread) == 0 {
			fmt.Fprintf(w, "Report read\tevery owner has read the %s report\n", s.Report)
		} else {
			fmt.Fprintf(w, "Report unread\t%s have not read the %s report (`starter report %s`)\n", strings.Join(s.Unread, ", "), s.Report, id)
		}
	}
}
