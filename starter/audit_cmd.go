package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/config"
)

// importedFromCLI is imported_from for a request entered with flags.
const importedFromCLI = "cli"

func newAuditCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Fieldwork: route the auditor's requests to their owners and follow the answers",
		Long: `During fieldwork the auditor sends a list of requests ("provided by client").
Each request becomes a prompt to its owner, due when the auditor wants it and
chased on that date: the owner before it, the lead on it, the sponsor after.
The owner answers with a link to what they provide, or says why it cannot be
provided (starter answer, or Slack). Answered requests go into the evidence pack.`,
	}
	cmd.AddCommand(newAuditImportCmd(), newAuditRequestCmd(), newAuditRequestsCmd())
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
			return routeAuditRequests(cmd, eng, by, filepath.Base(path), func(o auditreq.Options) ([]auditreq.Request, error) {
				reqs, err := auditreq.Parse(filepath.Base(path), f, o)
				var ps auditreq.Problems
				if errors.As(err, &ps) {
					return nil, fmt.Errorf("%w\n%d problem(s) in %s; nothing was routed", ps, len(ps), path)
				}
				if err == nil && len(reqs) == 0 {
					return nil, fmt.Errorf("%s has a header but no requests; nothing was routed", path)
				}
				return reqs, err
			})
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email (the lead, a delegate or the consultant); recorded as who entered the requests")
	_ = cmd.MarkFlagRequired("as") // the engagement routes only for someone who runs it
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
			return routeAuditRequests(cmd, args[0], by, importedFromCLI, func(o auditreq.Options) ([]auditreq.Request, error) {
				req, ps := o.Check(f, 0)
				if len(ps) > 0 {
					for i := range ps {
						ps[i].Column = "--" + flagOf(ps[i].Column)
					}
					return nil, fmt.Errorf("%w\nnothing was routed", ps)
				}
				return []auditreq.Request{req}, nil
			})
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
			if status == "all" {
				status = ""
			} else if !slices.Contains([]string{postgres.AuditOpen, postgres.AuditAnswered, postgres.AuditWithdrawn}, status) {
				return fmt.Errorf("--status must be open, answered, withdrawn or all, not %q", status)
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			spec, _, err := store.SpecAndPlan(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			cal, err := compliance.NewCalendar(spec.Reminders)
			if err != nil {
				return fmt.Errorf("calendar of %s: %w", spec.ID, err)
			}
			reqs, err := store.AuditRequests(cmd.Context(), spec.ID, postgres.AuditRequestFilter{Status: status})
			if err != nil {
				return err
			}
			rows := auditRows(reqs, time.Now())
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				return writeJSON(out, rows)
			case "csv":
				return writeAuditCSV(out, rows, cal.Location)
			}
			return writeAuditTable(out, spec.ID, rows, cal.Location)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json or csv")
	cmd.Flags().StringVar(&status, "status", "all", "open, answered, withdrawn or all")
	return cmd
}

// routeAuditRequests loads the engagement, checks the requests with read
// (which sees the engagement's people and zone) and routes them. Nothing is
// recorded or started unless every request checks out.
func routeAuditRequests(cmd *cobra.Command, eng, by, from string, read func(auditreq.Options) ([]auditreq.Request, error)) error {
	ctx := cmd.Context()
	store, err := openStore(cmd)
	if err != nil {
		return err
	}
	defer store.Close()
	spec, _, err := store.SpecAndPlan(ctx, eng)
	if err != nil {
		return err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return fmt.Errorf("calendar of %s: %w", spec.ID, err)
	}
	if err := mayRouteAuditRequests(&spec, by); err != nil {
		return err
	}
	reqs, err := read(auditreq.Options{Spec: &spec, Location: cal.Location})
	if err != nil {
		return err
	}
	cfg := config.FromEnv()
	e, err := dialEngagements(cfg)
	if err != nil {
		return err
	}
	defer e.tc.Close()
	r := &auditRouter{store: store, tc: e.tc, taskQueue: e.taskQueue, spec: &spec, cal: cal, by: by, from: from}
	return reportRouting(ctx, cmd.OutOrStdout(), r, reqs)
}

// mayRouteAuditRequests: whoever says who they are must be someone who
// runs the engagement.
func mayRouteAuditRequests(spec *compliance.Spec, by string) error {
	if strings.TrimSpace(by) == "" {
		return nil
	}
	if !spec.RunsEngagement(by) {
		return fmt.Errorf("%s may not route the auditor's requests in %s: only the lead, a lead delegate or the consultant may", by, spec.ID)
	}
	return nil
}

// reportRouting routes each request and prints one line for each. It
// carries on past a request that fails to route (Temporal briefly away, say)
// so one run routes all it can; running it again routes the rest.
func reportRouting(ctx context.Context, out io.Writer, r *auditRouter, reqs []auditreq.Request) error {
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST\tCONTROL\tOWNER\tWHY\tDUE\tRESULT")
	var failed []error
	newly, before := 0, 0
	for _, req := range reqs {
		res, err := r.route(ctx, req)
		if err != nil {
			failed = append(failed, err)
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", req.RequestID, dash(req.ControlID), req.Owner.Email, routingWhy(req),
				req.Due.In(r.cal.Location).Format("2006-01-02 15:04 MST"), "NOT ROUTED")
			continue
		}
		s := res.Request
		result, why := "routed: "+s.PromptID, routingWhy(req)
		if res.Routed {
			newly++
		} else {
			before++
			result, why = "already routed", "-"
			if len(res.Changed) > 0 {
				result += " (the list now differs in " + strings.Join(res.Changed, ", ") + "; the first routing stands)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.RequestID, dash(s.ControlID), s.Owner, why,
			s.DueAt.In(r.cal.Location).Format("2006-01-02 15:04 MST"), result)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(out, "%s: %d routed, %d already routed", r.spec.ID, newly, before)
	if len(failed) > 0 {
		fmt.Fprintf(out, ", %d not routed\n", len(failed))
		return fmt.Errorf("%d request(s) not routed (run the command again to route them):\n%w", len(failed), errors.Join(failed...))
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
