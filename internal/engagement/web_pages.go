package engagement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// Read models behind the web's pages. Each takes an engagement the caller
// has already been allowed to see (WebAccess) and reads only that
// engagement's records, so an ID from a URL reaches nothing else.

// PortfolioRow is one engagement on a person's portfolio.
type PortfolioRow struct {
	EngagementID string
	Client       string
	Frameworks   []string
	Phase        string
	AuditDate    string
	DaysToAudit  int
	NextPhase    string
	NextPhaseOn  string
	OpenByLevel  map[string]int
	OpenTotal    int
	OnTimeRate   *float64
	// Drift is the worst drift level of any control ("" before the
	// evidence record can be built).
	Drift string
	// Scrutiny is the customers' side, as `status` shows it: open
	// reviews, questions waiting, owners who have not read the newest
	// report. Nil when there is none or the viewer may not see it.
	Scrutiny *Scrutiny
	// ChangeGaps sums the remediations the changes' rounds started (the
	// engagement page lists them); nil when there is none or the viewer
	// may not see it.
	ChangeGaps *ChangeGaps
	Roles      []string
	Access     EngagementAccess
}

// Portfolio lists what acc may see, one row per engagement.
func (s *Service) Portfolio(ctx context.Context, acc WebAccessResult) ([]PortfolioRow, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	var rows []PortfolioRow
	for _, a := range acc.Engagements {
		sum, err := st.Engagement(ctx, a.EngagementID)
		if err != nil {
			return nil, err
		}
		_, plan, err := st.SpecAndPlan(ctx, a.EngagementID)
		if err != nil {
			return nil, err
		}
		today := s.today(plan)
		row := PortfolioRow{EngagementID: a.EngagementID, Client: sum.Client, Frameworks: sum.Frameworks, Phase: sum.Phase,
			AuditDate: sum.AuditDate, Roles: a.RoleNames(), Access: a, OpenByLevel: map[string]int{}}
		if !plan.AuditDate.IsZero() {
			row.DaysToAudit = today.DaysUntil(plan.AuditDate)
		}
		for _, p := range Timeline(plan, today) {
			if p.Start.After(today) {
				row.NextPhase, row.NextPhaseOn = p.Name, p.Start.String()
				break
			}
		}
		if a.MayView() || a.MayAnswer() {
			open, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: a.EngagementID, Status: postgres.PromptOpen})
			if err != nil {
				return nil, err
			}
			for _, p := range open {
				if !a.MayView() && !strings.EqualFold(p.AddresseeEmail, acc.Email) {
					continue
				}
				row.OpenByLevel[levelOf(p)]++
				row.OpenTotal++
			}
		}
		if a.MayView() {
			row.OnTimeRate, row.Drift = s.onTimeAndDrift(ctx, st, a.EngagementID)
			if row.Scrutiny, err = scrutiny(ctx, st, a.EngagementID); err != nil {
				return nil, err
			}
			items, err := st.Items(ctx, a.EngagementID)
			if err != nil {
				return nil, err
			}
			row.ChangeGaps = changeGaps(changeRemediations(a.EngagementID, items, s.now()))
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(x, y PortfolioRow) int { return cmp.Compare(x.Client+x.EngagementID, y.Client+y.EngagementID) })
	return rows, nil
}

// onTimeAndDrift reads the on-time rate (nil before anything fell due)
// and the worst drift level from the evidence record.
func (s *Service) onTimeAndDrift(ctx context.Context, st *postgres.Store, id string) (*float64, string) {
	op, err := reports.Build(ctx, st, id, s.now())
	if err != nil {
		return nil, ""
	}
	worst := -1
	for _, c := range op.Controls {
		worst = max(worst, slices.Index(drift.Levels, c.Drift.Level))
	}
	level := ""
	if worst >= 0 {
		level = string(drift.Levels[worst])
	}
	if op.Due == 0 {
		return nil, level
	}
	r := op.OnTimeRate
	return &r, level
}

// levelOf is the prompt's rung on the escalation ladder ("asked" before
// the first step).
func levelOf(p postgres.Prompt) string {
	if p.Level == "" {
		return "asked"
	}
	return p.Level
}

func (s *Service) today(plan compliance.Plan) compliance.Date {
	loc := time.UTC
	if plan.TimeZone != "" {
		if l, err := time.LoadLocation(plan.TimeZone); err == nil {
			loc = l
		}
	}
	return compliance.DateOf(s.now().In(loc))
}

// PhaseSpan is one phase of the plan on the timeline.
type PhaseSpan struct {
	Name       string
	Start, End compliance.Date
	Current    bool
	Done       bool
}

// Timeline lays the plan's phases out in order, marking today's.
func Timeline(plan compliance.Plan, today compliance.Date) []PhaseSpan {
	spans := []PhaseSpan{
		{Name: "gap assessment", Start: plan.GapAssessment.Start, End: plan.GapAssessment.End},
		{Name: "remediation", Start: plan.Remediation.Start, End: plan.Remediation.End},
		{Name: "operating", Start: plan.Operating.Start, End: plan.Operating.End},
		{Name: "readiness", Start: plan.Readiness.Start, End: plan.Readiness.End},
		{Name: "fieldwork", Start: plan.Fieldwork.Start, End: plan.Fieldwork.End},
	}
	out := spans[:0]
	for _, p := range spans {
		if p.Start.IsZero() {
			continue
		}
		p.Current = !today.Before(p.Start) && !today.After(p.End)
		p.Done = today.After(p.End)
		out = append(out, p)
	}
	return out
}

// Waiting is one open question: who we wait on, for what, since when, at
// which rung.
type Waiting struct {
	PromptID string
	Who      string
	Kind     string
	Subject  string
	Since    time.Time
	Due      time.Time
	Level    string
}

// OwnerProgress is one owner's gap-assessment answers so far.
type OwnerProgress struct {
	Owner    string
	Answered int
	Total    int
}

// Percent is the answered share, 0..100.
func (o OwnerProgress) Percent() int {
	if o.Total == 0 {
		return 0
	}
	return o.Answered * 100 / o.Total
}

// EngagementView is the engagement page.
type EngagementView struct {
	Summary     postgres.EngagementSummary
	Spec        compliance.Spec
	Plan        compliance.Plan
	Today       compliance.Date
	Timeline    []PhaseSpan
	Waiting     []Waiting
	OpenByLevel map[string]int
	Progress    []OwnerProgress
	Gaps        []postgres.GapEntry
	// Burndown is the remediation items still open at the end of each
	// week, from the first opened to today.
	Burndown []BurnPoint
	// ChangeRemediations are the changes' own remediations, as `status`
	// shows them.
	ChangeRemediations []ChangeRemediation
	// Operating is nil before the evidence record can be built.
	Operating *reports.Operating
	Findings  []postgres.Finding
	Events    []postgres.Event
	// Told is who has been told of each control's drift, and when (see
	// DriftTold), by control ID.
	Told map[string][]Told
	// MyOpen are the open questions addressed to the viewer (the lead's
	// scope sign-off and finding decisions among them).
	MyOpen []postgres.Prompt
	// Scrutiny is the customers' side, the same read model as `status`.
	Scrutiny *Scrutiny
}

// assessmentKind is the kind of the gap assessment's questions.
const assessmentKind = "control-status"

// EngagementPage reads everything the engagement page shows. eventKind
// filters the escalation history ("" : the escalation steps and answers).
func (s *Service) EngagementPage(ctx context.Context, id, viewer, eventKind string) (EngagementView, error) {
	st, err := s.store()
	if err != nil {
		return EngagementView{}, err
	}
	v := EngagementView{OpenByLevel: map[string]int{}}
	if v.Summary, err = st.Engagement(ctx, id); err != nil {
		return v, err
	}
	if v.Spec, v.Plan, err = st.SpecAndPlan(ctx, id); err != nil {
		return v, err
	}
	v.Today = s.today(v.Plan)
	v.Timeline = Timeline(v.Plan, v.Today)
	prompts, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: id})
	if err != nil {
		return v, err
	}
	byOwner := map[string]*OwnerProgress{}
	for _, p := range prompts {
		if p.Kind == assessmentKind {
			o := byOwner[p.AddresseeEmail]
			if o == nil {
				o = &OwnerProgress{Owner: p.AddresseeEmail}
				byOwner[p.AddresseeEmail] = o
			}
			o.Total++
			if p.Status == postgres.PromptAnswered {
				o.Answered++
			}
		}
		if p.Status != postgres.PromptOpen {
			continue
		}
		v.Waiting = append(v.Waiting, Waiting{PromptID: p.ID, Who: p.AddresseeEmail, Kind: p.Kind, Subject: p.Subject,
			Since: p.CreatedAt, Due: p.DueAt, Level: levelOf(p)})
		v.OpenByLevel[levelOf(p)]++
		if strings.EqualFold(p.AddresseeEmail, viewer) {
			v.MyOpen = append(v.MyOpen, p)
		}
	}
	slices.SortFunc(v.Waiting, func(a, b Waiting) int { return a.Since.Compare(b.Since) })
	for _, o := range byOwner {
		v.Progress = append(v.Progress, *o)
	}
	slices.SortFunc(v.Progress, func(a, b OwnerProgress) int { return cmp.Compare(a.Owner, b.Owner) })
	if v.Gaps, err = st.Register(ctx, id); err != nil {
		return v, err
	}
	v.Gaps = slices.DeleteFunc(v.Gaps, func(e postgres.GapEntry) bool { return !e.Gap })
	items, err := st.Items(ctx, id)
	if err != nil {
		return v, err
	}
	v.Burndown = Burndown(items, s.now())
	v.ChangeRemediations = changeRemediations(id, items, s.now())
	if op, err := reports.Build(ctx, st, id, s.now()); err == nil {
		v.Operating = &op
	}
	if v.Findings, err = st.ReadinessFindings(ctx, id); err != nil {
		return v, err
	}
	events, err := st.Events(ctx, id)
	if err != nil {
		return v, err
	}
	v.Events = FilterEvents(events, eventKind, 200)
	if v.Scrutiny, err = scrutiny(ctx, st, id); err != nil {
		return v, err
	}
	v.Told = DriftTold(events, &v.Spec, func(controlID string) string {
		if v.Operating != nil {
			if c, ok := v.Operating.Control(controlID); ok {
				return c.Owner
			}
		}
		return ""
	})
	return v, nil
}

// EscalationKinds are the events the escalation history shows by default.
var EscalationKinds = []string{postgres.EventPromptSent, postgres.EventPromptStep, postgres.EventPromptAnswered, postgres.EventPromptReassigned}

// FilterEvents keeps the newest max events of kind (or, with kind empty,
// of the escalation kinds), newest first.
func FilterEvents(events []postgres.Event, kind string, max int) []postgres.Event {
	out := make([]postgres.Event, 0, min(len(events), max))
	for i := len(events) - 1; i >= 0 && len(out) < max; i-- {
		e := events[i]
		if (kind == "" && slices.Contains(EscalationKinds, e.Kind)) || (kind != "" && e.Kind == kind) {
			out = append(out, e)
		}
	}
	return out
}

// OwnerView is a person's own questions and controls in one engagement.
type OwnerView struct {
	Summary  postgres.EngagementSummary
	Open     []postgres.Prompt
	Answered []postgres.Prompt
	Controls []reports.ControlReport
}

// OwnerPage reads the questions addressed to email and the controls they own.
func (s *Service) OwnerPage(ctx context.Context, id, email string) (OwnerView, error) {
	st, err := s.store()
	if err != nil {
		return OwnerView{}, err
	}
	var v OwnerView
	if v.Summary, err = st.Engagement(ctx, id); err != nil {
		return v, err
	}
	ps, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: id, Addressee: email})
	if err != nil {
		return v, err
	}
	for _, p := range ps {
		switch p.Status {
		case postgres.PromptOpen:
			v.Open = append(v.Open, p)
		case postgres.PromptAnswered:
			v.Answered = append(v.Answered, p)
		}
	}
	if op, err := reports.Build(ctx, st, id, s.now()); err == nil {
		for _, c := range op.Controls {
			if strings.EqualFold(c.Owner, email) {
				v.Controls = append(v.Controls, c)
			}
		}
	}
	return v, nil
}

// OpenPrompt returns one open prompt of an engagement addressed to email,
// or to someone email may answer for (a lead delegate, the lead's), or
// ErrNoAccess: a prompt ID from a form reaches only those questions in the
// engagement the page is about. The prompt's validator still decides.
func (s *Service) OpenPrompt(ctx context.Context, id, email, promptID string) (postgres.Prompt, error) {
	st, err := s.store()
	if err != nil {
		return postgres.Prompt{}, err
	}
	spec, _, err := s.spec(ctx, id)
	if err != nil {
		return postgres.Prompt{}, err
	}
	ps, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: id, Status: postgres.PromptOpen})
	if err != nil {
		return postgres.Prompt{}, err
	}
	for _, p := range ps {
		if p.ID == promptID && spec.MayAnswerFor(email, p.AddresseeEmail) {
			return p, nil
		}
	}
	return postgres.Prompt{}, ErrNoAccess
}

// AuditorRoom is what an invited auditor sees.
type AuditorRoom struct {
	Summary  postgres.EngagementSummary
	Review   readiness.Report
	Requests []AuditRow
	Accepted []postgres.Finding
}

// AuditorRoomPage samples the evidence the way the auditor will (today's
// seed) and lists the request list and accepted exceptions.
func (s *Service) AuditorRoomPage(ctx context.Context, id string) (AuditorRoom, error) {
	st, err := s.store()
	if err != nil {
		return AuditorRoom{}, err
	}
	var v AuditorRoom
	if v.Summary, err = st.Engagement(ctx, id); err != nil {
		return v, err
	}
	if v.Review, err = ReviewAsOf(ctx, st, ReadinessRequest{EngagementID: id}, s.now()); err != nil {
		return v, err
	}
	if v.Requests, err = AuditRowsWithFiles(ctx, st, id, "", s.now()); err != nil {
		return v, err
	}
	if v.Accepted, err = st.AcceptedExceptions(ctx, id); err != nil {
		return v, err
	}
	return v, nil
}

// SampledEvidence returns one evidence row of the engagement, only if
// today's sample drew it: the auditor downloads what was sampled.
func (s *Service) SampledEvidence(ctx context.Context, id string, evidenceID int64) (postgres.Evidence, error) {
	st, err := s.store()
	if err != nil {
		return postgres.Evidence{}, err
	}
	rep, err := ReviewAsOf(ctx, st, ReadinessRequest{EngagementID: id}, s.now())
	if err != nil {
		return postgres.Evidence{}, err
	}
	sampled := false
	for _, c := range rep.Controls {
		for _, sm := range c.Sample {
			if sm.Evidence != nil && sm.Evidence.ID == evidenceID {
				sampled = true
			}
		}
	}
	if !sampled {
		return postgres.Evidence{}, ErrNoAccess
	}
	all, err := st.EvidenceFor(ctx, id)
	if err != nil {
		return postgres.Evidence{}, err
	}
	for _, e := range all {
		if e.ID == evidenceID {
			return e, nil
		}
	}
	return postgres.Evidence{}, fmt.Errorf("evidence %d of %s: %w", evidenceID, id, errors.Join(ErrNoAccess, postgres.ErrNotFound))
}

// BurnPoint is how many remediation items were open at a day's end.
type BurnPoint struct {
	Day  string
	Open int
}

// maxBurnWeeks bounds the burn-down to its last year of weeks.
const maxBurnWeeks = 53

// Burndown counts the items open at the end of each week from the first
// item opened until now (a closed item counts until its ClosedAt).
func Burndown(items []postgres.RemediationItem, now time.Time) []BurnPoint {
	if len(items) == 0 {
		return nil
	}
	first := items[0].OpenedAt
	for _, it := range items {
		if it.OpenedAt.Before(first) {
			first = it.OpenedAt
		}
	}
	var out []BurnPoint
	for at := first.Add(7 * 24 * time.Hour); ; at = at.Add(7 * 24 * time.Hour) {
		if at.After(now) {
			at = now
		}
		open := 0
		for _, it := range items {
			if !it.OpenedAt.After(at) && (it.ClosedAt == nil || it.ClosedAt.After(at)) {
				open++
			}
		}
		out = append(out, BurnPoint{Day: at.Format("2006-01-02"), Open: open})
		if !at.Before(now) {
			break
		}
	}
	if len(out) > maxBurnWeeks {
		out = out[len(out)-maxBurnWeeks:]
	}
	return out
}
