package engagement_test

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestTailoringChangeBeforeCertificationForReal: an engagement of the
// tailored example in its gap assessment (dev server, Postgres) takes a new
// tailoring — one control not applicable, one owner override, one custom
// control — as a scope change. A control owner is refused, through the
// service and through a raw Temporal client, in the same words; the
// consultant's proposal names exactly the controls it affects; the lead
// approves it; only those controls are assessed again, each by its new
// owner; the stored spec (which the operating scheduler reads from its
// next batch) carries the new tailoring, so the not-applicable control has
// no cadence and the custom control has one. With
// STEADFAST_UPDATE_HISTORIES=1 it records the engagement's run
// (versionEngagementTailoring's new branch) for the replay test.
func TestTailoringChangeBeforeCertificationForReal(t *testing.T) {
	svc, spec, db := tailoredFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	waitPhase(t, svc, spec.ID, compliance.PhaseGapAssessment)

	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	next.Controls["ACC-02"] = compliance.ControlTailoring{Owner: "leo@brightlane.io", Justification: "Leo took over provisioning"}
	next.Custom = append(slices.Clone(spec.Tailoring.Custom), compliance.CustomControl{
		ID: "BRT-03", Title: "Release freeze review", Domain: compliance.DomainChange, Type: "procedure",
		Description: "Before each quarterly release freeze the release manager reviews the changes still open and who approved them.",
		Frequency:   compliance.FreqQuarterly, Evidence: "The freeze review's checklist", Owner: "priya@brightlane.io",
		Maps: map[compliance.FrameworkID]map[string]string{compliance.SOC2: {"CC8.1": "open changes are reviewed and approved before release"}},
	})

	// A control owner may not change the scope: the service and a raw
	// client are refused in the same words, and nothing is proposed.
	leo := cli("leo@brightlane.io")
	_, svcErr := svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: leo})
	require.EqualError(t, svcErr, "leo@brightlane.io may not change the scope: only the lead, a lead delegate or the consultant")
	h, err := svc.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.EngagementWorkflowID(spec.ID), UpdateName: workflows.UpdateChangeTailoring, UpdateID: "raw/tailoring",
		Args: []any{workflows.ChangeTailoringRequest{Tailoring: next, Actor: leo}}, WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	require.Error(t, err, "a raw client is refused too")
	assert.Contains(t, err.Error(), svcErr.Error(), "in the same words")

	ch, err := svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	assert.Equal(t, workflows.ChangeProposed, ch.Status)
	assert.Equal(t, []string{"ACC-02", "BRT-03"}, ch.NewControls, "the owner override and the custom control; the not-applicable one is not asked")
	st, err := svc.Status(ctx, engagement.StatusRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	require.Len(t, st.Changes, 1)
	assert.Equal(t, ch.ID, st.Changes[0].ID)

	// The same proposal again is the same change.
	_, err = svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err, "the same update ID: Temporal answers with the first result")

	// The lead approves it through the scope-change question.
	var signoff compliance.Prompt
	waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		i := slices.IndexFunc(ps, func(p compliance.Prompt) bool { return p.Key == "scope-change/"+ch.ID })
		if i >= 0 {
			signoff = ps[i]
		}
		return i >= 0
	}, "the lead's approval of the tailoring change")
	assert.Equal(t, "maya@brightlane.io", signoff.AddresseeEmail)
	assert.Contains(t, signoff.Question, "2 controls would be assessed again (ACC-02, BRT-03)")
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: signoff.ID, Choice: "approve", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)

	// Only the affected controls are asked again, in the change's round,
	// each of its owner under the new tailoring.
	round := "gap/" + ch.ID + "/"
	ps := waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		n := 0
		for _, p := range ps {
			if strings.HasPrefix(p.Key, round) {
				n++
			}
		}
		return n == 2
	}, "the re-assessment of the affected controls")
	asked := map[string]string{}
	for _, p := range ps {
		if c, ok := strings.CutPrefix(p.Key, round); ok {
			asked[c] = p.AddresseeEmail
		}
	}
	assert.Equal(t, map[string]string{"ACC-02": "leo@brightlane.io", "BRT-03": "priya@brightlane.io"}, asked)

	// The stored spec carries the new tailoring; the cadence computed
	// from it (as the engagement's scheduler does from its next batch)
	// drops the not-applicable control and schedules the custom one.
	recorded, plan, err := db.Store.SpecAndPlan(ctx, spec.ID)
	require.NoError(t, err)
	assert.Equal(t, next, recorded.Tailoring)
	acts := &activities.Activities{Store: db.Store}
	sched, err := acts.NextBatches(ctx, activities.NextOccurrencesInput{FromStore: true, EngagementID: spec.ID, Plan: plan, Until: time.Now().AddDate(2, 0, 0)})
	require.NoError(t, err)
	owners := map[string]string{}
	for _, b := range sched.Batches {
		for _, it := range b.Items {
			owners[it.ControlID] = b.Owner.Email
		}
	}
	assert.NotContains(t, owners, "GOV-07", "a not-applicable control is not asked")
	assert.Equal(t, "priya@brightlane.io", owners["BRT-03"], "the custom control is scheduled")
	assert.Equal(t, "leo@brightlane.io", owners["ACC-02"], "the new owner is asked")

	st, err = svc.Status(ctx, engagement.StatusRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	require.Len(t, st.Changes, 1)
	assert.Equal(t, workflows.ChangeApproved, st.Changes[0].Status, "approved, its controls being assessed")
	assert.Equal(t, compliance.PhaseGapAssessment, st.Phase, "the engagement's own phase goes on")

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeEngagementHistory(t, ctx, svc.Temporal, workflows.EngagementWorkflowID(spec.ID), "engagement_tailoring_change.json")
	}
}

// waitPhase polls the engagement's status until it reaches phase.
func waitPhase(t *testing.T, svc *engagement.Service, id string, phase compliance.Phase) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := svc.Status(context.Background(), engagement.StatusRequest{EngagementID: id})
		if err == nil && st.Phase == phase {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (phase %s, error %v)", phase, st.Phase, err)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// writeEngagementHistory writes a run's history where the workflows'
// replay test reads it.
func writeEngagementHistory(t *testing.T, ctx context.Context, c client.Client, workflowID, name string) {
	t.Helper()
	var h historypb.History
	it := c.GetWorkflowHistory(ctx, workflowID, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join("..", "..", "testdata", "histories", name), b, 0o644))
	t.Logf("wrote %s (%d events)", name, len(h.Events))
}
