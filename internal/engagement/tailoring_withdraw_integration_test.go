package engagement_test

import (
	"context"
	"maps"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestTailoringWithdrawsOpenQuestionForReal: while the first gap
// assessment of the tailored example waits on its owners (dev server,
// Postgres), the consultant makes GOV-07 not applicable and the lead
// approves. GOV-07's question, open in its owner's digest, is closed as
// withdrawn (no longer chased, no longer answerable); the control is
// recorded as not applicable naming the change, never as a gap; the
// assessment counts it withdrawn; every other question stays open. A
// forged withdraw-controls signal for a control still in scope withdraws
// nothing. With STEADFAST_UPDATE_HISTORIES=1 it records the engagement's
// run (versionTailoringWithdraw) and the assessment's
// (versionAssessmentWithdraw) for the replay test.
func TestTailoringWithdrawsOpenQuestionForReal(t *testing.T) {
	svc, spec, db := tailoredFixture(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	waitPhase(t, svc, spec.ID, compliance.PhaseGapAssessment)
	const gov07 = "gap/GOV-07"
	before := waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		return slices.ContainsFunc(ps, func(p compliance.Prompt) bool { return p.Key == gov07 })
	}, "GOV-07's assessment question")
	i := slices.IndexFunc(before, func(p compliance.Prompt) bool { return p.Key == gov07 })
	question, owner := before[i].ID, before[i].AddresseeEmail

	// A forged hint: anyone with Temporal access can signal, but ACC-02 is
	// in scope by the stored spec, so nothing is withdrawn.
	assessment := workflows.GapAssessmentWorkflowID(spec.ID)
	require.NoError(t, svc.Temporal.SignalWorkflow(ctx, assessment, "", workflows.SignalWithdrawControls,
		workflows.WithdrawControls{ChangeID: "tailoring-forged", Controls: []string{"ACC-02"}}))

	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	ch, err := svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	signoff := waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		return slices.ContainsFunc(ps, func(p compliance.Prompt) bool { return p.Key == "scope-change/"+ch.ID })
	}, "the lead's approval")
	j := slices.IndexFunc(signoff, func(p compliance.Prompt) bool { return p.Key == "scope-change/"+ch.ID })
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: signoff[j].ID, Choice: "approve", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)

	// The question is closed as withdrawn, in the owner's list too.
	deadline := time.Now().Add(2 * time.Minute)
	var withdrawn []compliance.Prompt
	for {
		res, err := svc.Prompts(ctx, engagement.PromptsRequest{EngagementID: spec.ID, Status: compliance.PromptWithdrawn})
		require.NoError(t, err)
		if withdrawn = res.Prompts; len(withdrawn) > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	require.Len(t, withdrawn, 1, "only GOV-07's question is withdrawn")
	assert.Equal(t, question, withdrawn[0].ID)
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: question, Choice: workflows.AssessMissing, Actor: cli(owner)})
	require.Error(t, err, "the owner can no longer answer it")
	after, err := svc.Prompts(ctx, engagement.PromptsRequest{EngagementID: spec.ID, Status: compliance.PromptWithdrawn})
	require.NoError(t, err)
	require.Len(t, after.Prompts, 1, "still withdrawn, not answered")
	open, err := svc.Prompts(ctx, engagement.PromptsRequest{EngagementID: spec.ID, Status: compliance.PromptOpen})
	require.NoError(t, err)
	assert.False(t, slices.ContainsFunc(open.Prompts, func(p compliance.Prompt) bool { return p.Key == gov07 }))
	assert.True(t, slices.ContainsFunc(open.Prompts, func(p compliance.Prompt) bool { return p.Key == "gap/ACC-02" }), "the forged hint withdrew nothing")

	// Recorded as not applicable by the change, not as a gap.
	var status, note string
	require.Eventually(t, func() bool {
		return db.Store.Pool().QueryRow(ctx, `SELECT status, note FROM control_assessments WHERE engagement_id = $1 AND control_id = 'GOV-07'`,
			spec.ID).Scan(&status, &note) == nil
	}, time.Minute, 200*time.Millisecond, "GOV-07's assessment is recorded once its prompt has closed")
	assert.Equal(t, "not-applicable", status)
	assert.Contains(t, note, "Withdrawn: "+ch.ID+" took GOV-07 out of scope (the org chart is the HR system's live view)")

	v, err := svc.Temporal.QueryWorkflow(ctx, assessment, "", workflows.QueryAssessment)
	require.NoError(t, err)
	var progress workflows.AssessmentProgress
	require.NoError(t, v.Get(&progress))
	assert.Equal(t, 1, progress.Withdrawn)
	assert.Zero(t, progress.Answered, "nothing was answered; the withdrawal is not an answer")

	// The forged claim is on the record as ignored.
	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	ignored := slices.ContainsFunc(events, func(ev postgres.Event) bool {
		return ev.Kind == compliance.EventSignalIgnored && ev.Detail["signal"] == workflows.SignalWithdrawControls
	})
	assert.True(t, ignored, "the forged withdraw-controls signal is recorded as ignored")

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeEngagementHistory(t, ctx, svc.Temporal, workflows.EngagementWorkflowID(spec.ID), "engagement_tailoring_withdraw.json")
		writeEngagementHistory(t, ctx, svc.Temporal, assessment, "gap_assessment_withdrawn.json")
	}
}
