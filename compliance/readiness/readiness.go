// Package readiness runs the readiness review: a mock audit that tests the
// controls the way the auditor will, before the auditor does. For each
// control it takes the population of occurrences that have fallen due in the
// operating window so far, draws the auditor's sample (sizes by frequency
// from compliance/sampling, one per stratum so it spreads across the period,
// reproducible from a recorded seed), and tests every sampled occurrence:
// evidence present, on time, not raised retrospectively, given by the owner
// or an authorised delegate, within the window. Every failed test is a
// finding worded the way an auditor writes an exception, ranked by which
// would qualify the report first.
//
// A per-event or continuous control whose events are recorded (imported
// from Jira or recorded by hand) is sampled from those events instead, as
// the auditor samples the deployment log rather than the months: each
// sampled event must have a linked record, an approval given no later than
// the event, and fall within the window. Without recorded events such a
// control is sampled from its monthly attestations as before.
//
// It is pure: no I/O, no clock. The caller passes the instant (AsOf) and the
// seed in, so a review is reproducible.
package readiness

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
)

// Control is one applicable control under review.
type Control struct {
	ID          string               `json:"control_id"`
	Title       string               `json:"title"`
	Description string               `json:"description,omitempty"`
	Frequency   compliance.Frequency `json:"frequency"`
	// Evidence is what the auditor samples (from the control library).
	Evidence string `json:"evidence,omitempty"`
	// Automated: enforced by a system (from the control library).
	Automated bool `json:"automated,omitempty"`
	// Risk is the control's own risk level from the spec (empty: the
	// review's).
	Risk sampling.Risk `json:"risk,omitempty"`
	// Owner is the email of the control's owner.
	Owner string `json:"owner"`
	// Delegates are the other people whose evidence counts for the control
	// (the lead and lead delegates).
	Delegates []string `json:"delegates,omitempty"`
	// Assigned names, by occurrence key, whoever the lead reassigned the
	// occurrence's prompt to (as the prompt recorded it): their evidence
	// counts for that occurrence too.
	Assigned map[string]string `json:"-"`
	// Requirements lists, per framework, the requirement IDs the control
	// satisfies in this engagement.
	Requirements map[compliance.FrameworkID][]string `json:"requirements"`
	// CustomerRelied: customers' data depends on the control (it satisfies a
	// requirement customers rely on).
	CustomerRelied bool `json:"customer_relied"`
	// Occurrences are the control's occurrences in the window. Those not
	// fallen due by AsOf (deadline not passed) are left out of the
	// population, so passing the whole schedule is fine.
	Occurrences []cadence.Occurrence `json:"-"`
	// Events are a per-event or continuous control's recorded events (see
	// events.go); those after AsOf are left out. Ignored for controls of
	// any other frequency.
	Events []Event `json:"-"`
	// SourceCounts are the source's counts of the control's events per
	// imported period, reconciled against Events.
	SourceCounts []SourceCount `json:"source_counts,omitempty"`
}

// Evidence is a submission that times an occurrence (corrections are not
// passed in: they do not move timing). The earliest given at or before AsOf
// counts; ties go to the earlier in the slice.
type Evidence struct {
	ID            int64     `json:"id"`
	OccurrenceKey string    `json:"occurrence_key"`
	At            time.Time `json:"submitted_at"`
	By            string    `json:"submitted_by"`
	Channel       string    `json:"channel,omitempty"`
	Kind          string    `json:"kind,omitempty"`
	ValueSHA256   string    `json:"value_sha256,omitempty"`
	// PerformedAt is when the control was performed (zero: At).
	PerformedAt time.Time `json:"performed_at,omitzero"`
	// Link is the evidence's URL when it is a link; Artifact the stored
	// file when it is a file.
	Link     string               `json:"link,omitempty"`
	Artifact *compliance.Artifact `json:"artifact,omitempty"`
	// Covers is the period a record covers: one day of a daily batch
	// answered day by day (zero: the whole occurrence).
	Covers compliance.Span `json:"covers,omitzero"`
}

// Input is one engagement to review.
type Input struct {
	EngagementID string
	Window       compliance.Span
	AsOf         time.Time
	// Seed is the recorded seed of the draw; each control's sample is drawn
	// from a seed derived from it, the engagement and the control ID.
	Seed uint64
	// Risk sizes the samples; empty means moderate.
	Risk     sampling.Risk
	Controls []Control
	Evidence []Evidence
}

// Test is one test of a sampled occurrence.
type Test string

const (
	TestPresent      Test = "evidence-present"
	TestInPeriod     Test = "performed-in-period"
	TestOnTime       Test = "on-time"
	TestContemporary Test = "not-retrospective"
	TestAuthorised   Test = "authorised-preparer"
	TestWithinWindow Test = "within-window"
)

// Tests lists the tests in the order they are applied.
var Tests = []Test{TestPresent, TestInPeriod, TestOnTime, TestContemporary, TestAuthorised, TestWithinWindow}

// testOrder ranks every test, occurrence and event ones together, for the
// order of findings on the same control and key.
var testOrder = []Test{TestPresent, TestInPeriod, TestOnTime, TestContemporary, TestAuthorised, TestEventRecord, TestApproved,
	TestSegregation, TestComplete, TestWithinWindow}

// Severity is how badly a finding would read in the report: the same
// high/medium/low scale the scope risks use.
type Severity = compliance.Severity

const (
	SeverityHigh   = compliance.SeverityHigh
	SeverityMedium = compliance.SeverityMedium
	SeverityLow    = compliance.SeverityLow
)

// EvidenceRef points at the evidence a sampled occurrence was tested on.
type EvidenceRef struct {
	ID          int64     `json:"id"`
	ValueSHA256 string    `json:"value_sha256,omitempty"`
	SubmittedAt time.Time `json:"submitted_at"`
	SubmittedBy string    `json:"submitted_by"`
	Channel     string    `json:"channel,omitempty"`
	Kind        string    `json:"kind,omitempty"`
	PerformedAt time.Time `json:"performed_at,omitzero"`
	// Link is the URL of evidence that is a link (marked as such in the
	// pack: its target is not in it); Artifact the file of evidence that is
	// a file (in the pack, named by its hash).
	Link     string               `json:"link,omitempty"`
	Artifact *compliance.Artifact `json:"artifact,omitempty"`
}

// Finding is one failed test: a predicted exception.
type Finding struct {
	Rank          int          `json:"rank"`
	ControlID     string       `json:"control_id"`
	Title         string       `json:"title"`
	Owner         string       `json:"owner"`
	OccurrenceKey string       `json:"occurrence_key"`
	Test          Test         `json:"test"`
	Evidence      *EvidenceRef `json:"evidence,omitempty"`
	// Exception is the finding in an auditor's words.
	Exception  string                   `json:"exception"`
	Severity   Severity                 `json:"severity"`
	Frameworks []compliance.FrameworkID `json:"frameworks"`
	// Requirements are the framework:ID references the control satisfies.
	Requirements   []string `json:"requirements"`
	CustomerRelied bool     `json:"customer_relied"`
}

// Sampled is one sampled occurrence and how it tested.
type Sampled struct {
	OccurrenceKey string          `json:"occurrence_key"`
	Period        compliance.Span `json:"period"`
	Due           time.Time       `json:"due"`
	GraceEnd      time.Time       `json:"grace_end"`
	Status        drift.Status    `json:"status"`
	// Judgement is the shared judgement the status and tests come from.
	Judgement drift.Judgement `json:"judgement"`
	Evidence  *EvidenceRef    `json:"evidence,omitempty"`
	// Event is the sampled event, when the sample was drawn from events;
	// OccurrenceKey is then its key and Due the time it occurred.
	Event  *Event `json:"event,omitempty"`
	Failed []Test `json:"failed,omitempty"`
}

// Passed reports whether every test passed.
func (s Sampled) Passed() bool { return len(s.Failed) == 0 }

// ControlResult is one control's population, sample and results.
type ControlResult struct {
	Control
	// Population lists the keys of the occurrences fallen due, in order.
	Population []string `json:"population"`
	SampleSize int      `json:"sample_size"`
	// PlannedSize is the full-period sample for the control (the gap
	// register's figure); SampleSize is what could be drawn from the
	// occurrences fallen due so far, never more than it.
	PlannedSize int `json:"planned_sample_size"`
	// SizeWhy says why the sample is that size.
	SizeWhy string `json:"size_why,omitempty"`
	// NotTested says why nothing of the control could be tested (empty
	// when something was).
	NotTested string `json:"not_tested,omitempty"`
	// Seed is the control's own seed, derived from the review's.
	Seed     uint64    `json:"seed"`
	Sample   []Sampled `json:"sample"`
	Findings []Finding `json:"findings"`
	Note     string    `json:"note,omitempty"`
}

// Criterion is the predicted exceptions against one framework requirement.
type Criterion struct {
	Framework   compliance.FrameworkID `json:"framework"`
	Requirement string                 `json:"requirement"`
	Findings    int                    `json:"findings"`
	Controls    []string               `json:"controls"`
}

// Action is what to do about one control before fieldwork.
type Action struct {
	ControlID string `json:"control_id"`
	Owner     string `json:"owner"`
	Text      string `json:"text"`
}

// Report is the readiness review.
type Report struct {
	EngagementID string          `json:"engagement_id"`
	Window       compliance.Span `json:"window"`
	AsOf         time.Time       `json:"as_of"`
	Seed         uint64          `json:"seed"`
	// Risk is the control risk the sample sizes were drawn for (an input,
	// not an outcome): named sample_risk so a reader does not take
	// "moderate" for the review's verdict.
	Risk sampling.Risk `json:"sample_risk"`
	// Controls are every control reviewed, by control ID.
	Controls []ControlResult `json:"controls"`
	// Tested is the number of controls with a non-empty sample.
	Tested  int `json:"controls_tested"`
	Sampled int `json:"occurrences_sampled"`
	// Findings are every finding, ranked.
	Findings []Finding `json:"findings"`
	// Criteria are the predicted exceptions per framework requirement, most
	// first.
	Criteria        []Criterion `json:"criteria"`
	BeforeFieldwork []Action    `json:"before_fieldwork"`
}

// ControlSeed is the seed a control's sample is drawn from: stable for the
// review's seed, the engagement and the control, so any one control's draw
// can be repeated alone.
func ControlSeed(seed uint64, engagementID, controlID string) uint64 {
	return sampling.SeedFor(strconv.FormatUint(seed, 10), engagementID, controlID)
}

// Review runs the mock audit. A control whose frequency is unknown is
// reported with a note and no sample.
func Review(in Input) Report {
	risk := in.Risk
	if risk == "" {
		risk = sampling.RiskModerate
	}
	rep := Report{EngagementID: in.EngagementID, Window: in.Window, AsOf: in.AsOf, Seed: in.Seed, Risk: risk,
		Controls: []ControlResult{}, Findings: []Finding{}, Criteria: []Criterion{}, BeforeFieldwork: []Action{}}
	first := firstByKey(in.Evidence, in.AsOf)
	all := allByKey(in.Evidence, in.AsOf)
	controls := slices.Clone(in.Controls)
	slices.SortStableFunc(controls, func(a, b Control) int { return strings.Compare(a.ID, b.ID) })
	for _, c := range controls {
		cr := reviewControl(in, risk, c, first, all)
		if len(cr.Sample) > 0 {
			rep.Tested++
		}
		rep.Sampled += len(cr.Sample)
		rep.Findings = append(rep.Findings, cr.Findings...)
		rep.Controls = append(rep.Controls, cr)
	}
	rank(rep.Findings)
	// Give each control's findings their report ranks.
	rankOf := map[string]int{}
	for _, f := range rep.Findings {
		rankOf[f.ControlID+"\x00"+f.OccurrenceKey+"\x00"+string(f.Test)] = f.Rank
	}
	for i := range rep.Controls {
		for j := range rep.Controls[i].Findings {
			f := &rep.Controls[i].Findings[j]
			f.Rank = rankOf[f.ControlID+"\x00"+f.OccurrenceKey+"\x00"+string(f.Test)]
		}
	}
	rep.Criteria = criteria(rep.Findings)
	rep.BeforeFieldwork = actions(rep)
	return rep
}

func reviewControl(in Input, risk sampling.Risk, c Control, first map[string]Evidence, all map[string][]Evidence) ControlResult {
	cr := ControlResult{Control: c, Population: []string{}, Sample: []Sampled{}, Findings: []Finding{}}
	if cr.Requirements == nil {
		cr.Requirements = map[compliance.FrameworkID][]string{}
	}
	var pop []cadence.Occurrence
	for _, o := range c.Occurrences {
		if !o.Due.After(in.AsOf) {
			pop = append(pop, o)
		}
	}
	slices.SortStableFunc(pop, func(a, b cadence.Occurrence) int { return a.Due.Compare(b.Due) })
	for _, o := range pop {
		cr.Population = append(cr.Population, o.Key())
	}
	cr.Seed = ControlSeed(in.Seed, in.EngagementID, c.ID)
	want, why, err := sampling.SizeFor(sampling.ControlSizing{Frequency: c.Frequency, Risk: c.Risk, Automated: c.Automated,
		Description: c.Description}, risk)
	if err != nil {
		cr.Note = "not sampled: " + err.Error()
		cr.NotTested = cr.Note
		return cr
	}
	cr.SizeWhy = why
	cr.PlannedSize = want
	if events := eventPopulation(c, in.AsOf); len(events) > 0 {
		return reviewEvents(in, c, cr, events, want)
	}
	if catalog.TakesPopulation(c.Frequency) && !(c.Automated && c.Frequency == compliance.FreqContinuous) {
		// Monthly attestations say the owner saw nothing wrong; they are
		// not the events the auditor samples, so passing them would read
		// as a test that was never done.
		cr.Note = "not tested: no population — no events were recorded for this " + string(c.Frequency) +
			" control in the window (import them, or record each with `starter population record`)"
		cr.NotTested = cr.Note
		// A source that counted events nobody recorded is a finding even
		// though nothing could be sampled.
		cr.Findings = append(cr.Findings, reconcile(c, nil, in.AsOf.Location())...)
		return cr
	}
	cr.SampleSize = min(want, len(pop))
	switch {
	case len(pop) == 0:
		cr.Note = "nothing has fallen due yet, so nothing can be tested"
		cr.NotTested = cr.Note
	case cr.SampleSize < want:
		cr.Note = fmt.Sprintf("the population of %d is smaller than the usual sample of %d, so every occurrence is tested", len(pop), want)
	}
	if c.Frequency == compliance.FreqDaily && len(pop) > 0 {
		return reviewDays(in, c, cr, pop, all, want)
	}
	for _, o := range stratified(pop, cr.SampleSize, cr.Seed) {
		s := Sampled{OccurrenceKey: o.Key(), Period: o.Period, Due: o.Due, GraceEnd: o.GraceEnd}
		var sub *drift.Submission
		if e, ok := first[o.Key()]; ok {
			s.Evidence = &EvidenceRef{ID: e.ID, ValueSHA256: e.ValueSHA256, SubmittedAt: e.At, SubmittedBy: e.By, Channel: e.Channel, Kind: e.Kind,
				PerformedAt: e.PerformedAt, Link: e.Link, Artifact: e.Artifact}
			sub = &drift.Submission{OccurrenceKey: e.OccurrenceKey, At: e.At, PerformedAt: e.PerformedAt, By: e.By,
				Unauthorised: !c.Authority().Allows(o.Key(), e.By)}
		}
		s.Judgement = drift.Judge(o, sub, in.AsOf, performedWindow(in.Window))
		s.Status = s.Judgement.Status
		for _, t := range Tests {
			sev, ok := test(t, c, o, s, in.Window)
			if ok {
				continue
			}
			s.Failed = append(s.Failed, t)
			cr.Findings = append(cr.Findings, finding(c, o, s, t, sev, cr.SampleSize, in.Window))
		}
		cr.Sample = append(cr.Sample, s)
	}
	return cr
}

// test applies one test to a sampled occurrence; ok is false when it fails,
// with the finding's severity.
func test(t Test, c Control, o cadence.Occurrence, s Sampled, window compliance.Span) (Severity, bool) {
	switch t {
	case TestPresent:
		switch s.Judgement.Timing {
		case drift.StatusMissed:
			return SeverityHigh, false
		case drift.StatusOverdue, drift.StatusPending:
			return SeverityMedium, false
		}
	case TestInPeriod:
		return SeverityHigh, s.Judgement.InPeriod
	case TestOnTime:
		return SeverityMedium, s.Judgement.Timing != drift.StatusLate
	case TestContemporary:
		return SeverityHigh, s.Judgement.Timing != drift.StatusRetrospective
	case TestAuthorised:
		return SeverityMedium, s.Judgement.Authorised
	case TestWithinWindow:
		inside := window.Start.IsZero() || (!o.Period.Start.Before(window.Start) && !o.Period.End.After(window.End))
		return SeverityLow, inside
	}
	return "", true
}

// Authority is whose evidence counts for the control: its owner, the
// delegates and whoever its occurrences' prompts were reassigned to.
func (c Control) Authority() drift.Authority {
	return drift.Authority{Owner: c.Owner, Others: c.Delegates, Assigned: c.Assigned}
}

// performedWindow is the window the judgement places performance in. The
// review's occurrences are already the window's, so only its start matters:
// work done before the window opened evidences nothing in it.
func performedWindow(w compliance.Span) compliance.Span {
	if w.Start.IsZero() {
		return compliance.Span{}
	}
	return compliance.Span{Start: w.Start}
}

func finding(c Control, o cadence.Occurrence, s Sampled, t Test, sev Severity, n int, window compliance.Span) Finding {
	f := newFinding(c, s, t, sev)
	lead := fmt.Sprintf("For 1 of %d %s occurrence%s sampled (%s, period %s)", n, c.Frequency, plural(n), s.OccurrenceKey, o.Period)
	what := evidenceOf(c)
	switch t {
	case TestPresent:
		if s.Status == drift.StatusMissed {
			f.Exception = fmt.Sprintf("%s, %s was not provided.", lead, what)
		} else {
			f.Exception = fmt.Sprintf("%s, %s had not been provided by the review date, %s after it was due.", lead, what, days(s.Due, s.GraceEnd, true))
		}
	case TestInPeriod:
		performed := s.Evidence.SubmittedAt
		if !s.Evidence.PerformedAt.IsZero() {
			performed = s.Evidence.PerformedAt
		}
		if s.Status == drift.StatusPerformedOutsideWindow {
			f.Exception = fmt.Sprintf("%s, %s shows the control performed on %s, before the audit window %s opened, so it does not evidence the period.",
				lead, what, performed.In(s.Due.Location()).Format("2006-01-02"), window)
		} else {
			f.Exception = fmt.Sprintf("%s, %s shows the control performed on %s, before the period opened, so it does not evidence the period.",
				lead, what, performed.In(s.Due.Location()).Format("2006-01-02"))
		}
	case TestOnTime:
		if s.Evidence.PerformedAt.IsZero() {
			f.Exception = fmt.Sprintf("%s, %s was provided %s after it was due.", lead, what, days(s.Due, s.Evidence.SubmittedAt, false))
		} else {
			f.Exception = fmt.Sprintf("%s, the control was performed %s after it was due.", lead, days(s.Due, performedOf(s.Evidence), false))
		}
	case TestContemporary:
		if p := performedOf(s.Evidence); p.After(s.GraceEnd) {
			f.Exception = fmt.Sprintf("%s, %s was raised retrospectively, %s after it was due, and does not show that the control operated at the time.",
				lead, what, days(s.Due, p, false))
		} else {
			f.Exception = fmt.Sprintf("%s, %s was recorded %s after the control was performed and after the occurrence closed, and does not show that the control operated at the time.",
				lead, what, days(p, s.Evidence.SubmittedAt, false))
		}
	case TestAuthorised:
		by := s.Evidence.SubmittedBy
		if strings.TrimSpace(by) == "" {
			f.Exception = fmt.Sprintf("%s, the person who provided %s was not recorded, so its preparer could not be confirmed as the control owner.", lead, what)
		} else {
			f.Exception = fmt.Sprintf("%s, %s was provided by %s, who is neither the control owner nor an authorised delegate.", lead, what, by)
		}
	case TestWithinWindow:
		f.Exception = fmt.Sprintf("%s, the period the evidence covers falls outside the audit window %s.", lead, window)
	}
	return f
}

// performedOf is when the evidence says the control was performed.
func performedOf(e *EvidenceRef) time.Time {
	if e.PerformedAt.IsZero() || e.PerformedAt.After(e.SubmittedAt) {
		return e.SubmittedAt
	}
	return e.PerformedAt
}

// newFinding is a finding on a sampled occurrence or event, without its
// words: the control, the test and the requirements it bears on.
func newFinding(c Control, s Sampled, t Test, sev Severity) Finding {
	f := Finding{ControlID: c.ID, Title: c.Title, Owner: c.Owner, OccurrenceKey: s.OccurrenceKey, Test: t,
		Evidence: s.Evidence, Severity: sev, CustomerRelied: c.CustomerRelied, Frameworks: []compliance.FrameworkID{}, Requirements: []string{}}
	for _, fw := range compliance.FrameworkIDs {
		ids := slices.Clone(c.Requirements[fw])
		if len(ids) == 0 {
			continue
		}
		slices.Sort(ids)
		f.Frameworks = append(f.Frameworks, fw)
		for _, id := range ids {
			f.Requirements = append(f.Requirements, string(fw)+":"+id)
		}
	}
	return f
}

func evidenceOf(c Control) string {
	if c.Title == "" {
		return "evidence that the control operated"
	}
	return fmt.Sprintf("evidence that the control %q operated", c.Title)
}

// days renders the time from due to at in whole days, rounding up; when
// open is set the span is still running and is described at its floor.
func days(due, at time.Time, open bool) string {
	d := at.Sub(due)
	n := int((d + 24*time.Hour - 1) / (24 * time.Hour))
	if open {
		n = int(d / (24 * time.Hour))
	}
	if n <= 1 {
		return "less than a day"
	}
	return fmt.Sprintf("%d days", n)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// rank orders findings: customer-relied controls first, then by how many
// requirements the control satisfies (most first), then by control ID,
// occurrence and test, and numbers them from 1.
func rank(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if a.CustomerRelied != b.CustomerRelied {
			if a.CustomerRelied {
				return -1
			}
			return 1
		}
		return cmp.Or(
			cmp.Compare(len(b.Requirements), len(a.Requirements)),
			strings.Compare(a.ControlID, b.ControlID),
			strings.Compare(a.OccurrenceKey, b.OccurrenceKey),
			cmp.Compare(slices.Index(testOrder, a.Test), slices.Index(testOrder, b.Test)),
		)
	})
	for i := range fs {
		fs[i].Rank = i + 1
	}
}

func criteria(fs []Finding) []Criterion {
	byRef := map[string]*Criterion{}
	for _, f := range fs {
		for _, ref := range f.Requirements {
			c, ok := byRef[ref]
			if !ok {
				fw, id, _ := strings.Cut(ref, ":")
				c = &Criterion{Framework: compliance.FrameworkID(fw), Requirement: id}
				byRef[ref] = c
			}
			c.Findings++
			if !slices.Contains(c.Controls, f.ControlID) {
				c.Controls = append(c.Controls, f.ControlID)
			}
		}
	}
	out := make([]Criterion, 0, len(byRef))
	for _, c := range byRef {
		slices.Sort(c.Controls)
		out = append(out, *c)
	}
	slices.SortFunc(out, func(a, b Criterion) int {
		return cmp.Or(
			cmp.Compare(slices.Index(compliance.FrameworkIDs, a.Framework), slices.Index(compliance.FrameworkIDs, b.Framework)),
			cmp.Compare(b.Findings, a.Findings),
			strings.Compare(a.Requirement, b.Requirement),
		)
	})
	return out
}

// actions gives one line per control with findings, in the order of its
// best-ranked finding.
func actions(rep Report) []Action {
	out := []Action{}
	seen := map[string]bool{}
	for _, f := range rep.Findings {
		if seen[f.ControlID] {
			continue
		}
		seen[f.ControlID] = true
		var cr ControlResult
		for _, c := range rep.Controls {
			if c.ID == f.ControlID {
				cr = c
			}
		}
		byTest := map[Test][]string{}
		for _, g := range cr.Findings {
			byTest[g.Test] = append(byTest[g.Test], g.OccurrenceKey)
		}
		var todo []string
		if k := byTest[TestPresent]; len(k) > 0 {
			todo = append(todo, "obtain the missing evidence for "+strings.Join(k, ", ")+" or accept it as a known exception with a reason")
		}
		if k := byTest[TestInPeriod]; len(k) > 0 {
			todo = append(todo, "obtain evidence performed within the period for "+strings.Join(k, ", ")+" (what was given predates it) or accept it as an exception")
		}
		if k := byTest[TestContemporary]; len(k) > 0 {
			todo = append(todo, "prepare to explain the retrospective evidence for "+strings.Join(k, ", ")+" (or accept it as an exception)")
		}
		if k := byTest[TestOnTime]; len(k) > 0 {
			todo = append(todo, "document why evidence for "+strings.Join(k, ", ")+" was late")
		}
		if k := byTest[TestAuthorised]; len(k) > 0 {
			todo = append(todo, "record the delegation (or have the owner re-attest) for "+strings.Join(k, ", "))
		}
		if k := byTest[TestEventRecord]; len(k) > 0 {
			todo = append(todo, "link the record (ticket, pull request or log entry) of "+strings.Join(k, ", "))
		}
		if k := byTest[TestApproved]; len(k) > 0 {
			todo = append(todo, "find the approval given before "+strings.Join(k, ", ")+" or accept each as an exception with a reason")
		}
		if k := byTest[TestSegregation]; len(k) > 0 {
			todo = append(todo, "have someone other than the author and implementer approve changes like "+strings.Join(k, ", ")+" (or accept each as an exception)")
		}
		if k := byTest[TestComplete]; len(k) > 0 {
			todo = append(todo, "re-import or record the missing events of "+strings.Join(k, ", ")+" so the population matches its source")
		}
		if k := byTest[TestWithinWindow]; len(k) > 0 {
			todo = append(todo, "remove evidence outside the window for "+strings.Join(k, ", "))
		}
		text := fmt.Sprintf("%s %s: %d finding%s in a sample of %d — %s; give every remaining occurrence's evidence before it is due.",
			cr.ID, cr.Title, len(cr.Findings), plural(len(cr.Findings)), cr.SampleSize, strings.Join(todo, "; "))
		out = append(out, Action{ControlID: cr.ID, Owner: cr.Owner, Text: text})
	}
	return out
}

// allByKey lists every record given by asOf per occurrence, earliest first.
func allByKey(ev []Evidence, asOf time.Time) map[string][]Evidence {
	out := map[string][]Evidence{}
	for _, e := range ev {
		if e.OccurrenceKey == "" || e.At.IsZero() || e.At.After(asOf) {
			continue
		}
		out[e.OccurrenceKey] = append(out[e.OccurrenceKey], e)
	}
	for _, es := range out {
		slices.SortStableFunc(es, func(a, b Evidence) int { return a.At.Compare(b.At) })
	}
	return out
}

// firstByKey picks the evidence that counts for each occurrence: the
// earliest given at or before asOf (ties go to the earlier in the slice).
func firstByKey(ev []Evidence, asOf time.Time) map[string]Evidence {
	out := make(map[string]Evidence, len(ev))
	for _, e := range ev {
		if e.OccurrenceKey == "" || e.At.IsZero() || e.At.After(asOf) {
			continue
		}
		if cur, ok := out[e.OccurrenceKey]; !ok || e.At.Before(cur.At) {
			out[e.OccurrenceKey] = e
		}
	}
	return out
}

// stratified draws n of pop, one uniformly from each of n consecutive,
// near-equal strata, in period order — the same draw compliance/sampling
// makes over its own populations, here over the cadence occurrences that
// have actually fallen due, or over a per-event control's recorded events.
func stratified[T any](pop []T, n int, seed uint64) []T {
	if n <= 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]T, 0, n)
	for i := range n {
		lo, hi := i*len(pop)/n, (i+1)*len(pop)/n
		out = append(out, pop[lo+rng.IntN(hi-lo)])
	}
	return out
}
