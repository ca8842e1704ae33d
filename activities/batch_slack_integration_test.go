package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// TestOwnerBatchIsOneMessageWithAnAnswerPerItem opens a week's batch of
// three evidence requests through the real Slack client (emulator) and
// Postgres: one DM whose every item has its own block and buttons (its
// own prompt ID), one row per item with its own deadline; the lead rung of
// one item escalates that item alone; the answer to another is recorded
// with its evidence against its own occurrence, once however often the
// activity is retried.
func TestOwnerBatchIsOneMessageWithAnAnswerPerItem(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	priya := *f.spec.Person("priya@brightlane.io")
	maya := *f.spec.Person("maya@brightlane.io")
	batch := "prompt/" + f.spec.ID + "/batch/week-2027-W14/priya@brightlane.io"
	now := time.Now()
	var in activities.OpenBatchInput
	in.To = priya
	for i, c := range []string{"ACC-08", "CHG-01", "VUL-01"} {
		key := "evidence/" + c + "/2027-03"
		due := now.Add(time.Duration(48+24*i) * time.Hour)
		in.Prompts = append(in.Prompts, postgres.Prompt{ID: compliance.BatchItemID(batch, key), EngagementID: f.spec.ID, Key: key, Kind: "evidence",
			Subject: c, Question: "Evidence for " + c, Choices: []postgres.PromptChoice{{Value: "evidence", Label: "Here is the evidence", LinkRequired: true}},
			AddresseeEmail: priya.Email, AddresseeName: priya.Name, DueAt: due, CreatedAt: now})
		in.Ladders = append(in.Ladders, activities.PlanLadderInput{Policy: f.spec.Reminders, From: now, Due: due, Until: due.Add(120 * time.Hour)})
	}
	res, err := f.acts.OpenBatch(ctx, in)
	require.NoError(t, err)
	assert.Equal(t, postgres.ChannelSlack, res.Delivered)
	require.Len(t, res.Ladders, 3)
	assert.NotEqual(t, res.Ladders[0], res.Ladders[2], "each item's ladder follows its own deadline")

	msgs := f.emu.Messages()
	require.Len(t, msgs, 1, "one DM for the batch")
	blocks := string(msgs[0].Blocks)
	for _, p := range in.Prompts {
		assert.Contains(t, blocks, slack.BlockPrefix+p.ID, "a block of its own for %s", p.Key)
		assert.Contains(t, blocks, slack.ActionNotePrefix+p.ID, "its own evidence button")
	}
	rows, err := f.db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: f.spec.ID, Status: postgres.PromptOpen})
	require.NoError(t, err)
	assert.Len(t, rows, 3)

	// The lead rung of the third item only.
	late := in.Prompts[2].ID
	_, err = f.acts.BatchStep(ctx, activities.BatchStepInput{PromptIDs: []string{late}, EngagementID: f.spec.ID, To: priya,
		Tell: []compliance.Person{maya}, SlackChannel: "C0READINESS", Step: activities.LadderStep{Name: "lead", Kind: activities.StepLead, At: now}})
	require.NoError(t, err)
	events, err := f.db.Store.Events(ctx, f.spec.ID)
	require.NoError(t, err)
	var stepped []string
	for _, e := range events {
		if e.Kind == postgres.EventPromptStep {
			stepped = append(stepped, fmt.Sprint(e.Detail["prompt"]))
		}
	}
	assert.Equal(t, []string{late}, stepped, "only the late item escalated")

	// The first item answered, retried: one answer, one evidence row.
	answer := activities.RecordBatchAnswerInput{Person: priya, Answer: compliance.PromptAnswer{PromptID: in.Prompts[0].ID, EngagementID: f.spec.ID,
		Choice: "evidence", Link: "https://wiki.example/acc-08", By: priya.Email, Via: "slack", UpdateID: "click-1", At: now},
		Evidence: &activities.RecordEvidenceInput{EngagementID: f.spec.ID, Kind: "link", Value: "https://wiki.example/acc-08", By: priya.Email,
			Channel: "slack", SubmissionKey: "click-1", At: now, Request: activities.EvidenceRequest{ControlID: "ACC-08", OccurrenceKey: "ACC-08/2027-03",
				PeriodStart: time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2027, 3, 31, 0, 0, 0, 0, time.UTC), Due: now.Add(48 * time.Hour)}}}
	for range 2 {
		_, err = f.acts.RecordBatchAnswer(ctx, answer)
		require.NoError(t, err)
	}
	evs, err := f.db.Store.EvidenceFor(ctx, f.spec.ID)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.Equal(t, "ACC-08/2027-03", evs[0].OccurrenceKey)
	rows, err = f.db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: f.spec.ID, Status: postgres.PromptOpen})
	require.NoError(t, err)
	assert.Len(t, rows, 2, "the other two items are still open")
	last := f.emu.Updates()[len(f.emu.Updates())-1]
	assert.True(t, strings.Contains(string(last.Blocks), "wiki.example/acc-08") || strings.Contains(string(last.Blocks), "Here is the evidence"),
		"the digest shows the answered item")
}
