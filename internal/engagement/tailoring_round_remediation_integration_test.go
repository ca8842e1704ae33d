package engagement_test

import (
	"context"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestChangeGapRemediatedInTheOperatingPeriodForReal: the engagement is in
// its operating period (remediation over; dev server, Postgres). The lead
// approves a change adding a custom control; its owner answers the change's
// round "missing". With no remediation running, the gap gets one of its
// own: an open item named by the change, with the owner and a due date
// ahead, closed through the service (`starter remediation complete
// ENGAGEMENT CONTROL` finds the change's item) only with evidence. `status`
// shows the change's remediation, open and then closed.
func TestChangeGapRemediatedInTheOperatingPeriodForReal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	op := startOperating(ctx, t, "steadfast-change-gap-remediation", []string{"ACC-02"})
	spec, svc := op.spec, op.svc
	g := openChangeGap(ctx, t, op)
	ch, item := g.change, g.item
	var it *postgres.RemediationItem
	// `status` shows the change's remediation beside the engagement's own.
	changeStatus := func() engagement.ChangeRemediation {
		t.Helper()
		st, err := svc.StatusReport(ctx, engagement.StatusRequest{EngagementID: spec.ID})
		require.NoError(t, err)
		require.Len(t, st.ChangeRemediations, 1, "one change's remediation")
		return st.ChangeRemediations[0]
	}
	cr := changeStatus()
	assert.Equal(t, ch.ID, cr.Change)
	assert.Equal(t, []int{1, 0, 0, 0}, []int{cr.Open, cr.Closed, cr.Accepted, cr.Overdue}, "open, closed, accepted, overdue")
	assert.Equal(t, []string{"priya@brightlane.io"}, cr.Owners)
	assert.Equal(t, item().Due, cr.Due)

	_, err := svc.CompleteGap(ctx, engagement.CompleteGapRequest{Item: spec.ID + "/BRT-03", Evidence: "not a link", Actor: cli("priya@brightlane.io")})
	require.Error(t, err, "closed only with evidence")
	require.Eventually(t, func() bool {
		st, err := svc.CompleteGap(ctx, engagement.CompleteGapRequest{Item: spec.ID + "/BRT-03", Evidence: "https://drive.example/freeze-review", Actor: cli("priya@brightlane.io")})
		return err == nil && st.Status == compliance.ItemVerified
	}, time.Minute, 200*time.Millisecond, "the owner closes the change's gap with evidence")
	require.Eventually(t, func() bool { it = item(); return it != nil && it.Status == compliance.ItemVerified }, time.Minute, 200*time.Millisecond)
	assert.Equal(t, "https://drive.example/freeze-review", it.EvidenceLink)
	var out workflows.RemediationResult
	require.NoError(t, op.tmp.Client.GetWorkflow(ctx, workflows.RoundRemediationWorkflowID(spec.ID, ch.ID), "").Get(ctx, &out))
	assert.Equal(t, workflows.RemediationResult{Verified: 1}, out, "the change's remediation completed")
	assert.False(t, strings.Contains(it.ItemID, "/gap/BRT-03"), "named by the change")
	cr = changeStatus()
	assert.Equal(t, []int{0, 1, 0}, []int{cr.Open, cr.Closed, cr.Accepted}, "closed with evidence")
}

// changeGap is a change's gap opened in the operating period: the change,
// its remediation item's ID, and a reader of that item.
type changeGap struct {
	change workflows.ScopeChange
	itemID string
	item   func() *postgres.RemediationItem
}

// openChangeGap adds a custom control through a tailoring change the lead
// approves, has its owner answer "missing", and waits for the change's own
// remediation to open the gap's item.
func openChangeGap(ctx context.Context, t *testing.T, op operatingEngagement) changeGap {
	t.Helper()
	spec, svc, prompts := op.spec, op.svc, op.prompts

	next := spec.Tailoring
	next.Custom = append(slices.Clone(spec.Tailoring.Custom), compliance.CustomControl{
		ID: "BRT-03", Title: "Release freeze review", Domain: compliance.DomainChange, Type: "procedure",
		Description: "Before each quarterly release freeze the release manager reviews the changes still open and who approved them.",
		Frequency:   compliance.FreqQuarterly, Evidence: "The freeze review's checklist", Owner: "priya@brightlane.io",
		Maps: map[compliance.FrameworkID]map[string]string{compliance.SOC2: {"CC8.1": "open changes are reviewed and approved before release"}},
	})
	ch, err := svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	find := func(key string) (compliance.Prompt, bool) {
		ps := prompts()
		i := slices.IndexFunc(ps, func(p compliance.Prompt) bool { return p.Key == key })
		if i < 0 {
			return compliance.Prompt{}, false
		}
		return ps[i], true
	}
	var p compliance.Prompt
	require.Eventually(t, func() (ok bool) { p, ok = find("scope-change/" + ch.ID); return ok }, time.Minute, 200*time.Millisecond, "the lead was not asked")
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: p.ID, Choice: "approve", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	require.Eventually(t, func() (ok bool) { p, ok = find("gap/" + ch.ID + "/BRT-03"); return ok }, time.Minute, 200*time.Millisecond, "the round never asked")
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: p.ID, Choice: workflows.AssessMissing, Actor: cli("priya@brightlane.io")})
	require.NoError(t, err)

	itemID := workflows.RoundGapWorkflowID(spec.ID, ch.ID, "BRT-03")
	item := func() *postgres.RemediationItem {
		res, err := svc.Remediation(ctx, engagement.RemediationRequest{EngagementID: spec.ID})
		require.NoError(t, err)
		for i := range res.Items {
			if res.Items[i].ItemID == itemID {
				return &res.Items[i]
			}
		}
		return nil
	}
	var it *postgres.RemediationItem
	require.Eventually(t, func() bool { it = item(); return it != nil }, time.Minute, 200*time.Millisecond,
		"the change's gap got no remediation item")
	assert.Equal(t, compliance.ItemOpen, it.Status)
	assert.Equal(t, "priya@brightlane.io", it.OwnerEmail)
	assert.Equal(t, activities.RoundTicketLabel(spec.ID, ch.ID, "BRT-03"), it.TicketLabel)
	assert.True(t, it.Due.After(time.Now().AddDate(0, 0, 6)), "due ahead: %s", it.Due)
	t.Cleanup(func() {
		_ = op.tmp.Client.TerminateWorkflow(context.Background(), workflows.RoundRemediationWorkflowID(spec.ID, ch.ID), "", "test over")
		_ = op.tmp.Client.TerminateWorkflow(context.Background(), itemID, "", "test over")
	})
	return changeGap{change: ch, itemID: itemID, item: item}
}

// TestClosingTheEngagementEndsAChangesRemediation: a change's own
// remediation outlives every run (abandoned twice over), so closing the
// engagement cancels it by ID, and its owner is no longer chased.
func TestClosingTheEngagementEndsAChangesRemediation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	op := startOperating(ctx, t, "steadfast-change-gap-close", []string{"ACC-02"})
	g := openChangeGap(ctx, t, op)
	require.NoError(t, op.tmp.Client.CancelWorkflow(ctx, workflows.EngagementWorkflowID(op.spec.ID), ""))
	id := workflows.RoundRemediationWorkflowID(op.spec.ID, g.change.ID)
	require.Eventually(t, func() bool {
		d, err := op.tmp.Client.DescribeWorkflow(ctx, id, "")
		require.NoError(t, err)
		return d.RawResponse.GetWorkflowExecutionInfo().GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	}, time.Minute, 200*time.Millisecond, "the change's remediation outlived the closed engagement")
	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeEngagementHistory(t, ctx, op.tmp.Client, workflows.EngagementWorkflowID(op.spec.ID), "engagement_closed_round_remediation.json")
	}
}
