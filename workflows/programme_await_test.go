package workflows

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// programmeWatch records what a programme run started: its children and
// the events it recorded.
type programmeWatch struct {
	mu       sync.Mutex
	children []string
	ignored  []activities.RecordEventInput
}

func watchProgramme(t *testing.T, env *programmeEnv) *programmeWatch {
	w := &programmeWatch{}
	env.SetOnChildWorkflowStartedListener(func(info *workflow.Info, _ workflow.Context, _ converter.EncodedValues) {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.children = append(w.children, info.WorkflowType.Name)
	})
	env.SetOnActivityStartedListener(func(info *activity.Info, _ context.Context, args converter.EncodedValues) {
		if info.ActivityType.Name != "RecordEvent" {
			return
		}
		var in activities.RecordEventInput
		require.NoError(t, args.Get(&in))
		if in.Kind == compliance.EventCertificationIgnored {
			w.mu.Lock()
			defer w.mu.Unlock()
			w.ignored = append(w.ignored, in)
		}
	})
	return w
}

var (
	soc2Of2027 = postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	isoOf2028 = postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 3}, Reference: "ISO-1"}
)

// plannedWindow is the window the programme plans from these certifications.
func plannedWindow(t *testing.T, spec compliance.Spec, certs ...postcert.Certification) compliance.Span {
	res, err := (&activities.Activities{}).PlanProgramme(context.Background(), activities.PlanProgrammeInput{Spec: spec, Certifications: certs})
	require.NoError(t, err)
	return res.Plan.Operating
}

// TestProgrammeAwaitsTheReportInsteadOfLooping: a run whose window the
// previous run's scheduler already ran to its end (its report is not in
// yet) starts no scheduler and does not continue as new at once: it waits.
// A certification nobody recorded does not end the wait; the recorded one
// does, and the next run plans under the same cycle number.
func TestProgrammeAwaitsTheReportInsteadOfLooping(t *testing.T) {
	start := time.Date(2029, 1, 2, 14, 0, 0, 0, time.UTC)
	env := newProgrammeEnv(t, start, 30*24*time.Hour)
	w := watchProgramme(t, env)
	spec := testSpec(t)
	window := plannedWindow(t, spec, soc2Of2027)
	forged := postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 1}, Reference: "FORGED"}
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCertified, forged) }, 10*24*time.Hour)
	var waiting ProgrammeState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&waiting))
	}, 15*24*time.Hour)
	// The engagement records the certificate with its reference; the
	// signal carries another, which is not planned from.
	claimed := isoOf2028
	claimed.Reference = "CLAIMED"
	env.RegisterDelayedCallback(func() {
		env.record(isoOf2028)
		env.SignalWorkflow(SignalCertified, claimed)
	}, 40*24*time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: "brightlane", Spec: spec,
		Certifications: []postcert.Certification{soc2Of2027}, Cycle: 2, Revision: 3, LastWindow: window})

	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	assert.GreaterOrEqual(t, env.Now().Sub(start), 40*24*time.Hour, "the run waited for the report")
	assert.True(t, waiting.AwaitingReport, "the query says the run waits for the report")
	assert.Equal(t, window, waiting.Window)
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.NotContains(t, w.children, OperatingWorkflowName, "a window run to its end is not scheduled again")
	assert.Equal(t, []postcert.Certification{soc2Of2027, isoOf2028}, next.Certifications, "the recorded certificate, as recorded; not the forged one")
	assert.Equal(t, 2, next.Cycle, "the cycle is planned from the report under its own number")
	assert.Equal(t, window, next.LastWindow, "still the window last run")
	require.Len(t, w.ignored, 1, "the forged certification is recorded as ignored")
	assert.Equal(t, "FORGED", w.ignored[0].Detail["reference"])
}

// TestProgrammeIgnoresACertificationNobodyRecorded: in a running cycle a
// certified signal from any client for a certification the engagement
// never recorded is not planned from nor carried; the cycle runs its
// window to the end and hands the next run that window as the last one.
func TestProgrammeIgnoresACertificationNobodyRecorded(t *testing.T) {
	env := newProgrammeEnv(t, time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC), 30*24*time.Hour)
	w := watchProgramme(t, env)
	spec := testSpec(t)
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
	env.RegisterDelayedCallback(func() { env.SignalWorkflow(SignalCertified, isoOf2028) }, 10*24*time.Hour)
	var mid ProgrammeState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&mid))
	}, 20*24*time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: "brightlane", Spec: spec,
		Certifications: []postcert.Certification{soc2Of2027}, Cycle: 1, Revision: 1})

	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	assert.Equal(t, []postcert.Certification{soc2Of2027}, next.Certifications, "the unrecorded certificate is not carried")
	for _, m := range mid.Milestones {
		assert.NotEqual(t, postcert.KindSurveillance1, m.Kind, "no surveillance audit is planned from it")
	}
	assert.Equal(t, 2, next.Cycle)
	assert.Equal(t, mid.Window, next.LastWindow, "the window run to its end is handed on")
	w.mu.Lock()
	defer w.mu.Unlock()
	assert.Contains(t, w.children, OperatingWorkflowName)
	require.Len(t, w.ignored, 1)
	assert.Equal(t, string(compliance.ISO27001), w.ignored[0].Detail["framework"])
}

// TestProgrammeAwaitingTheReportEndsWhenCancelled: closing the engagement
// cancels its programme. A run that waits for the report (no scheduler of
// its own) used to wake on nothing the cancel touched — the refresh's
// timer fired cancelled and the loop waited again — and stayed "cancel
// requested" for good. It now ends cancelled, and the annual refresh is
// not tried on the way out.
func TestProgrammeAwaitingTheReportEndsWhenCancelled(t *testing.T) {
	start := time.Date(2029, 1, 2, 14, 0, 0, 0, time.UTC)
	env := newProgrammeEnv(t, start, 30*24*time.Hour)
	spec := testSpec(t)
	window := plannedWindow(t, spec, soc2Of2027)
	var waiting ProgrammeState
	env.RegisterDelayedCallback(func() {
		v, err := env.QueryWorkflow(QueryProgramme)
		require.NoError(t, err)
		require.NoError(t, v.Get(&waiting))
		env.CancelWorkflow()
	}, 5*24*time.Hour)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: "brightlane", Spec: spec,
		Certifications: []postcert.Certification{soc2Of2027}, Cycle: 2, Revision: 3, LastWindow: window})

	require.True(t, env.IsWorkflowCompleted(), "the cancelled run ended")
	assert.True(t, waiting.AwaitingReport, "it was waiting for the report")
	var canceled *temporal.CanceledError
	assert.ErrorAs(t, env.GetWorkflowError(), &canceled)
	assert.Less(t, env.Now().Sub(start), 6*24*time.Hour, "it ended as it was cancelled")
}
