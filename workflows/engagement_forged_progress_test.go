package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// TestProgressNeverMovesThePhase: reports are display data of the phase
// the engagement is in. One claiming another phase, later or earlier,
// moves nothing; one of the current phase from a revision the engagement
// is not at, or from a phase no child reports in, is dropped.
func TestProgressNeverMovesThePhase(t *testing.T) {
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	rate, forgedRate := 0.9, 0.1
	st := &EngagementState{Phase: compliance.PhaseOperating, Revision: 1, ProgressAt: t0, OnTimeRate: &rate}
	for _, later := range []compliance.Phase{compliance.PhaseReadiness, PhaseReviewed, compliance.PhaseFieldwork, PhaseProgramme} {
		st.apply(PhaseProgress{Phase: later, Revision: 1, WaitingFor: "forged", At: t0.Add(time.Hour)})
		assert.Equal(t, compliance.PhaseOperating, st.Phase, "a report claiming %s moved the phase", later)
	}
	st.apply(PhaseProgress{Phase: compliance.PhaseRemediation, Revision: 1, Verified: 99, WaitingFor: "forged", At: t0.Add(time.Hour)})
	assert.Equal(t, compliance.PhaseOperating, st.Phase, "nor backwards")
	assert.Zero(t, st.Verified, "another phase's figures are not taken")
	st.apply(PhaseProgress{Phase: compliance.PhaseOperating, Revision: 7, OnTimeRate: &forgedRate, WaitingFor: "forged", At: t0.Add(time.Hour)})
	assert.Equal(t, 1, st.Revision, "only scoping's revision moves while it runs")
	assert.InDelta(t, 0.9, *st.OnTimeRate, 1e-9)
	assert.Empty(t, st.WaitingFor)
	plan := &compliance.Plan{}
	st.apply(PhaseProgress{Phase: compliance.PhaseOperating, Revision: 1, Plan: plan, WaitingFor: "evidence", At: t0.Add(time.Hour)})
	assert.Equal(t, "evidence", st.WaitingFor, "the current phase's report is shown")
	assert.Nil(t, st.Plan, "the plan is scoping's to report")

	fw := &EngagementState{Phase: compliance.PhaseFieldwork, Revision: 1, ProgressAt: t0}
	fw.apply(PhaseProgress{Phase: compliance.PhaseFieldwork, Revision: 1, WaitingFor: "forged", At: t0.Add(time.Hour)})
	assert.Empty(t, fw.WaitingFor, "no child reports in fieldwork")
}

// TestEngagementIgnoresAForgedProgressSignal: a plain client signals
// progress claiming phases the engagement has not reached (fieldwork and
// the programme while the window runs, the programme in readiness). The
// engagement stays where it is and still runs its lifecycle: readiness,
// the review, fieldwork and, once certified, the programme, each recorded
// once and in order.
func TestEngagementIgnoresAForgedProgressSignal(t *testing.T) {
	env := newEnv(t)
	mockAssessment(env)
	env.OnActivity((&activities.Activities{}).RecordCertification, mock.Anything, mock.Anything).Return(nil)
	recorded := recordedPhases(t, env)
	spec := testSpec(t)
	start := time.Date(2027, 2, 15, 9, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	plan, err := compliance.PlanEngagement(&spec, start.AddDate(0, -3, 0))
	require.NoError(t, err)

	var seen []compliance.Phase
	forged := 0
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
		assert.NotContains(t, st.WaitingFor, "forged", "a forged report was shown on %s", env.Now().Format("2006-01-02"))
		assert.Equal(t, 1, st.Revision)
		now := env.Now()
		forge := func(p compliance.Phase) {
			env.SignalWorkflow(SignalPhaseProgress, PhaseProgress{Phase: p, Revision: st.Revision + 1, WaitingFor: "forged", At: now})
			env.SignalWorkflow(SignalPhaseProgress, PhaseProgress{Phase: p, Revision: st.Revision, WaitingFor: "forged", At: now})
			forged += 2
		}
		switch {
		case st.Phase.Before(compliance.PhaseFieldwork):
			forge(compliance.PhaseFieldwork)
			forge(PhaseProgramme)
		case st.Phase == compliance.PhaseFieldwork && forged < 10:
			forge(PhaseProgramme)
			forge(compliance.PhaseReadiness)
		case st.Phase == compliance.PhaseFieldwork && !certified:
			certified = true
			cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(now.Add(-24 * time.Hour)),
				ReportPeriod: compliance.Span{Start: plan.Operating.Start, End: reportEnd(plan.Operating.End, now)}, Reference: "SOC2-2027"}
			env.UpdateWorkflow(UpdateCertify, "certify", callbacks(&updateResult{}), CertifyRequest{Certification: cert, Actor: cli(leadEmail)})
		}
	}
	env.RegisterDelayedCallback(tick, time.Hour)
	// Straight after the start, before readiness.
	var early EngagementStatus
	env.RegisterDelayedCallback(func() {
		for _, p := range []compliance.Phase{compliance.PhaseFieldwork, PhaseProgramme} {
			env.SignalWorkflow(SignalPhaseProgress, PhaseProgress{Phase: p, Revision: 1, WaitingFor: "forged", At: env.Now()})
			forged++
		}
	}, time.Minute)
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryStatus)
		require.NoError(t, err)
		require.NoError(t, v.Get(&early))
	}, 2*time.Minute)
	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseOperating,
		Revision: 1, StartedAt: start, UpdatedAt: start}
	env.ExecuteWorkflow(EngagementWorkflow, EngagementInput{Spec: spec, State: st,
		Test: &TestHooks{StopAt: PhaseProgramme, RunAge: tenYears}})

	require.NoError(t, env.GetWorkflowError())
	var res EngagementResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, PhaseProgramme, res.Phase)
	assert.True(t, early.Phase.Before(compliance.PhaseReadiness), "reports claiming fieldwork and the programme moved the phase to %s", early.Phase)
	assert.Greater(t, forged, 10, "forged reports were sent through the lifecycle")
	assert.True(t, certified, "fieldwork was reached by the engagement itself")
	assert.Equal(t, []compliance.Phase{compliance.PhaseOperating, PhaseOperated, compliance.PhaseReadiness, PhaseReviewed,
		compliance.PhaseFieldwork, PhaseProgramme}, *recorded, "each phase recorded once, in order")
	for i := 1; i < len(seen); i++ {
		assert.True(t, seen[i-1].Before(seen[i]), "the status went from %s to %s", seen[i-1], seen[i])
	}
}
