package workflows

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// changeWorld stands in for what a tailoring change meets outside the
// engagement (or the programme) in the testsuite: the lead's prompt and
// the re-assessment (fake children that answer when the test says), and
// Temporal itself, which WorkflowOutcome asks for a workflow an earlier run
// started. The testsuite has no server: the stand-in answers from the
// children's own ends, and before them says "running", as the real one
// does when its poll runs out.
type changeWorld struct {
	t *testing.T
	// leadAt and gapsAt: how long after the start the lead answers and
	// the owners have answered the re-assessment.
	leadAt, gapsAt time.Duration
	start          time.Time
	// cycle is how long the programme's scheduler runs its window;
	// leadSilent: the lead never answers.
	cycle      time.Duration
	leadSilent bool

	mu       sync.Mutex
	asked    []PromptInput
	assessed []GapAssessmentInput
	stored   []activities.RecordSpecInput
	awaited  []string
	// cancelled are the questions cancelled before the lead answered
	// (and the workflows cancelled by ID through the cancel mock).
	cancelled []string
	ended     map[string]any
}

// newChangeWorld is a time-skipping environment with the engagement and
// stand-ins for its children, in a world where the lead answers at leadAt
// and the owners have answered the re-assessment at gapsAt.
func newChangeWorld(t *testing.T, start time.Time, leadAt, gapsAt time.Duration) (*testsuite.TestWorkflowEnvironment, *changeWorld) {
	w := &changeWorld{t: t, leadAt: leadAt, gapsAt: gapsAt, start: start, ended: map[string]any{}}
	return w.newEnv(start), w
}

// newEnv is one environment of the world (a test that runs the next run
// itself starts another at the instant the first ended). The children are
// registered fakes, not mocks: the testsuite reports a mocked child
// started only when the mock returns, which would hold a hand-over (it
// waits for the assessment to have started) until the owners had
// answered. The programme's cycle (its scheduler, mocked) lasts w.cycle.
func (w *changeWorld) newEnv(start time.Time) *testsuite.TestWorkflowEnvironment {
	var ts testsuite.WorkflowTestSuite
	env := withIdentity(ts.NewTestWorkflowEnvironment())
	env.RegisterWorkflowWithOptions(EngagementWorkflow, workflow.RegisterOptions{Name: EngagementWorkflowName})
	env.RegisterWorkflowWithOptions(ProgrammeWorkflow, workflow.RegisterOptions{Name: ProgrammeWorkflowName})
	env.RegisterWorkflowWithOptions(OperatingWorkflow, workflow.RegisterOptions{Name: OperatingWorkflowName})
	env.RegisterWorkflowWithOptions(w.prompt, workflow.RegisterOptions{Name: PromptWorkflowName})
	env.RegisterWorkflowWithOptions(w.assessment, workflow.RegisterOptions{Name: GapAssessmentWorkflowName})
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	env.SetStartTime(start)
	env.OnActivity(acts.RecordPhase, mock.Anything, mock.Anything).Return(activities.RecordPhaseResult{}, nil)
	env.OnActivity(acts.AuditDates, mock.Anything, mock.Anything).Return(activities.AuditDatesResult{}, nil)
	env.OnActivity(acts.RecordSpec, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordSpecInput) error {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.stored = append(w.stored, in)
		return nil
	})
	env.OnWorkflow(OperatingWorkflowName, mock.Anything, mock.Anything).Return(func(ctx workflow.Context, _ OperatingInput) (OperatingResult, error) {
		return OperatingResult{}, workflow.Sleep(ctx, w.cycle)
	}).Maybe()
	env.OnActivity(acts.WorkflowOutcome, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.WorkflowOutcomeInput) (activities.WorkflowOutcomeResult, error) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.awaited = append(w.awaited, in.WorkflowID)
		if res, ok := w.ended[in.WorkflowID]; ok {
			b, err := json.Marshal(res)
			return activities.WorkflowOutcomeResult{Status: "completed", Result: b}, err
		}
		return activities.WorkflowOutcomeResult{Status: "running"}, nil
	})
	// The testsuite cancels a child of the same environment itself; one
	// of an earlier environment's is cancelled through this mock.
	env.OnRequestCancelExternalWorkflow(mock.Anything, mock.Anything, mock.Anything).Run(func(args mock.Arguments) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.cancelled = append(w.cancelled, args.String(1))
	}).Return(nil).Maybe()
	env.SetOnChildWorkflowCompletedListener(func(info *workflow.Info, _ converter.EncodedValue, err error) {
		if info.WorkflowType.Name == PromptWorkflowName && temporal.IsCanceledError(err) {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.cancelled = append(w.cancelled, info.WorkflowExecution.ID)
		}
	})
	return env
}

// prompt is the lead's question: the lead approves at leadAt.
func (w *changeWorld) prompt(ctx workflow.Context, in PromptInput) (PromptResult, error) {
	w.mu.Lock()
	w.asked = append(w.asked, in)
	w.mu.Unlock()
	if err := w.sleepUntil(ctx, w.leadAt); err != nil {
		return PromptResult{}, err
	}
	if w.leadSilent {
		// The testsuite waits for every child to end; as far as later
		// environments of the world know, this one never does.
		return PromptResult{}, nil
	}
	res := PromptResult{Outcome: OutcomeAnswered, Answer: &PromptAnswer{Choice: "approve", By: leadEmail}}
	w.end(ctx, res)
	return res, nil
}

// assessment is the change's re-assessment: the owners have answered at
// gapsAt. The register ranks the whole engagement: ACC-08 is not the
// change's.
func (w *changeWorld) assessment(ctx workflow.Context, in GapAssessmentInput) (GapAssessmentResult, error) {
	w.mu.Lock()
	w.assessed = append(w.assessed, in)
	w.mu.Unlock()
	if err := w.sleepUntil(ctx, w.gapsAt); err != nil {
		return GapAssessmentResult{}, err
	}
	res := GapAssessmentResult{Gaps: []activities.RegisterEntry{{ControlID: "ACC-02"}, {ControlID: "ACC-08"}}}
	w.end(ctx, res)
	return res, nil
}

func (w *changeWorld) sleepUntil(ctx workflow.Context, at time.Duration) error {
	if d := w.start.Add(at).Sub(workflow.Now(ctx)); d > 0 {
		return workflow.Sleep(ctx, d)
	}
	return nil
}

// end keeps a child's result under its workflow ID, as Temporal does; the
// stand-in encodes it when asked.
func (w *changeWorld) end(ctx workflow.Context, res any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ended[workflow.GetInfo(ctx).WorkflowExecution.ID] = res
}

// fieldworkWithRunAge is the engagement in fieldwork (before
// certification, where it takes tailoring changes) whose runs hand over
// every runAge.
func fieldworkWithRunAge(t *testing.T, runAge time.Duration) EngagementInput {
	spec := testSpec(t)
	plan, err := compliance.PlanEngagement(&spec, time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 3, Spec: spec, Plan: &plan}
	return EngagementInput{Spec: spec, State: st, Test: &TestHooks{RunAge: runAge}}
}

var newOwnerTailoring = compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{
	"ACC-02": {Owner: ownerEmail, Justification: "Leo took over provisioning"}}}

// TestTailoringChangeAwaitingTheLeadSurvivesHandOvers: the engagement's
// runs hand over every three hours. A change is proposed at 1h; the lead's
// question is open when the run hands over at 3h (before
// versionChangeHandOver the run could not hand over until the lead
// answered), and the lead answers at 5h, to the same question, in the
// second run. The second run finds the question by its workflow ID, reads
// the approval, stores the spec once and assesses the change once; the
// lead is asked once.
func TestTailoringChangeAwaitingTheLeadSurvivesHandOvers(t *testing.T) {
	start := time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 5*time.Hour, 5*time.Hour)
	in := fieldworkWithRunAge(t, 3*time.Hour)
	id := in.Spec.ID

	var proposed updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(EngagementWorkflowID(id), UpdateChangeTailoring, "t/1", callbacks(&proposed),
			ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cliActor(delegateEmail)}))
	}, time.Hour)
	var waiting, done EngagementStatus
	var waitingOK, doneOK bool
	env.RegisterDelayedCallback(func() { waiting, waitingOK = engagementStatus(t, env, id) }, 4*time.Hour)
	env.RegisterDelayedCallback(func() { done, doneOK = engagementStatus(t, env, id) }, 8*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Hour)
	runAsChild(env, in)
	require.True(t, env.IsWorkflowCompleted())

	require.NoError(t, proposed.rejected)
	require.NoError(t, proposed.err)
	ch := proposed.value.(ScopeChange)
	require.True(t, waitingOK)
	assert.GreaterOrEqual(t, waiting.Runs, 1, "the run handed over while the lead's question was open")
	require.Len(t, waiting.Changes, 1)
	assert.Equal(t, ChangeProposed, waiting.Changes[0].Status, "waiting for the lead")
	assert.True(t, waiting.Changes[0].LeadAsked)

	require.True(t, doneOK)
	assert.GreaterOrEqual(t, done.Runs, 2)
	require.Len(t, done.Changes, 1)
	assert.Equal(t, ChangeAssessed, done.Changes[0].Status, "the approval given after the hand-over was carried out")
	assert.Equal(t, 1, done.Changes[0].Gaps, "charged only with the gaps among its own controls")
	assert.Equal(t, []string{"ACC-02"}, done.Changes[0].NewControls)

	w.mu.Lock()
	defer w.mu.Unlock()
	require.Len(t, w.asked, 1, "the lead is asked once")
	assert.Equal(t, changePromptKey(ch), w.asked[0].Key)
	assert.Contains(t, w.awaited, PromptWorkflowID(id, changePromptKey(ch)), "the next run found the same question by its ID")
	require.Len(t, w.stored, 1, "the change is carried out once")
	assert.Equal(t, 4, w.stored[0].Revision)
	assert.Equal(t, newOwnerTailoring, w.stored[0].Spec.Tailoring)
	require.Len(t, w.assessed, 1, "and assessed once")
	assert.Equal(t, []string{"ACC-02"}, w.assessed[0].Only)
	assert.Equal(t, ch.ID, w.assessed[0].Round)
}

// TestTailoringChangeBeingAssessedSurvivesHandOvers: the lead approves a
// change at once; its re-assessment is still with the owners when the run
// hands over at 3h (and again at 6h), and they have answered at 7h. The
// runs after the first find the assessment by its workflow ID and, once it
// ends, the change reads "assessed" with its own gaps (before
// versionChangeHandOver it stayed "approved", its gaps never counted).
func TestTailoringChangeBeingAssessedSurvivesHandOvers(t *testing.T) {
	start := time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 0, 7*time.Hour)
	in := fieldworkWithRunAge(t, 3*time.Hour)
	id := in.Spec.ID

	var proposed updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(EngagementWorkflowID(id), UpdateChangeTailoring, "t/1", callbacks(&proposed),
			ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cliActor(delegateEmail)}))
	}, time.Hour)
	var assessing, done EngagementStatus
	var assessingOK, doneOK bool
	env.RegisterDelayedCallback(func() { assessing, assessingOK = engagementStatus(t, env, id) }, 4*time.Hour)
	env.RegisterDelayedCallback(func() { done, doneOK = engagementStatus(t, env, id) }, 8*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Hour)
	runAsChild(env, in)
	require.True(t, env.IsWorkflowCompleted())

	require.NoError(t, proposed.err)
	ch := proposed.value.(ScopeChange)
	require.True(t, assessingOK)
	assert.GreaterOrEqual(t, assessing.Runs, 1, "the run handed over while owners answered")
	require.Len(t, assessing.Changes, 1)
	assert.Equal(t, ChangeApproved, assessing.Changes[0].Status, "its controls being assessed")

	require.True(t, doneOK)
	assert.GreaterOrEqual(t, done.Runs, 2, "handed over twice while the assessment ran")
	require.Len(t, done.Changes, 1)
	assert.Equal(t, ChangeAssessed, done.Changes[0].Status, "the assessment's end reached the run of the day")
	assert.Equal(t, 1, done.Changes[0].Gaps, "charged only with the gaps among its own controls")

	w.mu.Lock()
	defer w.mu.Unlock()
	require.Len(t, w.asked, 1)
	require.Len(t, w.stored, 1, "the spec is stored once")
	require.Len(t, w.assessed, 1, "the later runs started no second assessment")
	assert.Contains(t, w.awaited, changeAssessmentWorkflowID(id, ch.ID), "they found it by its ID")
}

// TestProgrammeTailoringChangeAwaitingTheLeadSurvivesTheCycle: the
// certified programme continues as new at each cycle's end, which falls
// while the lead has not answered a tailoring change. The next run finds
// the lead's question by its workflow ID and reads the answer given after
// the cycle ended (before versionChangeHandOver it asked the lead again,
// and a re-assessment running at the cycle's end was terminated and
// started over); the change is carried out once, in the next run.
func TestProgrammeTailoringChangeAwaitingTheLeadSurvivesTheCycle(t *testing.T) {
	spec := testSpec(t)
	start := time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 36*time.Hour, 0)
	w.cycle = 24 * time.Hour
	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	id := ProgrammeWorkflowID(spec.ID)

	var proposed updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateChangeTailoring, "t/1", callbacks(&proposed),
			ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cli(leadEmail)}))
	}, time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2}, Cycle: 1, Revision: 1})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can, "the cycle ends by continuing as new")
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	require.NoError(t, proposed.err)
	ch := proposed.value.(ScopeChange)
	require.Len(t, next.Changes, 1, "the change in progress is carried")
	assert.Equal(t, ChangeProposed, next.Changes[0].Status)
	assert.True(t, next.Changes[0].LeadAsked, "with the lead asked")
	assert.Equal(t, 2, next.Cycle)

	// The next cycle's run starts where the first ended; the lead
	// answered (at 36h) meanwhile.
	env2 := w.newEnv(start.Add(48 * time.Hour))
	var mid ProgrammeState
	env2.RegisterDelayedCallback(func() {
		v, err := env2.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 12*time.Hour)
	// The test's window is the same the first cycle ran, which would make
	// the run wait for a report: it runs a cycle instead and ends.
	next.LastWindow = compliance.Span{}
	env2.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	env2.ExecuteWorkflow(ProgrammeWorkflow, next)
	require.ErrorAs(t, env2.GetWorkflowError(), &can)
	require.NoError(t, decodePayloads(can, &next))
	assert.Empty(t, next.Changes, "nothing left to carry")
	assert.Equal(t, newOwnerTailoring, next.Spec.Tailoring)

	require.Len(t, mid.Changes, 1)
	assert.Equal(t, ChangeAssessed, mid.Changes[0].Status)
	assert.Equal(t, 1, mid.Changes[0].Gaps, "charged only with the gaps among its own controls")
	w.mu.Lock()
	defer w.mu.Unlock()
	require.Len(t, w.asked, 1, "the lead is asked once")
	assert.Contains(t, w.awaited, PromptWorkflowID(spec.ID, changePromptKey(ch)))
	require.Len(t, w.assessed, 1, "assessed once")
	assert.Equal(t, []string{"ACC-02"}, w.assessed[0].Only)
	var changed int
	for _, in := range w.stored {
		if in.Spec.Tailoring.Controls["ACC-02"].Owner == ownerEmail {
			changed++
		}
	}
	assert.Equal(t, 1, changed, "the new tailoring stored once (the next cycle carries it)")
}

// TestTailoringChangeLeftApprovedIsTakenUp: a run from before
// versionChangeHandOver handed over while a change's re-assessment ran, and
// left the change "approved" and uncounted. The next run (which takes
// changes across hand-overs) finds that assessment by its workflow ID and
// counts the change's gaps, without asking anyone again.
func TestTailoringChangeLeftApprovedIsTakenUp(t *testing.T) {
	start := time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 0, 0)
	in := fieldworkWithRunAge(t, tenYears)
	id := in.Spec.ID
	t2 := newOwnerTailoring
	ch := ScopeChange{ID: tailoringChangeID(t2), Tailoring: &t2, By: delegateEmail, NewControls: []string{"ACC-02"}, Status: ChangeApproved}
	in.State.Changes = []ScopeChange{ch}
	in.State.Spec.Tailoring = t2
	w.ended[changeAssessmentWorkflowID(id, ch.ID)] = GapAssessmentResult{Gaps: []activities.RegisterEntry{{ControlID: "ACC-02"}, {ControlID: "ACC-08"}}}
	var st EngagementStatus
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&st))
	}, time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 2*time.Hour)
	env.ExecuteWorkflow(EngagementWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())

	require.Len(t, st.Changes, 1)
	assert.Equal(t, ChangeAssessed, st.Changes[0].Status)
	assert.Equal(t, 1, st.Changes[0].Gaps)
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Equal(t, []string{changeAssessmentWorkflowID(id, ch.ID)}, w.awaited)
	assert.Empty(t, w.asked)
	assert.Empty(t, w.assessed)
	assert.Empty(t, w.stored)
}

// TestClosingTheEngagementWithdrawsATailoringQuestion: the lead's question
// about a change is abandoned so it outlives a hand-over; closing the
// engagement while it is open, in a run that did not ask it, cancels it by
// its workflow ID (the prompt then withdraws itself), as it does the
// scheduler and the programme. The change is not marked failed.
func TestClosingTheEngagementWithdrawsATailoringQuestion(t *testing.T) {
	start := time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 10*time.Hour, 0)
	in := fieldworkWithRunAge(t, 3*time.Hour)
	id := in.Spec.ID
	var proposed updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(EngagementWorkflowID(id), UpdateChangeTailoring, "t/1", callbacks(&proposed),
			ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cliActor(delegateEmail)}))
	}, time.Hour)
	var before EngagementStatus
	env.RegisterDelayedCallback(func() { before, _ = engagementStatus(t, env, id) }, 4*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 4*time.Hour+time.Minute)
	runAsChild(env, in)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, proposed.err)
	ch := proposed.value.(ScopeChange)
	assert.Equal(t, 1, before.Runs, "the second run was waiting for the answer")
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Equal(t, []string{PromptWorkflowID(id, changePromptKey(ch))}, w.cancelled)
	assert.Len(t, w.asked, 1)
}

// TestClosingTheProgrammeWithdrawsATailoringQuestion: the programme is
// closed (the engagement closes it) while a run waits for the lead's answer
// to a question an earlier cycle's run asked: the question is cancelled by
// its workflow ID, not left open.
func TestClosingTheProgrammeWithdrawsATailoringQuestion(t *testing.T) {
	spec := testSpec(t)
	start := time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 30*time.Hour, 0)
	w.cycle, w.leadSilent = 24*time.Hour, true
	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	id := ProgrammeWorkflowID(spec.ID)
	var proposed updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(id, UpdateChangeTailoring, "t/1", callbacks(&proposed),
			ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cli(leadEmail)}))
	}, time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2}, Cycle: 1, Revision: 1})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	require.NoError(t, proposed.err)
	ch := proposed.value.(ScopeChange)
	next.LastWindow = compliance.Span{} // a cycle to run, not a report to wait for

	env2 := w.newEnv(start.Add(48 * time.Hour))
	env2.RegisterDelayedCallback(env2.CancelWorkflow, 2*time.Hour)
	env2.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: id})
	env2.ExecuteWorkflow(ProgrammeWorkflow, next)
	require.Error(t, env2.GetWorkflowError(), "closed")
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Equal(t, []string{PromptWorkflowID(spec.ID, changePromptKey(ch))}, w.cancelled)
	assert.Len(t, w.asked, 1)
}

// TestChangesAreCarriedOutOneAtATime: two changes proposed an hour apart,
// the lead approving each as soon as asked. The first change's controls
// are with their owners until 6h; the second is put to the lead only then.
// So no change's round is open when another change stores its spec, and a
// change that takes controls out of scope has only the first assessment's
// questions (and remediation's gaps) to withdraw, never another round's.
func TestChangesAreCarriedOutOneAtATime(t *testing.T) {
	start := time.Date(2027, 4, 10, 9, 0, 0, 0, time.UTC)
	env, w := newChangeWorld(t, start, 0, 6*time.Hour)
	in := fieldworkWithRunAge(t, 3*time.Hour)
	id := in.Spec.ID
	second := compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{
		"ACC-02": newOwnerTailoring.Controls["ACC-02"],
		"ACC-08": {Owner: ownerEmail, Justification: "Leo took over access reviews too"}}}

	var first, next updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(EngagementWorkflowID(id), UpdateChangeTailoring, "t/1", callbacks(&first),
			ChangeTailoringRequest{Tailoring: newOwnerTailoring, Actor: cliActor(delegateEmail)}))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(EngagementWorkflowID(id), UpdateChangeTailoring, "t/2", callbacks(&next),
			ChangeTailoringRequest{Tailoring: second, Actor: cliActor(delegateEmail)}))
	}, 2*time.Hour)
	var mid, done EngagementStatus
	var midOK, doneOK bool
	var askedMid, assessedMid int
	env.RegisterDelayedCallback(func() {
		mid, midOK = engagementStatus(t, env, id)
		w.mu.Lock()
		askedMid, assessedMid = len(w.asked), len(w.assessed)
		w.mu.Unlock()
	}, 5*time.Hour)
	env.RegisterDelayedCallback(func() { done, doneOK = engagementStatus(t, env, id) }, 9*time.Hour)
	env.RegisterDelayedCallback(env.CancelWorkflow, 10*time.Hour)
	runAsChild(env, in)
	require.True(t, env.IsWorkflowCompleted())

	require.NoError(t, first.err)
	require.NoError(t, next.err)
	require.True(t, midOK)
	require.Len(t, mid.Changes, 2)
	assert.Equal(t, ChangeApproved, mid.Changes[0].Status, "the first change's controls are with their owners")
	assert.Equal(t, ChangeProposed, mid.Changes[1].Status)
	assert.False(t, mid.Changes[1].LeadAsked, "the second waits its turn, not yet put to the lead")
	assert.Equal(t, 1, askedMid)
	assert.Equal(t, 1, assessedMid)

	require.True(t, doneOK)
	require.Len(t, done.Changes, 2)
	assert.Equal(t, ChangeAssessed, done.Changes[0].Status)
	assert.Equal(t, ChangeAssessed, done.Changes[1].Status, "taken up once the first round ended")
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Len(t, w.asked, 2)
	require.Len(t, w.assessed, 2)
	assert.Equal(t, []string{"ACC-08"}, w.assessed[1].Only, "the second round assesses only what it changed on top of the first")
}
