package workflows

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// TestProgrammeBringsANewSystemIntoScope: after certification the
// programme plans the next window from the report period, runs its cadence
// from the stored spec, and a new office entering scope is put to the lead,
// recorded as a new spec revision and its newly applicable controls (and
// only those) assessed; at the cycle's end the programme continues as new
// with its state.
func TestProgrammeBringsANewSystemIntoScope(t *testing.T) {
	spec := testSpec(t)
	// The scheduler's window: a month, so the cycle ends inside the test.
	env := newProgrammeEnv(t, time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC), 30*24*time.Hour)
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	office := compliance.System{Name: "London office", Kind: compliance.KindPhysical, Environment: "corporate", Scope: "in"}

	var refused, proposed updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(ProgrammeWorkflowID("brightlane"), UpdateAddSystem, "add-1", callbacks(&refused),
			AddSystemRequest{System: office, Actor: cli("nobody@else.example")}))
		require.NoError(t, env.UpdateWorkflowByID(ProgrammeWorkflowID("brightlane"), UpdateAddSystem, "add-2", callbacks(&proposed),
			AddSystemRequest{System: office, Actor: cli(leadEmail)}))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		r := &updateResult{}
		require.NoError(t, env.UpdateWorkflowByID(PromptWorkflowID("brightlane", "scope-change/system-london-office"), UpdateAnswerPrompt, "ok",
			callbacks(r), answer("approve", leadEmail, "")))
		assert.NoError(t, r.rejected)
	}, 3*time.Hour)
	var mid ProgrammeState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 20*24*time.Hour)

	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: "brightlane", Spec: spec, Certifications: []postcert.Certification{cert}, Cycle: 1, Revision: 1})
	err := env.GetWorkflowError()
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(err, &can), "the cycle ends by continuing as new, got %v", err)
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	assert.Equal(t, 2, next.Cycle)
	require.NotNil(t, next.Spec.System("London office"), "the new system is in the carried spec")

	assert.ErrorContains(t, refused.rejected, "may not change the scope", "only the lead, a delegate or the consultant may change scope")
	require.NoError(t, proposed.rejected)
	ch, ok := proposed.value.(ScopeChange)
	require.True(t, ok, "the update returns the assessed change, got %T", proposed.value)
	assert.Equal(t, ChangeProposed, ch.Status)
	assert.NotEmpty(t, ch.NewControls, "an office brings the physical controls")

	// The next window starts the day after the report period.
	assert.Equal(t, compliance.Date{Year: 2028, Month: 1, Day: 1}, mid.Window.Start)
	require.Len(t, mid.Changes, 1)
	assert.Equal(t, ChangeAssessed, mid.Changes[0].Status)
	assert.ElementsMatch(t, ch.NewControls, env.assessedControls(), "only the controls the system brings are assessed")
	env.mu.Lock()
	defer env.mu.Unlock()
	require.Len(t, env.specs, 2, "the cycle's spec, then the spec with the system")
	assert.Equal(t, env.specs[0].Revision+1, env.specs[1].Revision)
	assert.NotNil(t, env.specs[1].Spec.System("London office"))
}

// TestProgrammeAddsAFrameworkAndALaterCertification: ISO 27001 added to a
// certified SOC 2 programme assesses only the controls the delta says are
// new, and its certificate, recorded later, replans the milestones with the
// surveillance audits.
func TestProgrammeAddsAFrameworkAndALaterCertification(t *testing.T) {
	env := newProgrammeEnv(t, time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC), 40*24*time.Hour)
	spec := testSpec(t)
	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	var added updateResult
	env.RegisterDelayedCallback(func() {
		require.NoError(t, env.UpdateWorkflowByID(ProgrammeWorkflowID("brightlane"), UpdateAddFramework, "iso", callbacks(&added),
			AddFrameworkRequest{Framework: compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version}, Actor: cli(leadEmail)}))
	}, time.Hour)
	env.RegisterDelayedCallback(func() {
		env.certify(postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 3}})
	}, 15*24*time.Hour)
	var mid ProgrammeState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 30*24*time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: "brightlane", Spec: spec, Certifications: []postcert.Certification{soc2}, Cycle: 1, Revision: 1})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	assert.True(t, next.Spec.HasFramework(compliance.ISO27001), "the framework is carried into the next cycle")
	assert.Len(t, next.Certifications, 2, "the later certificate is carried too")

	require.NoError(t, added.rejected)
	ch, ok := added.value.(ScopeChange)
	require.True(t, ok)
	require.NotEmpty(t, ch.NewControls, "ISO 27001 needs some controls SOC 2 did not")
	require.Len(t, mid.Changes, 1)
	assert.Equal(t, ChangeAssessed, mid.Changes[0].Status)
	assert.ElementsMatch(t, ch.NewControls, env.assessedControls(), "only what is new is assessed")
	kinds := map[string]bool{}
	for _, m := range mid.Milestones {
		kinds[m.Kind] = true
	}
	assert.True(t, kinds[postcert.KindSurveillance1], "the ISO certificate's surveillance audit is planned: %v", kinds)
	assert.True(t, kinds[postcert.KindType2Window], "the SOC 2 window is still planned")
}

// TestProgrammeAnnualRefreshReassessesWhatChanged: PCI DSS attested before
// its future-dated requirements took effect; the annual refresh finds them
// now mandatory and re-assesses the applicable controls they rest on (and
// only those), under their own prompts.
func TestProgrammeAnnualRefreshReassessesWhatChanged(t *testing.T) {
	env := newProgrammeEnv(t, time.Date(2025, 3, 3, 14, 0, 0, 0, time.UTC), 400*24*time.Hour)
	acts := &activities.Activities{}
	spec, err := compliance.LoadSpec("../examples/payments-co.yaml")
	require.NoError(t, err)
	pci := postcert.Certification{Framework: compliance.PCIDSS, Date: compliance.Date{Year: 2025, Month: 2, Day: 3}, Reference: "AOC-2025"}
	refreshed, err := acts.RefreshFrameworks(context.Background(), activities.RefreshFrameworksInput{Spec: *spec, Certifications: []postcert.Certification{pci}})
	require.NoError(t, err)
	require.NotEmpty(t, refreshed.Controls, "the future-dated requirements became mandatory after the attestation")
	later, err := acts.RefreshFrameworks(context.Background(), activities.RefreshFrameworksInput{Spec: *spec,
		Certifications: []postcert.Certification{{Framework: compliance.PCIDSS, Date: compliance.Date{Year: 2025, Month: 6, Day: 2}}}})
	require.NoError(t, err)
	assert.Empty(t, later.Controls, "an attestation after they took effect assessed them already")

	var mid ProgrammeState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 390*24*time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID(spec.ID)})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: spec.ID, Spec: *spec, Certifications: []postcert.Certification{pci}, Cycle: 1, Revision: 1})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	assert.Equal(t, 1, mid.Refreshes)
	require.Len(t, mid.Changes, 1)
	assert.Equal(t, "refresh-cycle-1", mid.Changes[0].ID)
	assert.Equal(t, ChangeAssessed, mid.Changes[0].Status)
	env.mu.Lock()
	defer env.mu.Unlock()
	require.Len(t, env.assessed, len(refreshed.Controls), "only the controls the changes rest on are re-assessed")
	for _, in := range env.assessed {
		assert.Contains(t, in.Assessment.PromptID, "/gap/refresh-cycle-1/", "a re-assessment asks under its own prompt")
	}
}

// programmeEnv is a time-skipping environment for the programme: the
// cycle's scheduler runs for cycle (then the programme continues as new),
// and the spec revisions and assessments it records are captured.
type programmeEnv struct {
	*testsuite.TestWorkflowEnvironment
	mu       sync.Mutex
	specs    []activities.RecordSpecInput
	assessed []activities.RecordAssessmentInput
	// recorded are the certifications the engagement recorded (its
	// certify update); events are the events the programme recorded.
	recorded []postcert.Certification
	events   []activities.RecordEventInput
}

// record stores a certification as the engagement's certify update does
// before it signals the programme.
func (e *programmeEnv) record(c postcert.Certification) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.recorded = append(e.recorded, c)
}

// certify records a certification and signals it, as the engagement does.
func (e *programmeEnv) certify(c postcert.Certification) {
	e.record(c)
	e.SignalWorkflow(SignalCertified, c)
}

func newProgrammeEnv(t *testing.T, start time.Time, cycle time.Duration) *programmeEnv {
	e := &programmeEnv{TestWorkflowEnvironment: newEnv(t)}
	acts := &activities.Activities{}
	e.OnActivity(acts.BuildRegister, mock.Anything, mock.Anything).Return(activities.BuildRegisterResult{}, nil)
	e.OnActivity(acts.CheckDrift, mock.Anything, mock.Anything).Return(activities.CheckDriftResult{}, nil)
	e.SetStartTime(start)
	e.OnActivity(acts.NextOccurrences, mock.Anything, mock.Anything).Return(activities.NextOccurrencesResult{WindowEnd: start.Add(cycle)}, nil)
	e.OnActivity(acts.NextBatches, mock.Anything, mock.Anything).Return(activities.NextBatchesResult{WindowEnd: start.Add(cycle)}, nil)
	e.OnActivity(acts.RecordSpec, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordSpecInput) error {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.specs = append(e.specs, in)
		return nil
	})
	e.OnActivity(acts.RecordedCertification, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordedCertificationInput) (activities.RecordedCertificationResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		for _, c := range e.recorded {
			if c.Framework == in.Framework && c.Date == in.Date {
				return activities.RecordedCertificationResult{Found: true, Certification: c}, nil
			}
		}
		return activities.RecordedCertificationResult{}, nil
	}).Maybe()
	e.OnActivity(acts.RecordEvent, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordEventInput) (activities.RecordEventResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.events = append(e.events, in)
		return activities.RecordEventResult{}, nil
	}).Maybe()
	e.OnActivity(acts.RecordAssessment, mock.Anything, mock.Anything).Return(func(_ context.Context, in activities.RecordAssessmentInput) (activities.RecordAssessmentResult, error) {
		e.mu.Lock()
		defer e.mu.Unlock()
		e.assessed = append(e.assessed, in)
		return activities.RecordAssessmentResult{}, nil
	})
	return e
}

// assessedControls are the controls assessed so far, in order.
func (e *programmeEnv) assessedControls() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, in := range e.assessed {
		out = append(out, in.Assessment.ControlID)
	}
	return out
}
