package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Fieldwork: route the auditor's requests to their owners and follow the answers",
		Long: `During fieldwork the auditor sends a list of requests ("provided by client").
Each request becomes a prompt to its owner, due when the auditor wants it and
chased on that date: the owner before it, the lead on it, the sponsor after.
The owner answers with a link or files (starter audit answer, or the web), or says why it cannot be
provided (starter answer, or Slack). Answered requests go into the evidence pack.`,
	}
	cmd.AddCommand(newAuditImportCmd(), newAuditRequestCmd(), newAuditRequestsCmd(), newAuditAnswerCmd())
	return cmd
}

func newAuditImportCmd() *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:   "import ENGAGEMENT FILE.csv --as EMAIL",
		Short: "Route every request in the auditor's CSV to its owner",
		Long: `Reads the auditor's request list and routes each request to its owner as a
prompt. The first line names the columns (any order and case; others ignored):

  ` + auditreq.Header + `

request_id    the auditor's reference (PBC-014); required, once per file
control_id    the control it concerns (ACC-04); optional
description   what the auditor asks for; required
owner         who answers it (an email of the engagement's people); optional:
              blank routes it to the owner of the control's area, and with no
              control either, to the lead
due           YYYY-MM-DD (due at 17:00 in the client's time zone) or an
              RFC 3339 time; required

Every problem in the file is reported with its line, and then nothing is
routed. Importing the same list again routes nothing twice: a request already
routed keeps its first routing and is reported as "already routed".`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, path := args[0], args[1]
			f, err := os.Open(path)
			if err != nil {
				return fmt.Errorf("open the request list: %w", err)
			}
			defer func() { _ = f.Close() }() // read only
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.ImportAuditRequests(cmd.Context(), engagement.ImportAuditRequestsRequest{EngagementID: eng,
				Name: filepath.Base(path), CSV: f, Actor: cliActor(by)})
			var ps auditreq.Problems
			switch {
			case errors.As(err, &ps):
				return fmt.Errorf("%w\n%d problem(s) in %s; nothing was routed", ps, len(ps), path)
			case errors.Is(err, engagement.ErrNoRequests):
				return fmt.Errorf("%s has a header but no requests; nothing was routed", path)
			case err != nil:
				return err
			}
			return reportRouting(cmd.OutOrStdout(), res)
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email (the lead, a delegate or the consultant); recorded as who entered the requests")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func newAuditRequestCmd() *cobra.Command {
	var by string
	var f auditreq.Fields
	cmd := &cobra.Command{
		Use:   "request ENGAGEMENT --id REF --description TEXT --due YYYY-MM-DD [--control ID] [--owner EMAIL] --as EMAIL",
		Short: "Route one request the auditor made to its owner",
		Long: `Routes one request, as a row of the CSV would be (see starter audit import
--help): without --owner it goes to the owner of the control's area, and with
no --control either, to the lead. A request already routed is not routed again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.AddAuditRequest(cmd.Context(), engagement.AddAuditRequestRequest{EngagementID: args[0], Fields: f, Actor: cliActor(by)})
			var ps auditreq.Problems
			if errors.As(err, &ps) {
				for i := range ps {
					ps[i].Column = "--" + flagOf(ps[i].Column)
				}
				return fmt.Errorf("%w\nnothing was routed", ps)
			}
			if err != nil {
				return err
			}
			return reportRouting(cmd.OutOrStdout(), res)
		},
	}
	cmd.Flags().StringVar(&f.RequestID, "id", "", "the auditor's reference, e.g. PBC-014")
	cmd.Flags().StringVar(&f.ControlID, "control", "", "the control it concerns, e.g. ACC-04")
	cmd.Flags().StringVar(&f.Description, "description", "", "what the auditor asks for")
	cmd.Flags().StringVar(&f.Owner, "owner", "", "who answers it (default: the control's owner, else the lead)")
	cmd.Flags().StringVar(&f.Due, "due", "", "when the auditor wants it: YYYY-MM-DD (17:00 in the client's zone) or RFC 3339")
	cmd.Flags().StringVar(&by, "as", "", "your email (the lead, a delegate or the consultant)")
	for _, name := range []string{"id", "description", "due", "as"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// flagOf names the flag that carries a CSV column.
func flagOf(column string) string {
	switch column {
	case auditreq.ColRequestID:
		return "id"
	case auditreq.ColControlID:
		return "control"
	}
	return column
}

func newAuditRequestsCmd() *cobra.Command {
	var format, status string
	cmd := &cobra.Command{
		Use:   "requests ENGAGEMENT [--format table|json|csv] [--status open|answered|withdrawn|all]",
		Short: "List the auditor's requests: owner, due, status, overdue, answer",
		Long: `Lists the engagement's audit requests by due date: who owns each, when it is
due (in the client's time zone), whether it is answered or overdue, and the
answer's link or note.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains([]string{"table", "json", "csv"}, format) {
				return fmt.Errorf("--format must be table, json or csv, not %q", format)
			}
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.AuditRequests(cmd.Context(), engagement.AuditRequestsRequest{EngagementID: args[0], Status: status})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				return writeJSON(out, res.Rows)
			case "csv":
				return writeAuditCSV(out, res.Rows, res.Location)
			}
			return writeAuditTable(out, res.EngagementID, res.Rows, res.Location)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json or csv")
	cmd.Flags().StringVar(&status, "status", "all", "open, answered, withdrawn or all")
	return cmd
}

// reportRouting prints one line for each request and the totals. A run
// carries on past a request that fails to route (Temporal briefly away,
// say), so it routes all it can; running it again routes the rest.
func reportRouting(out io.Writer, res engagement.RouteAuditRequestsResult) error {
	loc := res.Location
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST\tCONTROL\tOWNER\tWHY\tDUE\tRESULT")
	failed := 0
	for _, r := range res.Requests {
		req := r.Request
		if r.Err != nil {
			failed++
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", req.RequestID, dash(req.ControlID), req.Owner.Email, routingWhy(req),
				req.Due.In(loc).Format("2006-01-02 15:04 MST"), "NOT ROUTED")
			continue
		}
		s := r.Stored
		result, why := "routed: "+s.PromptID, routingWhy(req)
		if !r.Routed {
			result, why = "already routed", "-"
			if len(r.Changed) > 0 {
				result += " (the list now differs in " + strings.Join(r.Changed, ", ") + "; the first routing stands)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.RequestID, dash(s.ControlID), s.Owner, why,
			s.Due.In(loc).Format("2006-01-02 15:04 MST"), result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d routed, %d already routed", res.EngagementID, res.Routed, res.AlreadyRouted)
	if failed > 0 {
		fmt.Fprintf(out, ", %d not routed\n", failed)
		return res.Failed()
	}
	fmt.Fprintln(out)
	return nil
}

// routingWhy says in a word why the owner was chosen.
func routingWhy(req auditreq.Request) string {
	switch req.RoutedBy {
	case auditreq.RoutedControlOwner:
		return "owns " + string(controlDomain(req.ControlID))
	case auditreq.RoutedLead:
		return "lead"
	}
	return "named"
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func controlDomain(id string) compliance.Domain {
	if c := catalog.Default().Control(id); c != nil {
		return c.Domain
	}
	return ""
}
