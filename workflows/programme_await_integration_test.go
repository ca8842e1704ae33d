package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestProgrammeAwaitsTheReportForReal: on the dev server, with Postgres, a
// programme run whose window a previous run already ran to its end starts
// no scheduler and waits. A certified signal from a plain client for a
// certification the engagement never recorded is ignored (and recorded as
// such); one the engagement recorded ends the wait, and the run continues
// as new under the same cycle, planning from the stored record.
//
// STEADFAST_UPDATE_HISTORIES=1 records the waiting run (the await and
// trust branches) under testdata/histories.
func TestProgrammeAwaitsTheReportForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, _ := recordedSpec(ctx, t, db, withISO)

	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	planned, err := (&activities.Activities{}).PlanProgramme(ctx, activities.PlanProgrammeInput{Spec: spec, Certifications: []postcert.Certification{soc2}})
	require.NoError(t, err)
	window := planned.Plan.Operating

	const queue = "steadfast-programme-await"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})

	id := ProgrammeWorkflowID(spec.ID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue},
		ProgrammeWorkflowName, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2},
			Cycle: 2, Revision: 1, LastWindow: window, Test: &TestHooks{OperatingControls: []string{"ACC-04"}}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	require.Eventually(t, func() bool {
		v, err := tmp.Client.QueryWorkflow(ctx, id, "", QueryProgramme)
		if err != nil {
			return false
		}
		var st ProgrammeState
		return v.Get(&st) == nil && st.AwaitingReport && st.Window == window
	}, time.Minute, 100*time.Millisecond, "the run plans the same window and waits")

	// A plain client claims an ISO certificate nobody recorded.
	forged := postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 1}, Reference: "FORGED"}
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalCertified, forged))
	require.Eventually(t, func() bool {
		events, err := db.Store.Events(ctx, spec.ID)
		require.NoError(t, err)
		for _, e := range events {
			if e.Kind == compliance.EventCertificationIgnored {
				return true
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "the forged certification is recorded as ignored")
	desc, err := tmp.Client.DescribeWorkflow(ctx, id, run.GetRunID())
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, desc.RawResponse.GetWorkflowExecutionInfo().GetStatus(), "the forged one does not end the wait")

	// The engagement records the certificate (with its reference), then
	// signals it; the signal's own reference is not what is planned from.
	iso := postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 3}, Reference: "ISO-1"}
	require.NoError(t, db.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: spec.ID, Framework: iso.Framework,
		CertifiedOn: iso.Date, Reference: iso.Reference, RecordedBy: leadEmail, RecordedAt: time.Now()}))
	claimed := iso
	claimed.Reference = "CLAIMED"
	require.NoError(t, tmp.Client.SignalWorkflow(ctx, id, "", SignalCertified, claimed))

	var first = history(t, ctx, tmp.Client, id, run.GetRunID())
	require.Eventually(t, func() bool {
		first = history(t, ctx, tmp.Client, id, run.GetRunID())
		return first.Events[len(first.Events)-1].GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
	}, time.Minute, 100*time.Millisecond, "the recorded certification did not end the wait")
	for _, ev := range first.Events {
		assert.Nil(t, ev.GetStartChildWorkflowExecutionInitiatedEventAttributes(), "a waiting run starts no scheduler")
	}
	can := first.Events[len(first.Events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes()
	var next ProgrammeInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.GetInput(), &next))
	assert.Equal(t, []postcert.Certification{soc2, iso}, next.Certifications, "only the recorded certificate, as recorded")
	assert.Equal(t, 2, next.Cycle, "the cycle's window is planned next under its own number")
	assert.Equal(t, window, next.LastWindow)
	if updateHistories() {
		saveHistory(t, first, "programme_await_report_trusted.json")
	}
}
