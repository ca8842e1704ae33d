package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// TestCustomerReviewForReal: on the dev server, with Postgres, a raw
// client imports a three-question review into the engagement (an owner is
// refused); two questions are routed, one waits on the lead's triage; the
// lead maps it (an owner may not); owners answer; the lead approves (an
// unanswered question cannot be approved), and the workflow ends when every
// answer is approved.
//
// STEADFAST_UPDATE_HISTORIES=1 records the review's history under
// testdata/histories.
func TestCustomerReviewForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	pr := programmeForReal(ctx, t, "steadfast-customer-review")
	db, tmp, spec, id, update := pr.db, pr.tmp, pr.spec, pr.id, pr.update
	due := compliance.DateOf(time.Now().AddDate(0, 0, 10))
	req := ImportCustomerReviewRequest{Customer: "Acme Bank", Due: due, Format: "csv", FileName: "acme.csv", Questions: []custreview.Question{
		{ID: "Q1", Text: "How often do you review access?", Ref: "ACC-04"},
		{ID: "Q2", Text: "Who triages alerts?", Ref: "CC7.2"},
		{ID: "Q3", Text: "Describe your SDLC.", Ref: "SIG-4.1"}}}
	req.Actor = cli("leo@brightlane.io")
	require.ErrorContains(t, update(id, UpdateImportCustomerReview, "import-by-owner", req, nil), "may not import")
	req.Actor = cli(leadEmail)
	var imp ImportCustomerReviewResult
	require.NoError(t, update(id, UpdateImportCustomerReview, "import", req, &imp))
	assert.Equal(t, 2, imp.Routed)
	assert.Equal(t, []string{"Q3"}, imp.Unmapped)
	wid := imp.WorkflowID
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), wid, "", "test over") }()

	require.ErrorContains(t, update(wid, UpdateMapQuestion, "map-by-owner", MapQuestionRequest{QuestionID: "Q3", Ref: "CHG-01", Actor: cli("leo@brightlane.io")}, nil), "may not triage")
	require.ErrorContains(t, update(wid, UpdateMapQuestion, "map-nowhere", MapQuestionRequest{QuestionID: "Q3", Ref: "NOPE-1", Actor: cli(leadEmail)}, nil), "names no control")
	require.NoError(t, update(wid, UpdateMapQuestion, "map", MapQuestionRequest{QuestionID: "Q3", Ref: "CHG-01", Actor: cli(leadEmail)}, nil))
	require.ErrorContains(t, update(wid, UpdateApproveAnswer, "approve-early", ApproveAnswerRequest{QuestionID: "Q1", Actor: cli(leadEmail)}, nil), "no answer to approve")

	var prompts []postgres.Prompt
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID, Status: "open"})
		require.NoError(t, err)
		prompts = prompts[:0]
		for _, p := range ps {
			if p.Kind == PromptKindCustomerQuestion {
				prompts = append(prompts, p)
			}
		}
		return len(prompts) == 3
	}, time.Minute, 200*time.Millisecond)
	for _, p := range prompts {
		require.NoError(t, update(p.ID, UpdateAnswerPrompt, "answer-"+p.ID, AnswerPromptRequest{Choice: ChoiceAnswer,
			Note: "Quarterly, by the system owners.", Link: "https://wiki.example/ev", Actor: cli(p.AddresseeEmail)}, nil))
	}
	for _, q := range []string{"Q1", "Q2", "Q3"} {
		require.Eventually(t, func() bool {
			return update(wid, UpdateApproveAnswer, "approve-"+q, ApproveAnswerRequest{QuestionID: q, Actor: cli(leadEmail)}, nil) == nil
		}, time.Minute, 300*time.Millisecond, "approve %s", q)
	}
	var st CustomerReviewState
	require.NoError(t, tmp.Client.GetWorkflow(ctx, wid, "").Get(ctx, &st), "the review ends when every answer is approved")
	for _, q := range st.Questions {
		assert.Equal(t, custreview.StatusApproved, q.Status, q.ID)
	}
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, wid, ""), "customer_review_mapped_answered_approved.json")
	}
}
