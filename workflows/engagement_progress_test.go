package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// TestStaleProgressNeverMovesThePhaseBack feeds apply the reports children
// send fire-and-forget, in the orders they can arrive in.
func TestStaleProgressNeverMovesThePhaseBack(t *testing.T) {
	t0 := time.Date(2027, 9, 1, 9, 0, 0, 0, time.UTC)
	rate := 0.75
	st := &EngagementState{Phase: PhaseReviewed, Revision: 2, ProgressAt: t0}

	// Readiness's last report lands after the review has completed.
	st.apply(PhaseProgress{Phase: compliance.PhaseReadiness, Revision: 2, WaitingFor: "findings", At: t0.Add(-time.Hour)})
	assert.Equal(t, PhaseReviewed, st.Phase, "a finished phase's late report is dropped")
	assert.Empty(t, st.WaitingFor)
	// A scoping report of an older revision, and one of a phase long past.
	st.apply(PhaseProgress{Phase: compliance.PhaseScoping, Revision: 1, At: t0.Add(time.Hour)})
	st.apply(PhaseProgress{Phase: compliance.PhaseGapAssessment, Revision: 2, At: t0.Add(time.Hour)})
	assert.Equal(t, PhaseReviewed, st.Phase)
	assert.Equal(t, 2, st.Revision)
	// The scheduler reports through readiness and fieldwork: its rate is
	// taken, its phase is not.
	st.apply(PhaseProgress{Phase: compliance.PhaseOperating, Revision: 2, OnTimeRate: &rate, At: t0.Add(time.Hour)})
	assert.Equal(t, PhaseReviewed, st.Phase)
	require.NotNil(t, st.OnTimeRate)
	assert.InDelta(t, 0.75, *st.OnTimeRate, 1e-9)
	// A name that is no phase never moves it.
	st.apply(PhaseProgress{Phase: "closing", Revision: 3, At: t0.Add(time.Hour)})
	assert.Equal(t, PhaseReviewed, st.Phase)
	assert.Equal(t, 2, st.Revision)

	// Within a phase, a report sent before the last one taken is dropped.
	rem := &EngagementState{Phase: compliance.PhaseRemediation, Revision: 1}
	rem.apply(PhaseProgress{Phase: compliance.PhaseRemediation, Revision: 1, Verified: 3, WaitingFor: "3 of 5", At: t0.Add(2 * time.Hour)})
	rem.apply(PhaseProgress{Phase: compliance.PhaseRemediation, Revision: 1, Verified: 2, WaitingFor: "2 of 5", At: t0.Add(time.Hour)})
	assert.Equal(t, 3, rem.Verified, "the older count arrived last and is dropped")
	assert.Equal(t, "3 of 5", rem.WaitingFor)
	// A newer revision's scoping report is taken (the lead asked for a
	// revision), and the window closing is noted whatever the phase.
	sc := &EngagementState{Phase: compliance.PhaseScoping, Revision: 1, ProgressAt: t0}
	sc.apply(PhaseProgress{Phase: compliance.PhaseScoping, Revision: 2, WaitingFor: "revision 2", At: t0.Add(-time.Minute)})
	assert.Equal(t, 2, sc.Revision)
	st.apply(PhaseProgress{Phase: compliance.PhaseOperated, Revision: 2, At: t0})
	assert.True(t, st.OperatingCloseReported, "a window-closed report is noted, to be checked with the scheduler")
	assert.False(t, st.OperatingClosed, "and is not a fact until checked")
	assert.Equal(t, PhaseReviewed, st.Phase, "the window's closing report never moves a later phase back")
}

// TestEngagementIgnoresProgressDeliveredOutOfOrder runs an engagement from
// its operating window to the programme while stale reports arrive out of
// order (a readiness report after the review, an older revision's scoping
// report, gap-assessment and operating reports after their phases): the
// phase never goes back, and fieldwork and the programme still happen, in
// order.
func TestEngagementIgnoresProgressDeliveredOutOfOrder(t *testing.T) {
	env := withIdentity(newEnv(t))
	mockAssessment(env)
	env.OnActivity((&activities.Activities{}).RecordCertification, mock.Anything, mock.Anything).Return(nil)
	recorded := recordedPhases(t, env)
	spec := testSpec(t)
	start := time.Date(2027, 2, 15, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	plan, err := compliance.PlanEngagement(&spec, start.AddDate(0, -3, 0))
	require.NoError(t, err)

	var seen []compliance.Phase
	stale := 0
	certified := false
	var tick func()
	tick = func() {
		defer env.RegisterDelayedCallback(tick, 24*time.Hour)
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		var st EngagementStatus
		require.NoError(t, v.Get(&st))
		if len(seen) == 0 || seen[len(seen)-1] != st.Phase {
			seen = append(seen, st.Phase)
		}
		now := env.Now()
		late := func(p PhaseProgress) {
			p.At = now.Add(-time.Hour)
			env.SignalWorkflow(SignalPhaseProgress, p)
			stale++
		}
		switch {
		case st.Phase == compliance.PhaseReadiness:
			// A report of the current phase sent before the last taken.
			late(PhaseProgress{Phase: compliance.PhaseReadiness, Revision: 1, WaitingFor: "stale readiness", At: now.Add(-90 * 24 * time.Hour)})
		case compliance.PhaseReadiness.Before(st.Phase) && stale < 5:
			late(PhaseProgress{Phase: compliance.PhaseReadiness, Revision: 1, WaitingFor: "stale readiness"})
			late(PhaseProgress{Phase: compliance.PhaseScoping, Revision: 0, WaitingFor: "stale scoping"})
			late(PhaseProgress{Phase: compliance.PhaseGapAssessment, Revision: 1, WaitingFor: "stale assessment"})
			late(PhaseProgress{Phase: compliance.PhaseOperating, Revision: 1, WaitingFor: "stale operating"})
		case st.Phase == compliance.PhaseFieldwork && !certified && stale >= 5:
			certified = true
			cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(now.Add(-24 * time.Hour)),
				ReportPeriod: compliance.Span{Start: plan.Operating.Start, End: reportEnd(plan.Operating.End, now)}, Reference: "SOC2-2027"}
			env.UpdateWorkflow(UpdateCertify, "certify", callbacks(&updateResult{}), CertifyRequest{Certification: cert, Actor: cli(leadEmail)})
		}
		assert.NotContains(t, st.WaitingFor, "stale", "a stale report was taken on %s", now.Format("2006-01-02"))
	}
	env.RegisterDelayedCallback(tick, time.Hour)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseOperating,
		Revision: 1, StartedAt: start, UpdatedAt: start}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st,
		Test: &TestHooks{StopAt: PhaseProgramme, RunAge: tenYears}})

	require.NoError(t, env.GetWorkflowError())
	var res EngagementResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, PhaseProgramme, res.Phase)
	assert.Greater(t, stale, 5, "stale reports were delivered in readiness and after it")
	assert.True(t, certified)
	assert.Equal(t, []compliance.Phase{compliance.PhaseOperating, PhaseOperated, compliance.PhaseReadiness, PhaseReviewed,
		compliance.PhaseFieldwork, PhaseProgramme}, *recorded, "each phase recorded once, in order, fieldwork included")
	for i := 1; i < len(seen); i++ {
		assert.True(t, seen[i-1].Before(seen[i]), "the status went from %s to %s", seen[i-1], seen[i])
	}
}

// recordedPhases collects the phases the engagement records, in order.
func recordedPhases(t *testing.T, env *testsuite.TestWorkflowEnvironment) *[]compliance.Phase {
	var phases []compliance.Phase
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		if info.ActivityType.Name != "RecordPhase" {
			return
		}
		var in activities.RecordPhaseInput
		require.NoError(t, args.Get(&in))
		phases = append(phases, in.Phase)
	})
	return &phases
}

// TestEngagementHandsOverInItsWindowWithItsState forces a hand-over while
// the window's scheduler runs and starts the next run from what it carried:
// the state (phase, plan, the scheduler started and its window closed) goes
// in EngagementState, the hooks beside it, and the next run goes on to
// fieldwork without starting a second scheduler.
func TestEngagementHandsOverInItsWindowWithItsState(t *testing.T) {
	env := newEnv(t)
	mockAssessment(env)
	spec := testSpec(t)
	start := time.Date(2027, 2, 15, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	plan, err := compliance.PlanEngagement(&spec, start.AddDate(0, -3, 0))
	require.NoError(t, err)
	rate := 0.5
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseOperating,
		Revision: 1, StartedAt: start, UpdatedAt: start, OnTimeRate: &rate}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, StartedBy: "sam", State: st,
		Test: &TestHooks{ForceContinueAsNew: true, StopAt: compliance.PhaseFieldwork, OperatingControls: []string{"ACC-08"}}})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var in EngagementInput
	require.NoError(t, decodePayloads(can, &in))
	require.NotNil(t, in.State)
	assert.Equal(t, 1, in.State.Runs)
	assert.True(t, in.State.OperatingStarted, "the scheduler was started and outlives the run")
	assert.Contains(t, []compliance.Phase{compliance.PhaseOperating, PhaseOperated}, in.State.Phase)
	require.NotNil(t, in.State.Plan)
	assert.Equal(t, plan.Operating, in.State.Plan.Operating)
	require.NotNil(t, in.State.OnTimeRate)
	assert.Equal(t, "sam", in.StartedBy)
	require.NotNil(t, in.Test)
	assert.Equal(t, TestHooks{StopAt: compliance.PhaseFieldwork, OperatingControls: []string{"ACC-08"}}, *in.Test, "hooks ride beside the state, the one-off cleared")

	next := newEnv(t)
	mockAssessment(next)
	recorded := recordedPhases(t, next)
	next.SetStartTime(start)
	// The scheduler of the first run reports its window closed to
	// whichever run is current.
	next.RegisterDelayedCallback(func() {
		next.SignalWorkflow(SignalPhaseProgress, PhaseProgress{Phase: PhaseOperated, Revision: 1, At: next.Now()})
	}, time.Hour)
	in.Test.RunAge = tenYears
	next.ExecuteWorkflow(EngagementWorkflow, in)
	require.NoError(t, next.GetWorkflowError())
	var res EngagementResult
	require.NoError(t, next.GetWorkflowResult(&res))
	assert.Equal(t, compliance.PhaseFieldwork, res.Phase)
	assert.NotContains(t, *recorded, compliance.PhaseOperating, "the next run does not start the window again")
	assert.Contains(t, *recorded, compliance.PhaseReadiness)
}

// reportEnd is the last day a report dated yesterday can cover: the
// window's end, or the day before the report when the audit came first
// (a report is dated after the period it covers).
func reportEnd(windowEnd compliance.Date, now time.Time) compliance.Date {
	if last := compliance.DateOf(now.Add(-48 * time.Hour)); last.Before(windowEnd) {
		return last
	}
	return windowEnd
}
