package workflows

import (
	"context"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestSearchAttributesForReal: on the dev server (attributes registered as
// the test environment and the worker register them), three engagements —
// two of one client, one operating and one scoping, and one of another
// client, operating — are found by the visibility queries a lead would type
// in the Temporal UI. The operating one got there by an upsert of its phase
// (it started remediated); the scoping one's sign-off question carries its
// kind, addressee and rung, and its addressee follows a reassignment. The
// static summaries and current details say what each workflow is.
//
// STEADFAST_UPDATE_HISTORIES=1 records the operating engagement's run and
// the reassigned question (the versionSearchAttributes branches).
func TestSearchAttributesForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	const queue = "steadfast-search-attributes"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})

	now := time.Now().UTC()
	today := compliance.DateOf(now)
	first := time.Date(today.Year, today.Month, 1, 0, 0, 0, 0, time.UTC)
	// operating starts an engagement past remediation with its window
	// running, so its first run records (and upserts) the operating phase.
	operating := func(id, clientName string) string {
		spec := testSpec(t)
		spec.ID, spec.Client.Name = id, clientName
		spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(first.AddDate(0, -1, 0)), End: compliance.DateOf(first.AddDate(0, 5, -1))}
		spec.AuditDate = today.AddDays(200)
		plan, err := compliance.PlanEngagement(&spec, first.AddDate(0, -4, 0))
		require.NoError(t, err)
		require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: EngagementWorkflowID(spec.ID),
			Revision: 1, Spec: spec, Plan: plan, Phase: compliance.PhaseRemediated, RecordedBy: "test", At: now}))
		st := &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Plan: &plan, Phase: compliance.PhaseRemediated,
			Revision: 1, StartedAt: now, UpdatedAt: now}
		run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: EngagementWorkflowID(spec.ID), TaskQueue: queue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
			TypedSearchAttributes: EngagementStartAttributes(spec), StaticSummary: EngagementSummary(spec)},
			EngagementWorkflowName, EngagementInput{Spec: spec, StartedBy: "test", State: st,
				Test: &TestHooks{OperatingControls: []string{"ACC-08"}}})
		require.NoError(t, err)
		return run.GetRunID()
	}
	acmeRun := operating("sa-acme-2027", "Acme Search")
	operating("sa-globex-2027", "Globex Search")
	// The same client's next engagement, still being scoped.
	scoping := testSpec(t)
	scoping.ID, scoping.Client.Name = "sa-acme-2028", "Acme Search"
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: EngagementWorkflowID(scoping.ID), TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		TypedSearchAttributes: EngagementStartAttributes(scoping), StaticSummary: EngagementSummary(scoping)},
		EngagementWorkflowName, EngagementInput{Spec: scoping, StartedBy: "test"})
	require.NoError(t, err)

	list := func(query string) []string {
		var ids []string
		var token []byte
		for {
			resp, err := tmp.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: tmp.Namespace, Query: query, NextPageToken: token})
			require.NoError(t, err, query)
			for _, e := range resp.GetExecutions() {
				ids = append(ids, e.GetExecution().GetWorkflowId())
			}
			if token = resp.GetNextPageToken(); len(token) == 0 {
				break
			}
		}
		sort.Strings(ids)
		return slices.Compact(ids)
	}
	// eventually waits until query finds want (visibility is eventually
	// consistent) and returns what it found.
	eventually := func(query string, want ...string) []string {
		var got []string
		require.Eventually(t, func() bool {
			got = list(query)
			for _, w := range want {
				if !slices.Contains(got, w) {
					return false
				}
			}
			return true
		}, time.Minute, 200*time.Millisecond, "%s found %v, want at least %v", query, &got, want)
		return got
	}

	// The lead's question: which of Acme's workflows are in the operating
	// window? The engagement (upserted from remediated) and its scheduler,
	// and any question the scheduler asked; nothing of Globex's or of
	// Acme's engagement still being scoped.
	q := "Phase = 'operating' AND Client = 'Acme Search'"
	got := eventually(q, EngagementWorkflowID("sa-acme-2027"), OperatingWorkflowID("sa-acme-2027"))
	for _, id := range got {
		assert.True(t, strings.HasPrefix(id, EngagementWorkflowID("sa-acme-2027")) || strings.HasPrefix(id, PromptWorkflowID("sa-acme-2027", "")),
			"%s found %s, not a workflow of Acme's operating engagement", q, id)
	}
	eventually("Phase = 'operating' AND Client = 'Globex Search'", EngagementWorkflowID("sa-globex-2027"), OperatingWorkflowID("sa-globex-2027"))
	assert.Equal(t, []string{EngagementWorkflowID("sa-acme-2028")}, list("Engagement = 'sa-acme-2028' AND WorkflowType = 'Engagement' AND Phase = 'scoping'"))
	assert.Equal(t, []string{EngagementWorkflowID("sa-globex-2027")}, list("Framework = 'soc2' AND Client = 'Globex Search' AND WorkflowType = 'Engagement'"))

	// The scoping engagement's sign-off question: its kind, addressee and
	// rung from its start; its addressee follows a reassignment.
	var signoff []string
	require.Eventually(t, func() bool {
		signoff = list("Engagement = 'sa-acme-2028' AND QuestionKind = 'scope-signoff' AND Addressee = '" + leadEmail + "' AND Rung = 0")
		return len(signoff) == 1
	}, time.Minute, 200*time.Millisecond, "the sign-off question was never found (%v)", &signoff)
	promptID := signoff[0]
	deputy := compliance.Person{Name: "Dee Puty", Email: "dee@brightlane.io"}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: promptID, UpdateID: "reassign-signoff",
		UpdateName: UpdateReassignPrompt, WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{ReassignPromptRequest{To: deputy, Actor: cli(leadEmail)}}})
	require.NoError(t, err)
	require.NoError(t, h.Get(ctx, nil))
	eventually("QuestionKind = 'scope-signoff' AND Addressee = 'dee@brightlane.io'", promptID)

	// What the UI shows: the static summary and the current details.
	desc, err := tmp.Client.DescribeWorkflow(ctx, promptID, "")
	require.NoError(t, err)
	var summary string
	require.NoError(t, converter.GetDefaultDataConverter().FromPayload(desc.RawResponse.GetExecutionConfig().GetUserMetadata().GetSummary(), &summary))
	assert.Contains(t, summary, "from "+leadEmail, "the question's summary names whom it was asked")
	v, err := tmp.Client.QueryWorkflow(ctx, promptID, "", "__temporal_workflow_metadata")
	require.NoError(t, err)
	var meta sdkpb.WorkflowMetadata
	require.NoError(t, v.Get(&meta))
	assert.Contains(t, meta.GetCurrentDetails(), "open, asked of dee@brightlane.io")
	v, err = tmp.Client.QueryWorkflow(ctx, EngagementWorkflowID("sa-acme-2027"), "", "__temporal_workflow_metadata")
	require.NoError(t, err)
	require.NoError(t, v.Get(&meta))
	assert.True(t, strings.HasPrefix(meta.GetCurrentDetails(), "operating"), "engagement details %q", meta.GetCurrentDetails())

	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, EngagementWorkflowID("sa-acme-2027"), acmeRun), "engagement_operating_search_attributes.json")
		saveHistory(t, history(t, ctx, tmp.Client, promptID, ""), "prompt_reassigned_search_attributes.json")
	}
}
