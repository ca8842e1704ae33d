//go:build !race

// The race detector is off for this file: the SDK's test environment races
// with itself when a child workflow that selects on channels completes or
// continues as new while the parent is being told (go.temporal.io/sdk v1.51.0,
// internal_workflow_testsuite.go and internal_workflow.go, seen in both long
// lifecycle tests). scripts/test.sh runs these tests without -race instead.

package workflows

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// The controls whose evidence the lifecycle test asks for through prompts
// (the others' evidence is filed directly, on time, to keep the test small);
// and the deviations planted among them.
var (
	lifecycleControls = []string{"ACC-08", "ACC-04", "VUL-01", "PHY-01"}
	plantedMissing    = "VUL-01/2027-W10"
	plantedRetro      = "ACC-08/2027-03"
	lateControl       = "ACC-04" // every quarter answered after its deadline
	gapControl        = "ACC-08" // assessed missing, fixed in remediation
)

// TestLifecycleFromSpecToCertifiedProgramme runs one engagement through its
// whole life with time skipping, on the real activities and a real Postgres
// (no Slack or Jira configured, so questions are answered as from the CLI):
// spec → scope sign-off → gap assessment (one gap) → remediation → a
// twelve-month Type II window in which owners answer on time, late and not at
// all → the readiness review three weeks before the audit, finding exactly
// the planted deviations the sample reaches → the lead fixes one and accepts
// one → an auditor's request routed in fieldwork and answered →
// certification → a new office entering scope → a quarter of the certified
// programme's reviews.
func TestLifecycleFromSpecToCertifiedProgramme(t *testing.T) {
	ctx := context.Background()
	db := testenv.Postgres(t)
	spec := testSpec(t)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}
	spec.AuditDate = compliance.Date{Year: 2028, Month: 2, Day: 15}
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)

	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	env.SetTestTimeout(5 * time.Minute)
	RegisterWorkflows(env)
	env.RegisterActivity(&activities.Activities{Store: db.Store})
	// Gap ends and the window's close are read from Temporal before a
	// signal is believed; the testsuite has no server to ask.
	standInTemporalReads(env)
	env.SetStartTime(time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC))

	l := &lifecycle{t: t, env: env, db: db, spec: spec, cal: cal, answered: map[string]bool{}}
	l.tick = func() {
		l.day()
		if !l.done {
			env.RegisterDelayedCallback(l.tick, 24*time.Hour)
		}
	}
	env.RegisterDelayedCallback(l.tick, time.Hour)
	runAsChild(env, EngagementInput{Spec: spec, StartedBy: "sam@steadfast.example", Test: &TestHooks{OperatingControls: lifecycleControls}})
	require.True(t, env.IsWorkflowCompleted())
	require.Error(t, env.GetWorkflowError(), "the programme runs until the engagement is closed; the test closes it")
	require.True(t, l.done, "the lifecycle reached a quarter after certification (stuck at %s)", l.phase)

	// The engagement handed over to new runs through its long phases,
	// and everything below survived the hand-overs.
	assert.Positive(t, l.handovers[compliance.PhaseOperating], "hand-overs while the window operates: %v", l.handovers)
	assert.Positive(t, l.handovers[PhaseProgramme], "hand-overs while the programme runs: %v", l.handovers)
	t.Logf("engagement hand-overs by phase: %v", l.handovers)

	// Remediation closed the one gap with its evidence.
	items, err := db.Store.Items(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, items, 1)
	assert.Equal(t, gapControl, items[0].ControlID)

	// The readiness review found exactly the planted deviations that its
	// sample reached, and nothing else; the draw repeats from the stored
	// seed.
	review, err := db.Store.LatestReadinessReview(ctx, spec.ID)
	require.NoError(t, err)
	assert.Equal(t, activities.ReviewSeed(spec.ID, "r1"), review.Seed)
	require.NotNil(t, l.plan)
	assert.Equal(t, l.plan.Readiness.Start, compliance.DateOf(review.AsOf.In(cal.Location)), "the review runs when the plan's readiness starts, three weeks before the audit")
	var rep readiness.Report
	require.NoError(t, json.Unmarshal(review.Report, &rep), "the stored review is the whole report")
	evidence, err := db.Store.EvidenceFor(ctx, spec.ID)
	require.NoError(t, err)
	require.NotNil(t, l.plan)
	again, err := reports.ComputeReadiness(spec.ID, &spec, *l.plan, evidence, review.AsOf, review.Seed)
	require.NoError(t, err)
	want, err := json.Marshal(rep.Findings)
	require.NoError(t, err)
	got, err := json.Marshal(again.Findings)
	require.NoError(t, err)
	assert.JSONEq(t, string(want), string(got), "the draw repeats from the stored seed")
	planted := func(key string) bool {
		return key == plantedMissing || key == plantedRetro || strings.HasPrefix(key, lateControl+"/")
	}
	reached := 0
	for _, c := range rep.Controls {
		for _, s := range c.Sample {
			if planted(s.OccurrenceKey) {
				reached++
				assert.NotEmpty(t, s.Failed, "planted deviation %s was sampled and must fail", s.OccurrenceKey)
			} else {
				assert.Empty(t, s.Failed, "%s was not planted but failed %v", s.OccurrenceKey, s.Failed)
			}
		}
	}
	findings, err := db.Store.ReadinessFindings(ctx, spec.ID)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(findings), 2, "the late quarterly reviews are sampled")
	for _, f := range findings {
		assert.True(t, planted(f.OccurrenceKey), "finding %s was not planted", f.FindingID)
	}
	assert.GreaterOrEqual(t, len(findings), reached, "every sampled planted deviation is a finding")
	decisions := map[string]int{}
	for _, f := range findings {
		decisions[f.Decision]++
	}
	assert.Equal(t, 1, decisions[DecisionFix], "one fixed")
	assert.Equal(t, 1, decisions[DecisionAccept], "one accepted")
	accepted, err := db.Store.AcceptedExceptions(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, accepted, 1)
	assert.NotEmpty(t, accepted[0].Reason)
	fixes, err := db.Store.FindingFixes(ctx, spec.ID)
	require.NoError(t, err)
	assert.Len(t, fixes, 1, "the fixed finding has the owner's evidence")

	// The auditor's request was routed to its owner during fieldwork and
	// answered; the answer is on the request.
	reqs, err := db.Store.AuditRequests(ctx, spec.ID, compliance.AuditRequestFilter{})
	require.NoError(t, err)
	require.Len(t, reqs, 1)
	assert.Equal(t, compliance.AuditAnswered, reqs[0].Status)
	assert.Equal(t, "https://drive.example/pbc-1", reqs[0].AnswerLink)

	// Certified, and the programme planned the next window from the
	// report period.
	certs, err := db.Store.Certifications(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, certs, 1)
	assert.Equal(t, compliance.Date{Year: 2028, Month: 1, Day: 1}, l.programme.Window.Start)
	require.Len(t, l.programme.Changes, 1)
	assert.Equal(t, ChangeAssessed, l.programme.Changes[0].Status, "the office's controls were assessed")
	assert.Contains(t, l.programme.Changes[0].NewControls, "PHY-01")

	// A quarter of post-certification reviews went out and were done.
	prompts, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
	require.NoError(t, err)
	postReviews := 0
	for _, p := range prompts {
		if p.Kind == PromptKindReview && p.CreatedAt.After(l.certifiedAt) {
			postReviews++
			assert.Equal(t, compliance.PromptAnswered, p.Status, "%s answered", p.Key)
		}
	}
	assert.GreaterOrEqual(t, postReviews, len(lifecycleControls)-1, "a quarterly review per operated control after certification")
	t.Logf("lifecycle: %d evidence rows filed directly, %d prompts asked, %d findings (%d sampled planted), certified %s",
		l.filed, len(prompts), len(findings), reached, l.certifiedAt.Format("2006-01-02"))
}

// lifecycle plays the people of the engagement, once a day.
type lifecycle struct {
	t           *testing.T
	env         *testsuite.TestWorkflowEnvironment
	db          testenv.Database
	spec        compliance.Spec
	cal         *compliance.Calendar
	tick        func()
	answered    map[string]bool
	phase       compliance.Phase
	filedOthers bool
	filed       int
	retroFiled  bool
	decisions   int
	proposed    bool
	routed      bool
	certifiedAt time.Time
	programme   ProgrammeState
	plan        *compliance.Plan
	done        bool
	// until, when set, runs the programme to that instant (recertifying
	// each year) instead of stopping a quarter after certification.
	until time.Time
	// recertified lists the report periods certified after the first.
	recertified []compliance.Span
	// handovers counts, by phase, the engagement's hand-overs to a new
	// run seen from one day to the next.
	handovers map[compliance.Phase]int
	runs      int
}

func (l *lifecycle) day() {
	t, env := l.t, l.env
	ctx := context.Background()
	now := env.Now()
	st, ok := engagementStatus(t, env, l.spec.ID)
	if !ok {
		return // the engagement is between two runs: try tomorrow
	}
	l.phase = st.Phase
	if st.Runs > l.runs {
		if l.handovers == nil {
			l.handovers = map[compliance.Phase]int{}
		}
		l.handovers[st.Phase] += st.Runs - l.runs
		l.runs = st.Runs
	}
	if st.Plan != nil && l.plan == nil && st.Phase == compliance.PhaseOperating {
		l.plan = st.Plan
	}
	if st.Phase == compliance.PhaseScoping && len(st.Decisions) == 0 && !l.answered["signoff"] {
		l.answered["signoff"] = true
		signoff(t, env, 1, "approve", &updateResult{}, answer(DecisionApprove, leadEmail, "scope reviewed"))
		return
	}
	if !l.filedOthers && st.Phase != compliance.PhaseScoping {
		l.fileOthers()
	}
	open, err := l.db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: l.spec.ID, Status: compliance.PromptOpen})
	require.NoError(t, err)
	for _, p := range open {
		if l.answered[p.ID] {
			continue
		}
		req, ok := l.answerFor(p, now)
		if !ok {
			continue
		}
		l.answered[p.ID] = true
		r := &updateResult{}
		require.NoError(t, answerByPromptID(env, p.ID, "a-"+p.ID, r, req))
	}
	// The gap is fixed ten days into remediation.
	if st.Phase == compliance.PhaseRemediation {
		items, err := l.db.Store.Items(ctx, l.spec.ID)
		require.NoError(t, err)
		for _, it := range items {
			if !l.answered[it.ItemID] && it.OpenedAt.Before(now.Add(-10*24*time.Hour)) {
				l.answered[it.ItemID] = true
				require.NoError(t, env.UpdateWorkflowByID(it.ItemID, UpdateCompleteGap, "done", callbacks(&updateResult{}),
					CompleteGapRequest{Actor: cli(it.OwnerEmail), Evidence: "https://drive.example/fixed-" + it.ControlID, Channel: "cli"}))
			}
		}
	}
	l.fileRetrospective(now)
	switch {
	case st.Phase == compliance.PhaseFieldwork && !l.routed:
		l.routed = true
		l.routeAuditRequest(now)
	case st.Phase == compliance.PhaseFieldwork && l.certifiedAt.IsZero() && now.After(time.Date(2028, 2, 25, 0, 0, 0, 0, time.UTC)):
		l.certifiedAt = now
		cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(now.Add(-24 * time.Hour)),
			ReportPeriod: compliance.Span{Start: l.spec.Frameworks[0].Window.Start, End: l.spec.Frameworks[0].Window.End}, Reference: "SOC2-2027"}
		r := &updateResult{}
		require.NoError(t, env.UpdateWorkflowByID(EngagementWorkflowID(l.spec.ID), UpdateCertify, "certify", callbacks(r), CertifyRequest{Certification: cert, Actor: cli(leadEmail)}))
	case st.Phase == PhaseProgramme && !l.proposed && now.After(l.certifiedAt.Add(3*24*time.Hour)):
		l.proposed = true
		office := compliance.System{Name: "London office", Kind: compliance.KindPhysical, Environment: "corporate", Scope: "in"}
		require.NoError(t, env.UpdateWorkflowByID(ProgrammeWorkflowID(l.spec.ID), UpdateAddSystem, "office", callbacks(&updateResult{}),
			AddSystemRequest{System: office, Actor: cli(leadEmail)}))
	case st.Phase == PhaseProgramme && l.until.IsZero() && now.After(l.certifiedAt.Add(100*24*time.Hour)):
		v, err := env.QueryWorkflowByID(ProgrammeWorkflowID(l.spec.ID), QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&l.programme))
		l.done = true
		env.CancelWorkflow()
	case !l.until.IsZero() && now.After(l.until):
		l.done = true
		env.CancelWorkflow()
	case st.Phase == PhaseProgramme && !l.until.IsZero():
		l.recertify(now)
	case l.until.IsZero() && now.After(time.Date(2028, 9, 1, 0, 0, 0, 0, time.UTC)):
		l.done = true // stuck: stop and let the assertions say where
		env.CancelWorkflow()
	}
}

// recertify records each later report six weeks after the programme's
// window closes, as the auditor issues it, so the next cycle plans from it.
func (l *lifecycle) recertify(now time.Time) {
	var ps ProgrammeState
	ok := func() (ok bool) {
		defer func() {
			if recover() != nil {
				ok = false // the programme is between two runs
			}
		}()
		v, err := l.env.QueryWorkflowByID(ProgrammeWorkflowID(l.spec.ID), QueryProgramme)
		if err != nil {
			return false // the programme has closed; the assertions say why
		}
		require.NoError(l.t, v.Get(&ps))
		return true
	}()
	if !ok || ps.Window.End.IsZero() {
		return
	}
	l.programme = ps
	w := ps.Window
	if now.Before(w.End.In(time.UTC).AddDate(0, 0, 42)) || (len(l.recertified) > 0 && l.recertified[len(l.recertified)-1] == w) {
		return
	}
	l.recertified = append(l.recertified, w)
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(now.Add(-24 * time.Hour)), ReportPeriod: w,
		Reference: fmt.Sprintf("SOC2-%d", w.End.Year)}
	r := &updateResult{}
	require.NoError(l.t, l.env.UpdateWorkflowByID(EngagementWorkflowID(l.spec.ID), UpdateCertify, "certify-"+w.End.String(), callbacks(r),
		CertifyRequest{Certification: cert, Actor: cli(leadEmail)}))
	l.env.RegisterDelayedCallback(func() {
		require.True(l.t, r.done, "the certify update finished")
		require.NoError(l.t, r.rejected, "the lead records the report")
		require.NoError(l.t, r.err)
	}, time.Minute)
}

// answerFor is how each person answers: on time, late, never, or (for the
// lead) fix one finding and accept the next.
func (l *lifecycle) answerFor(p compliance.Prompt, now time.Time) (AnswerPromptRequest, bool) {
	by := p.AddresseeEmail
	switch p.Kind {
	case assessmentPromptKind:
		control := p.Key[strings.LastIndexByte(p.Key, '/')+1:]
		if control == gapControl {
			return AnswerPromptRequest{Choice: AssessMissing, Actor: cli(by)}, true
		}
		return AnswerPromptRequest{Choice: AssessImplemented, Note: "runs as designed", Actor: cli(by)}, true
	case PromptKindEvidence:
		occ := strings.TrimPrefix(p.Key, "evidence/")
		switch {
		case occ == plantedMissing, occ == plantedRetro:
			return AnswerPromptRequest{}, false
		case strings.HasPrefix(occ, lateControl+"/") && !now.After(p.DueAt):
			return AnswerPromptRequest{}, false
		}
		return AnswerPromptRequest{Choice: "evidence", Link: "https://drive.example/" + occ, Actor: cli(by)}, true
	case PromptKindReview, PromptKindScopeChange:
		choice := "operates"
		if p.Kind == PromptKindScopeChange {
			choice = "approve"
		}
		return AnswerPromptRequest{Choice: choice, Actor: cli(by)}, true
	case PromptKindFindingDecision:
		l.decisions++
		switch l.decisions {
		case 1:
			return AnswerPromptRequest{Choice: DecisionFix, Actor: cli(by)}, true
		case 2:
			return AnswerPromptRequest{Choice: DecisionAccept, Note: "the review happened on time; the record was filed late", Actor: cli(by)}, true
		}
		return AnswerPromptRequest{}, false
	case PromptKindFindingFix:
		return AnswerPromptRequest{Choice: "fixed", Link: "https://drive.example/fix", Actor: cli(by)}, true
	case auditreq.PromptKind:
		return AnswerPromptRequest{Choice: auditreq.ChoiceProvided, Link: "https://drive.example/pbc-1", Actor: cli(by)}, true
	}
	return AnswerPromptRequest{}, false
}

// routeAuditRequest records one auditor's request and has the engagement
// route it to the control's owner, as `starter audit request` does.
func (l *lifecycle) routeAuditRequest(now time.Time) {
	due := now.Add(5 * 24 * time.Hour)
	owner := l.spec.OwnerOf(catalog.Default().Control("ACC-04").Domain)
	key := auditreq.PromptKey("PBC-1")
	_, _, err := l.db.Store.AddAuditRequest(context.Background(), compliance.AuditRequest{EngagementID: l.spec.ID, RequestID: "PBC-1",
		ControlID: "ACC-04", Description: "Q3 access review evidence", Owner: owner.Email, DueAt: due, RequestedBy: "auditor",
		ImportedFrom: "cli", PromptID: PromptWorkflowID(l.spec.ID, key)})
	require.NoError(l.t, err)
	r := &updateResult{}
	require.NoError(l.t, l.env.UpdateWorkflowByID(EngagementWorkflowID(l.spec.ID), UpdateRouteAuditRequest, "route-pbc-1", callbacks(r), RouteAuditRequest{Actor: cli(leadEmail), Prompt: PromptInput{
		EngagementID: l.spec.ID, Key: key, Kind: auditreq.PromptKind, Subject: "Audit request PBC-1 (ACC-04)",
		Question: "The auditor asks (PBC-1): Q3 access review evidence.", Choices: []compliance.PromptChoice{
			{Value: auditreq.ChoiceProvided, Label: "Provided", LinkRequired: true}, {Value: auditreq.ChoiceCannotProvide, Label: "Cannot", NoteRequired: true}},
		To: owner, Leads: l.spec.PeopleWithRole(compliance.RoleLead), Policy: l.spec.Reminders, Due: due, Until: due.Add(10 * 24 * time.Hour)}}))
}

// fileOthers files the on-time evidence of the controls not asked through
// prompts, once the engagement is recorded.
func (l *lifecycle) fileOthers() {
	l.filedOthers = true
	app, err := catalog.Default().ForSpec(&l.spec)
	require.NoError(l.t, err)
	for _, ac := range app.Controls {
		if contains(lifecycleControls, ac.Control.ID) {
			continue
		}
		for _, o := range l.schedule(ac.Control) {
			l.give(ac.Control, o, o.Due.Add(-2*time.Hour), "filed/")
			l.filed++
		}
	}
}

// fileRetrospective gives the planted retrospective evidence once its grace
// has passed, as `starter evidence add` would.
func (l *lifecycle) fileRetrospective(now time.Time) {
	if l.retroFiled {
		return
	}
	c := catalog.Default().Control(strings.Split(plantedRetro, "/")[0])
	for _, o := range l.schedule(c) {
		if o.Key() == plantedRetro && now.After(o.GraceEnd.Add(24*time.Hour)) {
			l.retroFiled = true
			l.give(c, o, now, "retro/")
		}
	}
}

// schedule is a control's occurrences over the engagement's window.
func (l *lifecycle) schedule(c *catalog.Control) []cadence.Occurrence {
	w := l.spec.Frameworks[0].Window
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency,
		Window: compliance.Span{Start: w.Start, End: w.End}, Calendar: l.cal})
	require.NoError(l.t, err)
	return occs
}

// give files an occurrence's evidence from its owner at a given time.
func (l *lifecycle) give(c *catalog.Control, o cadence.Occurrence, at time.Time, source string) {
	_, err := l.db.Store.AddEvidence(context.Background(), compliance.Evidence{EngagementID: l.spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
		PeriodStart: o.Period.Start.In(l.cal.Location), PeriodEnd: o.Period.End.In(l.cal.Location), DueAt: o.Due,
		SubmittedAt: at, SubmittedBy: l.spec.OwnerOf(c.Domain).Email, Channel: "cli", Kind: "link",
		Value: "https://drive.example/" + source + o.Key(), SubmissionKey: source + o.Key()})
	require.NoError(l.t, err)
}
