package main

import (
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// maxRef bounds an event reference: a key, a pull request URL, a short
// description of a deployment.
const maxRef = 300

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
			eng, control := args[0], ""
			if len(args) == 2 {
				control = args[1]
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			spec, _, err := store.SpecAndPlan(cmd.Context(), eng)
			if err != nil {
				return err
			}
			cal, err := compliance.NewCalendar(spec.Reminders)
			if err != nil {
				return err
			}
			if control != "" {
				if _, err := populationControl(&spec, control); err != nil {
					return err
				}
			}
			lo, hi, err := dayRange(from, to, cal.Location)
			if err != nil {
				return err
			}
			evs, err := store.PopulationEvents(cmd.Context(), eng, control, lo, hi)
			if err != nil {
				return err
			}
			return writePopulation(cmd.OutOrStdout(), format, eng, evs, cal.Location)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table, json or csv")
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, client's time zone)")
	cmd.Flags().StringVar(&to, "to", "", "last day, inclusive (YYYY-MM-DD, client's time zone)")
	cmd.AddCommand(newPopulationRecordCmd(), newPopulationImportCmd())
	return cmd
}

// populationControl checks that a control takes a population of events in
// this engagement, and says why not.
func populationControl(spec *compliance.Spec, controlID string) (*catalog.Control, error) {
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		return nil, err
	}
	c, err := app.PopulationControl(controlID)
	if err != nil {
		return nil, fmt.Errorf("%w; `starter catalog applicability` lists the engagement's controls and their frequencies", err)
	}
	return c, nil
}

// dayRange turns inclusive --from/--to dates into [lo, hi) instants in loc;
// an empty flag leaves that end open.
func dayRange(from, to string, loc *time.Location) (time.Time, time.Time, error) {
	var lo, hi time.Time
	if from != "" {
		d, err := compliance.ParseDate(from)
		if err != nil {
			return lo, hi, fmt.Errorf("--from: %w", err)
		}
		lo = d.In(loc)
	}
	if to != "" {
		d, err := compliance.ParseDate(to)
		if err != nil {
			return lo, hi, fmt.Errorf("--to: %w", err)
		}
		hi = d.AddDays(1).In(loc)
	}
	if !lo.IsZero() && !hi.IsZero() && !lo.Before(hi) {
		return lo, hi, fmt.Errorf("--to %s is before --from %s", to, from)
	}
	return lo, hi, nil
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
			eng, control := args[0], args[1]
			ref, summary = strings.TrimSpace(ref), strings.TrimSpace(summary)
			if err := checkRef(ref); err != nil {
				return err
			}
			if summary == "" {
				return errors.New("--summary is required: what the event was, in a line")
			}
			if (approvedBy == "") != (approvedAt == "") {
				return errors.New("--approved-by and --approved-at go together: an approval is who and when")
			}
			if approvedBy != "" {
				if a, err := mail.ParseAddress(approvedBy); err != nil || a.Address != approvedBy {
					return fmt.Errorf("--approved-by %q is not a plain email address", approvedBy)
				}
			}
			ev, err := evidenceRef(evidence, ref)
			if err != nil {
				return err
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			ctx := cmd.Context()
			spec, plan, err := store.SpecAndPlan(ctx, eng)
			if err != nil {
				return err
			}
			c, err := populationControl(&spec, control)
			if err != nil {
				return err
			}
			if err := mayGiveEvidence(&spec, control, by); err != nil {
				return err
			}
			cal, err := compliance.NewCalendar(spec.Reminders)
			if err != nil {
				return err
			}
			now := time.Now()
			e := postgres.PopulationEvent{EngagementID: eng, ControlID: control, EventKey: ref, Source: postgres.PopulationSourceRecorded,
				Summary: summary, ApprovedBy: strings.ToLower(approvedBy), EvidenceRef: ev, RecordedBy: strings.ToLower(by)}
			if e.OccurredAt, err = parseWhen(at, cal.Location); err != nil {
				return fmt.Errorf("--at: %w", err)
			}
			if approvedAt != "" {
				if e.ApprovedAt, err = parseWhen(approvedAt, cal.Location); err != nil {
					return fmt.Errorf("--approved-at: %w", err)
				}
			}
			for flag, t := range map[string]time.Time{"--at": e.OccurredAt, "--approved-at": e.ApprovedAt} {
				if t.After(now) {
					return fmt.Errorf("%s %s is in the future: record events that have happened", flag, t.In(cal.Location).Format(time.RFC3339))
				}
			}
			before, err := store.PopulationEvents(ctx, eng, control, time.Time{}, time.Time{})
			if err != nil {
				return err
			}
			n, err := store.RecordPopulationEvents(ctx, []postgres.PopulationEvent{e})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch i := slices.IndexFunc(before, func(x postgres.PopulationEvent) bool { return x.EventKey == ref }); {
			case n == 1:
				fmt.Fprintf(out, "Recorded %s for %s %s: occurred %s", ref, c.ID, c.Title, e.OccurredAt.In(cal.Location).Format("2006-01-02 15:04 MST"))
				if e.Approved() {
					fmt.Fprintf(out, ", approved by %s at %s", e.ApprovedBy, e.ApprovedAt.In(cal.Location).Format("2006-01-02 15:04 MST"))
				} else {
					fmt.Fprint(out, ", no approval recorded")
				}
				fmt.Fprintln(out, ".")
			case i >= 0:
				fmt.Fprintf(out, "%s was already recorded for %s (by %s); it is never rewritten%s.\n", ref, c.ID, before[i].RecordedBy, filled(before[i], e))
			}
			if window, err := cadence.Window(&spec, plan); err == nil {
				day := compliance.DateOf(e.OccurredAt.In(cal.Location))
				if day.Before(window.Start) || day.After(window.End) {
					fmt.Fprintf(out, "Note: %s is outside the observation window %s, so it is not in the population the auditor samples.\n", day, window)
				}
			}
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

// filled says what a repeated record added to the first one.
func filled(was, now postgres.PopulationEvent) string {
	var added []string
	if !was.Approved() && now.Approved() {
		added = append(added, "its approval")
	}
	if was.EvidenceRef == "" && now.EvidenceRef != "" {
		added = append(added, "its evidence link")
	}
	if len(added) == 0 {
		return "; nothing changed"
	}
	return ", but " + strings.Join(added, " and ") + " was missing and is now recorded"
}

func checkRef(ref string) error {
	switch {
	case ref == "":
		return errors.New("--ref is required: the event's reference (pull request URL, change number)")
	case len(ref) > maxRef:
		return fmt.Errorf("--ref is %d characters; at most %d", len(ref), maxRef)
	case strings.ContainsFunc(ref, unicode.IsControl):
		return errors.New("--ref contains control characters")
	}
	return nil
}

// evidenceRef is where the record is: --evidence if given (a link must be
// http(s)), else the ref itself when it is a link, else none.
func evidenceRef(evidence, ref string) (string, error) {
	evidence = strings.TrimSpace(evidence)
	if evidence == "" {
		if isHTTPLink(ref) {
			return ref, nil
		}
		return "", nil
	}
	if strings.Contains(evidence, "://") && !isHTTPLink(evidence) {
		return "", fmt.Errorf("--evidence %q is not an http(s) link", evidence)
	}
	if strings.ContainsFunc(evidence, unicode.IsControl) || len(evidence) > 2000 {
		return "", fmt.Errorf("--evidence %q is not a link or reference", evidence)
	}
	return evidence, nil
}

func isHTTPLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// parseWhen reads an RFC 3339 time, or a date (YYYY-MM-DD) meaning the
// start of that day in loc.
func parseWhen(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		if t.Year() < 1970 || t.Year() > 9999 {
			return time.Time{}, fmt.Errorf("%q is not a plausible time", s)
		}
		return t, nil
	}
	d, err := compliance.ParseDate(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is neither an RFC 3339 time (2027-03-04T15:30:00Z) nor a date (2027-03-04)", s)
	}
	if d.Year < 1970 {
		return time.Time{}, fmt.Errorf("%q is not a plausible date", s)
	}
	return d.In(loc), nil
}

func newPopulationImportCmd() *cobra.Command {
	var from, to string
	cmd := &cobra.Command{
		Use:   "import ENGAGEMENT [--from DATE --to DATE]",
		Short: "Import per-event populations from Jira now (the spec's integrations.populations)",
		Long: `Runs each population search in the spec (integrations.populations) against Jira
and records the issues resolved in the period as events, as the worker does.
Importing again adds nothing; an approval that appeared in Jira since is filled in.

Needs JIRA_BASE_URL and JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data
Center). --from and --to are inclusive dates in the client's time zone; the
default is the observation window up to today.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng := args[0]
			cfg := jira.ConfigFromEnv(os.Getenv)
			if !cfg.Enabled() {
				return errors.New("no Jira configured: set JIRA_BASE_URL and JIRA_EMAIL + JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center)")
			}
			jc, err := jira.New(cfg)
			if err != nil {
				return err
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			ctx := cmd.Context()
			spec, plan, err := store.SpecAndPlan(ctx, eng)
			if err != nil {
				return err
			}
			cal, err := compliance.NewCalendar(spec.Reminders)
			if err != nil {
				return err
			}
			lo, hi, err := dayRange(from, to, cal.Location)
			if err != nil {
				return err
			}
			if lo.IsZero() || hi.IsZero() {
				window, err := cadence.Window(&spec, plan)
				if err != nil {
					return err
				}
				if lo.IsZero() {
					lo = window.Start.In(cal.Location)
				}
				if hi.IsZero() {
					last := cal.Today(time.Now())
					if window.End.Before(last) {
						last = window.End
					}
					hi = last.AddDays(1).In(cal.Location)
				}
			}
			acts := &activities.Activities{Store: store, Jira: jc}
			res, err := acts.ImportPopulation(ctx, activities.ImportPopulationInput{EngagementID: eng, Spec: spec, From: lo, To: hi})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if res.Note != "" {
				fmt.Fprintln(out, res.Note)
				return nil
			}
			fmt.Fprintf(out, "Imported %d new event(s) of %d found in Jira for %s, %s to %s.\n", res.Imported, res.Total,
				strings.Join(res.Controls, ", "), compliance.DateOf(lo), compliance.DateOf(hi).AddDays(-1))
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first day (YYYY-MM-DD, client's time zone); default the window's start")
	cmd.Flags().StringVar(&to, "to", "", "last day, inclusive (YYYY-MM-DD); default today or the window's end")
	return cmd
}
