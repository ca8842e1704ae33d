package main

import (
	"fmt"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newPopulationCmd() *cobra.Command {
	var format, from, to string
	cmd := &cobra.Command{
		Use:   "population ENGAGEMENT [CONTROL] [--from DATE --to DATE] [--format table|json|csv]",
		Short: "List the events of per-event controls (changes, joiners) the auditor samples",
		Long: `Lists the population of the engagement's per-event controls: each change, joiner
or incident imported from Jira (integrations.populations in the spec) or recorded
with 'population record', with when it occurred, who approved it and when, and
where its record is. The readiness review samples these events.

--from and --to are dates (YYYY-MM-DD) in the client's time zone, both
inclusive; without them every event is listed.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "table" && format != "json" && format != "csv" {
				return fmt.Errorf("--format must be table, json or csv, not %q", format)
			}
			req := engagement.PopulationRequest{EngagementID: args[0], From: from, To: to}
			if len(args) == 2 {
				req.ControlID = args[1]
			}
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Population(cmd.Context(), req)
			if err != nil {
				return err
			}
			return writePopulation(cmd.OutOrStdout(), format, req.EngagementID, res.Events, res.Location)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json or csv")
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, client's time zone)")
	cmd.Flags().StringVar(&to, "to", "", "last day, inclusive (YYYY-MM-DD, client's time zone)")
	cmd.AddCommand(newPopulationRecordCmd(), newPopulationImportCmd())
	return cmd
}

func writePopulation(out io.Writer, format, eng string, evs []postgres.PopulationEvent, loc *time.Location) error {
	when := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(loc).Format("2006-01-02 15:04")
	}
	switch format {
	case "json":
		if evs == nil {
			evs = []postgres.PopulationEvent{}
		}
		return writeJSON(out, evs)
	case "csv":
		w := csvsafe.NewWriter(out)
		_ = w.Write([]string{"control_id", "event_key", "occurred_at", "source", "summary", "approved_by", "approved_at", "evidence_ref", "recorded_by", "recorded_at"})
		for _, e := range evs {
			approvedAt := ""
			if e.Approved() {
				approvedAt = e.ApprovedAt.Format(time.RFC3339)
			}
			_ = w.Write([]string{e.ControlID, e.EventKey, e.OccurredAt.Format(time.RFC3339), e.Source, e.Summary, e.ApprovedBy,
				approvedAt, e.EvidenceRef, e.RecordedBy, e.RecordedAt.Format(time.RFC3339)})
		}
		w.Flush()
		return w.Error()
	}
	if len(evs) == 0 {
		fmt.Fprintf(out, "No events recorded for %s: import them from Jira (`starter population import %s`) or record them (`starter population record`).\n", eng, eng)
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "CONTROL\tEVENT\tOCCURRED (%s)\tSOURCE\tAPPROVED BY\tAPPROVED AT\tRECORD\tSUMMARY\n", loc)
	for _, e := range evs {
		by := e.ApprovedBy
		if by == "" {
			by = "— none"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.ControlID, e.EventKey, when(e.OccurredAt), e.Source, by,
			when(e.ApprovedAt), e.EvidenceRef, e.Summary)
	}
	return tw.Flush()
}

func newPopulationRecordCmd() *cobra.Command {
	var ref, at, summary, approvedBy, approvedAt, evidence, by string
	cmd := &cobra.Command{
		Use:   "record ENGAGEMENT CONTROL --ref REF --at TIME --summary TEXT [--approved-by EMAIL --approved-at TIME] [--evidence URL] --as EMAIL",
		Short: "Record one event of a per-event control (a change, a joiner) by hand",
		Long: `Records one event in a per-event control's population, for events that are not
in Jira: a deployment from the pipeline's log, a joiner from the HR system.

--ref names the event uniquely within the control (a pull request URL, a change
number); recording the same ref again adds nothing, except that an approval or
evidence link missing from the first record is filled in. Nothing recorded is
ever changed. --at and --approved-at are RFC 3339 times (2027-03-04T15:30:00Z)
or dates (YYYY-MM-DD, the start of that day in the client's time zone: give
times for both when the approval and the event fall on the same day). The
readiness review tests that each sampled event has a record (--evidence, or a
--ref that is a link) and an approval given no later than the event.

Only the control's owner, the lead or a lead delegate may record events.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.RecordPopulationEvent(cmd.Context(), engagement.RecordPopulationEventRequest{EngagementID: args[0],
				ControlID: args[1], Ref: ref, At: at, Summary: summary, ApprovedBy: approvedBy, ApprovedAt: approvedAt,
				Evidence: evidence, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			printRecorded(cmd.OutOrStdout(), strings.TrimSpace(ref), res)
			return nil
		},
	}
	cmd.Flags().StringVar(&ref, "ref", "", "the event's reference, unique within the control (pull request URL, change number)")
	cmd.Flags().StringVar(&at, "at", "", "when the event occurred (RFC 3339, or YYYY-MM-DD)")
	cmd.Flags().StringVar(&summary, "summary", "", "what the event was, in a line")
	cmd.Flags().StringVar(&approvedBy, "approved-by", "", "the approver's email")
	cmd.Flags().StringVar(&approvedAt, "approved-at", "", "when it was approved (RFC 3339, or YYYY-MM-DD)")
	cmd.Flags().StringVar(&evidence, "evidence", "", "link to the event's record; default --ref when it is a link")
	cmd.Flags().StringVar(&by, "as", "", "your email")
	for _, f := range []string{"ref", "at", "summary", "as"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

// printRecorded says what became of a recorded event.
func printRecorded(out io.Writer, ref string, res engagement.RecordPopulationEventResult) {
	loc := res.Location
	switch {
	case res.Recorded:
		fmt.Fprintf(out, "Recorded %s for %s %s: occurred %s", ref, res.Control.ID, res.Control.Title, res.OccurredAt.In(loc).Format("2006-01-02 15:04 MST"))
		if res.ApprovedBy != "" {
			fmt.Fprintf(out, ", approved by %s at %s", res.ApprovedBy, res.ApprovedAt.In(loc).Format("2006-01-02 15:04 MST"))
		} else {
			fmt.Fprint(out, ", no approval recorded")
		}
		fmt.Fprintln(out, ".")
	case res.Before != nil:
		filled := "; nothing changed"
		if len(res.Filled) > 0 {
			filled = ", but " + strings.Join(res.Filled, " and ") + " was missing and is now recorded"
		}
		fmt.Fprintf(out, "%s was already recorded for %s (by %s); it is never rewritten%s.\n", ref, res.Control.ID, res.Before.RecordedBy, filled)
	}
	if w := res.OutsideWindow; w != nil {
		fmt.Fprintf(out, "Note: %s is outside the observation window %s, so it is not in the population the auditor samples.\n",
			compliance.DateOf(res.OccurredAt.In(loc)), *w)
	}
}

func newPopulationImportCmd() *cobra.Command {
	var from, to, by string
	cmd := &cobra.Command{
		Use:   "import ENGAGEMENT --as EMAIL [--from DATE --to DATE]",
		Short: "Import per-event populations from Jira now (the spec's integrations.populations)",
		Long: `Asks the engagement to run each population search in the spec
(integrations.populations) against Jira now, as its scheduler does each batch,
and record the issues resolved in the period as events. Importing again adds
nothing; an approval that appeared in Jira since is filled in. The worker holds
the Jira credentials (JIRA_BASE_URL and JIRA_EMAIL + JIRA_API_TOKEN, or
JIRA_PAT). The lead, a lead delegate or the consultant may import.

--from and --to are inclusive dates in the client's time zone; the default is
the observation window up to today.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.ImportPopulation(cmd.Context(), engagement.ImportPopulationRequest{EngagementID: args[0], From: from, To: to, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if res.Note != "" {
				fmt.Fprintln(out, res.Note)
				return nil
			}
			fmt.Fprintf(out, "Imported %d new event(s) of %d found in Jira for %s, %s to %s.\n", res.Imported, res.Total,
				strings.Join(res.Controls, ", "), res.From, res.To)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, client's time zone); default the window's start")
	cmd.Flags().StringVar(&to, "to", "", "last day, inclusive (YYYY-MM-DD); default today or the window's end")
	cmd.Flags().StringVar(&by, "as", "", "your email (the lead, a delegate or the consultant)")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
