package engagement

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// maxRef bounds an event reference: a key, a pull request URL, a short
// description of a deployment.
const maxRef = 300

// PopulationRequest lists the events of per-event controls: one control,
// or all (ControlID empty); From and To are inclusive days (YYYY-MM-DD) in
// the client's zone, either open when empty.
type PopulationRequest struct {
	EngagementID string
	ControlID    string
	From, To     string
}

// PopulationResult is the events, and the zone their days are in.
type PopulationResult struct {
	Events   []postgres.PopulationEvent
	Location *time.Location
}

// Population lists the recorded events.
func (s *Service) Population(ctx context.Context, req PopulationRequest) (PopulationResult, error) {
	spec, _, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return PopulationResult{}, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return PopulationResult{}, err
	}
	if req.ControlID != "" {
		if _, err := populationControl(spec, req.ControlID); err != nil {
			return PopulationResult{}, err
		}
	}
	lo, hi, err := dayRange(req.From, req.To, cal.Location)
	if err != nil {
		return PopulationResult{}, err
	}
	evs, err := s.Store.PopulationEvents(ctx, req.EngagementID, req.ControlID, lo, hi)
	return PopulationResult{Events: evs, Location: cal.Location}, err
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

// dayRange turns inclusive from/to dates into [lo, hi) instants in loc;
// an empty one leaves that end open.
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

// RecordPopulationEventRequest records one event of a per-event control
// by hand. At and ApprovedAt are RFC 3339 times or dates (the start of
// that day in the client's zone).
type RecordPopulationEventRequest struct {
	EngagementID string
	ControlID    string
	Ref          string
	At           string
	Summary      string
	ApprovedBy   string
	ApprovedAt   string
	// Evidence is the event's record; default Ref when it is a link.
	Evidence string
	Actor    compliance.Actor
}

// RecordPopulationEventResult is what was recorded.
type RecordPopulationEventResult struct {
	Control *catalog.Control
	// Recorded is false when the ref was recorded before; Before says
	// what that record held (never rewritten, only filled in).
	Recorded   bool
	Before     *activities.PopulationEventRecord
	OccurredAt time.Time
	ApprovedBy string
	ApprovedAt time.Time
	// Filled names what a repeated record added to the first one.
	Filled   []string
	Location *time.Location
	// OutsideWindow is set when the event falls outside the observation
	// window, so the auditor does not sample it.
	OutsideWindow *compliance.Span
}

// RecordPopulationEvent records the event through the engagement's
// record-population-event update. Only the control's owner, the lead or a
// lead delegate may.
func (s *Service) RecordPopulationEvent(ctx context.Context, req RecordPopulationEventRequest) (RecordPopulationEventResult, error) {
	var res RecordPopulationEventResult
	ref, summary := strings.TrimSpace(req.Ref), strings.TrimSpace(req.Summary)
	if err := checkRef(ref); err != nil {
		return res, err
	}
	if summary == "" {
		return res, errors.New("--summary is required: what the event was, in a line")
	}
	if (req.ApprovedBy == "") != (req.ApprovedAt == "") {
		return res, errors.New("--approved-by and --approved-at go together: an approval is who and when")
	}
	if req.ApprovedBy != "" {
		if a, err := mail.ParseAddress(req.ApprovedBy); err != nil || a.Address != req.ApprovedBy {
			return res, fmt.Errorf("--approved-by %q is not a plain email address", req.ApprovedBy)
		}
	}
	ev, err := evidenceRef(req.Evidence, ref)
	if err != nil {
		return res, err
	}
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	spec, plan, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return res, err
	}
	if res.Control, err = populationControl(spec, req.ControlID); err != nil {
		return res, err
	}
	if err := spec.CheckGiveEvidence(req.Actor.Person, req.ControlID, controlOwner(spec, req.ControlID)); err != nil {
		return res, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return res, err
	}
	res.Location = cal.Location
	if res.OccurredAt, err = ParseWhen(req.At, cal.Location); err != nil {
		return res, fmt.Errorf("--at: %w", err)
	}
	if req.ApprovedAt != "" {
		if res.ApprovedAt, err = ParseWhen(req.ApprovedAt, cal.Location); err != nil {
			return res, fmt.Errorf("--approved-at: %w", err)
		}
	}
	now := s.now()
	for _, f := range []struct {
		flag string
		t    time.Time
	}{{"--at", res.OccurredAt}, {"--approved-at", res.ApprovedAt}} {
		if f.t.After(now) {
			return res, fmt.Errorf("%s %s is in the future: record events that have happened", f.flag, f.t.In(cal.Location).Format(time.RFC3339))
		}
	}
	res.ApprovedBy = strings.ToLower(req.ApprovedBy)
	wreq := workflows.RecordPopulationEventRequest{Actor: req.Actor, ControlID: req.ControlID, Ref: ref, OccurredAt: res.OccurredAt,
		Summary: summary, ApprovedBy: res.ApprovedBy, ApprovedAt: res.ApprovedAt, EvidenceRef: ev}
	// A fresh update ID each time: the record is keyed by control and ref
	// (recording again adds nothing), and a re-run should hear what is
	// stored now, not the first call's answer.
	updateID := fmt.Sprintf("population/%s/%s/%s/%d", req.EngagementID, req.ControlID, postgres.HashValue(ref)[:16], now.UnixNano())
	var got workflows.RecordPopulationEventResult
	if err := s.update(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.UpdateRecordPopulationEvent, updateID, wreq, &got); err != nil {
		return res, fmt.Errorf("record %s for %s: %w", ref, req.ControlID, err)
	}
	res.Recorded, res.Before = got.Recorded, got.Before
	if b := got.Before; b != nil {
		if !b.Approved && res.ApprovedBy != "" {
			res.Filled = append(res.Filled, "its approval")
		}
		if b.EvidenceRef == "" && ev != "" {
			res.Filled = append(res.Filled, "its evidence link")
		}
	}
	if window, err := cadence.Window(spec, plan); err == nil {
		day := compliance.DateOf(res.OccurredAt.In(cal.Location))
		if day.Before(window.Start) || day.After(window.End) {
			res.OutsideWindow = &window
		}
	}
	return res, nil
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

// evidenceRef is where the record is: the evidence given (a link must be
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

// ParseWhen reads an RFC 3339 time, or a date (YYYY-MM-DD) meaning the
// start of that day in loc.
func ParseWhen(s string, loc *time.Location) (time.Time, error) {
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

// ImportPopulationRequest imports the spec's Jira populations for the
// inclusive days From..To (default: the window's start to today or its end).
type ImportPopulationRequest struct {
	EngagementID string
	From, To     string
	Actor        compliance.Actor
}

// ImportPopulationResult is what the import found, and for which days.
type ImportPopulationResult struct {
	workflows.ImportPopulationResult
	From, To compliance.Date
}

// ImportPopulation asks the engagement to run, now, the import its
// scheduler runs each batch (the worker holds the Jira credentials).
// Importing again adds nothing.
func (s *Service) ImportPopulation(ctx context.Context, req ImportPopulationRequest) (ImportPopulationResult, error) {
	if err := checkActor(req.Actor); err != nil {
		return ImportPopulationResult{}, err
	}
	spec, plan, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return ImportPopulationResult{}, err
	}
	if err := spec.CheckImportPopulations(req.Actor.Person); err != nil {
		return ImportPopulationResult{}, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return ImportPopulationResult{}, err
	}
	lo, hi, err := dayRange(req.From, req.To, cal.Location)
	if err != nil {
		return ImportPopulationResult{}, err
	}
	if lo.IsZero() || hi.IsZero() {
		window, err := cadence.Window(spec, plan)
		if err != nil {
			return ImportPopulationResult{}, err
		}
		if lo.IsZero() {
			lo = window.Start.In(cal.Location)
		}
		if hi.IsZero() {
			last := cal.Today(s.now())
			if window.End.Before(last) {
				last = window.End
			}
			hi = last.AddDays(1).In(cal.Location)
		}
	}
	res := ImportPopulationResult{From: compliance.DateOf(lo), To: compliance.DateOf(hi).AddDays(-1)}
	// A fresh update ID: each import reports what Jira holds now.
	updateID := fmt.Sprintf("import-population/%s/%s/%s/%d", req.EngagementID, res.From, res.To, s.now().UnixNano())
	wreq := workflows.ImportPopulationRequest{Actor: req.Actor, From: lo, To: hi}
	if err := s.update(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.UpdateImportPopulation, updateID, wreq, &res.ImportPopulationResult); err != nil {
		return res, fmt.Errorf("import populations of %s: %w", req.EngagementID, err)
	}
	return res, nil
}

func isHTTPLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}
