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

// TestProgrammeDrainsCertifiedForReal: on the dev server, a certified
// signal delivered with the programme's start (signal-with-start, so it is
// in the first run's history before its first task) is never read by the
// run's loop, which continues as new at once; the drain carries it into
// the next run's input, and the next run plans its milestones from it.
//
// STEADFAST_UPDATE_HISTORIES=1 records the first run (the drain branch)
// under testdata/histories.
func TestProgrammeDrainsCertifiedForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, _ := recordedSpec(ctx, t, db, withISO)

	const queue = "steadfast-programme"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})

	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	iso := postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 3}, Reference: "ISO-1"}
	// The engagement's certify update records a certification before it
	// signals the programme, which plans only from what is recorded.
	require.NoError(t, db.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: spec.ID, Framework: iso.Framework,
		CertifiedOn: iso.Date, Reference: iso.Reference, RecordedBy: leadEmail, RecordedAt: time.Now()}))
	id := ProgrammeWorkflowID(spec.ID)
	run, err := tmp.Client.SignalWithStartWorkflow(ctx, id, SignalCertified, iso,
		client.StartWorkflowOptions{ID: id, TaskQueue: queue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		ProgrammeWorkflowName, ProgrammeInput{EngagementID: spec.ID, Spec: spec, Certifications: []postcert.Certification{soc2},
			Cycle: 1, Revision: 1, Test: &TestHooks{ProgrammeOneCycle: true, OperatingControls: []string{"ACC-04"}}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	// The first run continues as new carrying both certifications.
	var first = history(t, ctx, tmp.Client, id, run.GetRunID())
	require.Eventually(t, func() bool {
		first = history(t, ctx, tmp.Client, id, run.GetRunID())
		return first.Events[len(first.Events)-1].GetEventType() == enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
	}, time.Minute, 100*time.Millisecond, "the first run did not continue as new")
	can := first.Events[len(first.Events)-1].GetWorkflowExecutionContinuedAsNewEventAttributes()
	var next ProgrammeInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(can.GetInput(), &next))
	assert.Equal(t, []postcert.Certification{soc2, iso}, next.Certifications, "the signalled certification is carried")

	// The next run plans ISO 27001's surveillance audits from it.
	require.Eventually(t, func() bool {
		v, err := tmp.Client.QueryWorkflow(ctx, id, "", QueryProgramme)
		if err != nil {
			return false
		}
		var st ProgrammeState
		if v.Get(&st) != nil {
			return false
		}
		for _, m := range st.Milestones {
			if m.Kind == postcert.KindSurveillance1 {
				return true
			}
		}
		return false
	}, time.Minute, 100*time.Millisecond, "the next run did not plan from the carried certification")
	if updateHistories() {
		saveHistory(t, first, "programme_drain_certified.json")
	}
}
