package slack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	goslack "github.com/slack-go/slack"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

type rawBlock struct {
	Type     string `json:"type"`
	BlockID  string `json:"block_id"`
	Elements []struct {
		ActionID string `json:"action_id"`
		Value    string `json:"value"`
	} `json:"elements"`
}

func render(t *testing.T, m slack.Message) (string, []rawBlock) {
	t.Helper()
	b, err := json.Marshal(goslack.Blocks{BlockSet: m.Blocks})
	require.NoError(t, err)
	var v []rawBlock
	require.NoError(t, json.Unmarshal(b, &v))
	return string(b), v
}

func TestDigestRoutesEveryOpenPrompt(t *testing.T) {
	js, blocks := render(t, slack.DigestMessage("Alice", samplePrompts()))
	actions := map[string][]string{}
	for _, b := range blocks {
		if b.Type == "actions" {
			for _, el := range b.Elements {
				actions[b.BlockID] = append(actions[b.BlockID], el.ActionID)
			}
		}
	}
	assert.Equal(t, map[string][]string{
		"prompt:prompt/eng-1/cc6.1-status": {"answer:implemented", "answer:partial", "answer:missing", "note:prompt/eng-1/cc6.1-status"},
		// NeedsLink: the modal is the one way to answer.
		"prompt:prompt/eng-1/a.8.32-evidence": {"note:prompt/eng-1/a.8.32-evidence"},
	}, actions, "answered and expired prompts have no buttons")
	assert.Contains(t, js, "Recorded: *Implemented* by \\u003c@U0ALICE\\u003e")
	assert.Contains(t, js, "Expired")
	assert.Contains(t, js, "2 questions need your answer")
	assert.Contains(t, js, "!date^")
	assert.NotContains(t, js, "reassign:", "the owner's digest has no Reassign")
}

func TestEscalationHasReassign(t *testing.T) {
	m := slack.EscalationMessage(leadID, "Alice <alice@client>", samplePrompts(), "cannot reach alice@client in Slack")
	js, _ := render(t, m)
	assert.Contains(t, js, "reassign:prompt/eng-1/cc6.1-status")
	assert.Contains(t, js, "answer:partial")
	assert.Contains(t, js, "\\u003c@U0LEAD\\u003e", "the lead is mentioned")
	assert.Contains(t, js, "Alice \\u0026lt;alice@client\\u0026gt;", "names are escaped")
}

func TestReminderListsOpenPromptsOnly(t *testing.T) {
	js, blocks := render(t, slack.ReminderMessage("Alice", samplePrompts(), 2))
	assert.Contains(t, js, "Reminder 2")
	assert.Contains(t, js, "CC6.1 Access reviews")
	assert.NotContains(t, js, "CC7.2 Monitoring")
	for _, b := range blocks {
		assert.NotEqual(t, "actions", b.Type)
	}
}

func TestDigestRespectsSlackLimits(t *testing.T) {
	var ps []slack.PromptView
	for i := range 40 {
		p := samplePrompts()[0]
		p.PromptID = fmt.Sprintf("prompt/eng-1/p%02d", i)
		p.Question = strings.Repeat("very long question ", 400)
		if i%3 == 0 {
			p.Answer = &slack.AnswerView{Choice: "implemented", By: "bob@client.example", At: time.Now()}
		}
		ps = append(ps, p)
	}
	m := slack.DigestMessage("Alice", ps)
	js, blocks := render(t, m)
	assert.LessOrEqual(t, len(blocks), 50)
	assert.Contains(t, js, "do not fit in one Slack message")

	// The emulator applies Slack's checks; the real client posts it.
	e := newEnv(t)
	_, err := e.client.Post(context.Background(), engChannel, m)
	require.NoError(t, err)
}

func TestUnroutablePromptRendersWithoutButtons(t *testing.T) {
	p := samplePrompts()[0]
	p.PromptID = strings.Repeat("x", 300)
	require.Error(t, p.Validate())
	js, blocks := render(t, slack.DigestMessage("Alice", []slack.PromptView{p}))
	for _, b := range blocks {
		assert.LessOrEqual(t, len(b.BlockID), 255)
		assert.NotEqual(t, "actions", b.Type)
	}
	assert.Contains(t, js, "starter answer")

	p = samplePrompts()[0]
	p.Choices = append(p.Choices, slack.Choice{Value: "implemented"})
	assert.ErrorIs(t, p.Validate(), slack.ErrInvalidInput)
	assert.NoError(t, samplePrompts()[0].Validate())
}

func TestModalViews(t *testing.T) {
	v, err := slack.Modal{Purpose: slack.CallbackNote, PromptID: "p1", Question: "Q?",
		Choices: []slack.Choice{{"a", "A"}}, NeedsNote: true}.View()
	require.NoError(t, err)
	assert.Equal(t, "p1", v.PrivateMetadata)
	assert.Equal(t, slack.CallbackNote, v.CallbackID)
	assert.True(t, goslack.ValidateUniqueBlockID(v))

	_, err = slack.Modal{Purpose: "other", PromptID: "p1"}.View()
	assert.ErrorIs(t, err, slack.ErrInvalidInput)
	_, err = slack.Modal{Purpose: slack.CallbackNote}.View()
	assert.ErrorIs(t, err, slack.ErrInvalidInput)
}

// A withdrawn question tells its owner it needs no answer — not that it
// expired — and has no buttons.
func TestDigestShowsWithdrawnQuestion(t *testing.T) {
	p := slack.PromptView{PromptID: "prompt/eng-1/gap/gov-07", Kind: "control-status", Question: "Is the org chart reviewed?",
		Subject: "GOV-07 Org chart", Due: time.Date(2026, 12, 9, 17, 0, 0, 0, time.UTC), Withdrawn: true,
		Choices: []slack.Choice{{"implemented", "Implemented"}}}
	js, blocks := render(t, slack.DigestMessage("Alice", []slack.PromptView{p}))
	assert.Contains(t, js, "Withdrawn: this question no longer needs an answer.")
	assert.NotContains(t, js, "Expired")
	for _, b := range blocks {
		assert.NotEqual(t, "actions", b.Type, "a withdrawn question has no buttons")
	}
}
