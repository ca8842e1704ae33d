package workflows

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestVendorWorkForReal runs the vendor work on the dev server and Postgres:
// an engagement entering its long phases starts its vendor work (the
// versionVendorWork branch) before it hands over to a new run, the vendor
// work outlives that run, reads the recorded spec, and asks Gusto's owner at
// once for the report nobody has on file — a real prompt, recorded in the
// prompts table as vendor work. With STEADFAST_UPDATE_HISTORIES=1 it writes
// the engagement's first run and the vendor work's history for the replay
// test.
func TestVendorWorkForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	spec := testSpec(t)
	spec.Vendor("Gusto").Reports = nil // nothing on file: asked for at once
	// Every day a business day, so "at once" does not wait for Monday.
	spec.Reminders.BusinessDays = []compliance.Weekday{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	now := time.Now().UTC()
	// And a zone where it is mid-afternoon now, so "at once" is not today's
	// ask hour still to come (the test failed whenever it ran before 10:00
	// in the spec's zone).
	spec.Reminders.TimeZone = zoneAtHour(now, 14)
	today := compliance.DateOf(now)
	first := time.Date(today.Year, today.Month, 1, 0, 0, 0, 0, time.UTC)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(first.AddDate(0, -5, 0)), End: compliance.DateOf(first.AddDate(0, -1, -1))}
	spec.AuditDate = today.AddDays(60)
	plan, err := compliance.PlanEngagement(&spec, first.AddDate(0, -9, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: spec, Plan: plan, Phase: compliance.PhaseRemediated, RecordedBy: "test", At: now}))

	const queue = "steadfast-vendor-work"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})

	st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseRemediated,
		Revision: 1, StartedAt: now, UpdatedAt: now}
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: EngagementWorkflowID(spec.ID), TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st,
			Test: &TestHooks{ForceContinueAsNew: true, OperatingControls: []string{"ACC-08"}, VendorWork: true}})
	require.NoError(t, err)

	promptID := PromptWorkflowID(spec.ID, "vendor/gusto/obtain-report/first")
	defer func() {
		if t.Failed() {
			h := history(t, ctx, tmp.Client, VendorWorkWorkflowID(spec.ID), "")
			for _, ev := range h.Events {
				t.Logf("DBG %d %s %v %v", ev.GetEventId(), ev.GetEventType(), ev.GetActivityTaskFailedEventAttributes().GetFailure(), ev.GetWorkflowExecutionFailedEventAttributes().GetFailure())
			}
		}
	}()
	var prompts []compliance.Prompt
	require.Eventually(t, func() bool {
		prompts, err = db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
		if err != nil {
			return false
		}
		for _, p := range prompts {
			if p.ID == promptID {
				return true
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "the vendor work never asked for Gusto's report (prompts %+v)", prompts)
	for _, p := range prompts {
		if p.ID == promptID {
			assert.Equal(t, PromptKindVendor, p.Kind)
			assert.Equal(t, "leo@brightlane.io", p.AddresseeEmail)
			assert.Equal(t, compliance.PromptOpen, p.Status)
		}
	}
	require.Eventually(t, func() bool {
		d, err := tmp.Client.DescribeWorkflow(ctx, EngagementWorkflowID(spec.ID), run.GetRunID())
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW
	}, 30*time.Second, 100*time.Millisecond, "the first run never handed over")
	vw, err := tmp.Client.DescribeWorkflow(ctx, VendorWorkWorkflowID(spec.ID), "")
	require.NoError(t, err)
	assert.Equal(t, enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING, vw.RawResponse.GetWorkflowExecutionInfo().GetStatus(), "the vendor work outlives the run that started it")

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeRunHistory(t, ctx, tmp.Client, EngagementWorkflowID(spec.ID), run.GetRunID(), "engagement_operating_v7_vendor_work.json")
		writeRunHistory(t, ctx, tmp.Client, VendorWorkWorkflowID(spec.ID), "", "vendor_work_first_batch.json")
	}
	// Closing the engagement closes its vendor work.
	require.NoError(t, tmp.Client.CancelWorkflow(ctx, EngagementWorkflowID(spec.ID), ""))
	require.Eventually(t, func() bool {
		d, err := tmp.Client.DescribeWorkflow(ctx, VendorWorkWorkflowID(spec.ID), "")
		return err == nil && d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	}, 30*time.Second, 200*time.Millisecond, "cancelling the engagement left its vendor work running")
}

// zoneAtHour names a fixed-offset zone in which now falls in the given hour
// (the IANA Etc/GMT names have the sign reversed: Etc/GMT-3 is UTC+3).
func zoneAtHour(now time.Time, hour int) string {
	switch off := hour - now.Hour(); {
	case off > 0:
		return fmt.Sprintf("Etc/GMT-%d", off)
	case off < 0:
		return fmt.Sprintf("Etc/GMT+%d", -off)
	default:
		return "Etc/GMT"
	}
}
