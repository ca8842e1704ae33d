package slack_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

func TestSignedClickReachesAnswerer(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:partial")
	require.NoError(t, err)

	w := e.post(t, testSecret, time.Now(), slackemu.FormBody(payload))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Body.String())

	in := e.ans.next(t)
	assert.Equal(t, slack.KindAnswer, in.Kind)
	assert.Equal(t, "prompt/eng-1/cc6.1-status", in.PromptID)
	assert.Equal(t, "partial", in.Choice)
	assert.Equal(t, aliceID, in.SlackUserID)
	assert.Equal(t, slackemu.TeamID, in.SlackTeamID)
	assert.Equal(t, m.Channel, in.Channel)
	assert.Equal(t, m.TS, in.MessageTS)
	assert.NotEmpty(t, in.DeliveryID)
	e.disp.Wait()
	assert.Empty(t, e.emu.Ephemerals(), "an accepted answer shows no ephemeral")
}

func TestUnsignedForgedOrStaleRequestsAreRefused(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:implemented")
	require.NoError(t, err)
	body := slackemu.FormBody(payload)
	callsBefore := e.emu.CallCount("")

	cases := map[string]func() *httptest.ResponseRecorder{
		"forged signature": func() *httptest.ResponseRecorder {
			return e.post(t, "not-the-signing-secret", time.Now(), body)
		},
		"missing headers": func() *httptest.ResponseRecorder {
			return e.post(t, "", time.Now(), body)
		},
		"stale timestamp (6 minutes old)": func() *httptest.ResponseRecorder {
			return e.post(t, testSecret, time.Now().Add(-6*time.Minute), body)
		},
		"timestamp 6 minutes in the future": func() *httptest.ResponseRecorder {
			return e.post(t, testSecret, time.Now().Add(6*time.Minute), body)
		},
		"body altered after signing": func() *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, slack.InteractionsPath, strings.NewReader(string(body)+"&x=1"))
			slack.SignRequest(r, testSecret, time.Now(), body)
			w := httptest.NewRecorder()
			e.handler.ServeHTTP(w, r)
			return w
		},
		"signature without v0 prefix": func() *httptest.ResponseRecorder {
			r := httptest.NewRequest(http.MethodPost, slack.InteractionsPath, strings.NewReader(string(body)))
			ts, sig := slack.Sign(testSecret, time.Now(), body)
			r.Header.Set("X-Slack-Request-Timestamp", ts)
			r.Header.Set("X-Slack-Signature", strings.TrimPrefix(sig, "v0="))
			w := httptest.NewRecorder()
			e.handler.ServeHTTP(w, r)
			return w
		},
	}
	for name, do := range cases {
		t.Run(name, func(t *testing.T) {
			w := do()
			assert.Equal(t, http.StatusUnauthorized, w.Code)
			assert.NotContains(t, w.Body.String(), testSecret)
		})
	}
	e.disp.Wait()
	assert.Empty(t, e.ans.received(), "the Answerer must never see an unverified request")
	assert.Equal(t, callsBefore, e.emu.CallCount(""), "nothing may reach Slack either")
	assert.NotContains(t, e.logs.String(), testSecret)

	// Within the window, a slightly old request is fine.
	w := e.post(t, testSecret, time.Now().Add(-4*time.Minute), body)
	assert.Equal(t, http.StatusOK, w.Code)
	e.ans.next(t)
}

func TestRedeliveryKeepsDeliveryID(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:implemented")
	require.NoError(t, err)
	body := slackemu.FormBody(payload)

	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), body).Code)
	first := e.ans.next(t)
	// Slack retries the same click (new timestamp and signature, same payload).
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now().Add(time.Second), body).Code)
	second := e.ans.next(t)
	assert.Equal(t, first.DeliveryID, second.DeliveryID, "a redelivered click must keep its DeliveryID")

	// A genuinely new click on the same button is a new delivery.
	again, err := e.emu.ClickPayload(m, aliceID, "answer:implemented")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(again)).Code)
	third := e.ans.next(t)
	assert.NotEqual(t, first.DeliveryID, third.DeliveryID)
}

func TestRejectedAnswerIsShownToTheClicker(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	e.ans.outcome = slack.Outcome{Accepted: false, Message: "This question was already answered by Bob."}
	payload, err := e.emu.ClickPayload(m, leadID, "answer:missing")
	require.NoError(t, err)

	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(payload)).Code)
	e.ans.next(t)
	e.disp.Wait()
	eph := e.emu.Ephemerals()
	require.Len(t, eph, 1)
	assert.Equal(t, leadID, eph[0].User)
	assert.Equal(t, m.Channel, eph[0].Channel)
	assert.Equal(t, "This question was already answered by Bob.", eph[0].Text)
}

func TestAnswererFailureTellsTheClicker(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	e.ans.err = context.DeadlineExceeded
	e.disp.SetRetry(slack.RetryPolicy{For: 50 * time.Millisecond, FirstDelay: 10 * time.Millisecond})
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:partial")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(payload)).Code)
	e.ans.next(t)
	e.disp.Wait()
	eph := e.emu.Ephemerals()
	require.Len(t, eph, 2, "told it is retrying, then that it gave up")
	assert.Contains(t, eph[0].Text, "could not record that just now. It will keep trying")
	assert.Contains(t, eph[1].Text, "still could not record that")
}

func TestNoteButtonOpensModalAndSubmissionReachesAnswerer(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "note:prompt/eng-1/cc6.1-status")
	require.NoError(t, err)

	w := e.post(t, testSecret, time.Now(), slackemu.FormBody(payload))
	require.Equal(t, http.StatusOK, w.Code)
	// The modal is opened before the ack: no waiting needed.
	views := e.emu.Views()
	require.Len(t, views, 1)
	v := views[0]
	assert.Equal(t, slack.CallbackNote, v.CallbackID)
	assert.Equal(t, "prompt/eng-1/cc6.1-status", v.PrivateMetadata)
	assert.Contains(t, string(v.JSON), `"static_select"`)
	assert.Contains(t, string(v.JSON), `"url_text_input"`)
	assert.Contains(t, string(v.JSON), "Partly")
	assert.Empty(t, e.ans.received(), "opening the modal is not an answer")

	sub, err := e.emu.SubmitPayload(v, aliceID, map[string]string{
		"choice": "partial", "note": "  Two teams still to review.  ", "link": "https://jira.client.example/browse/SEC-12",
	})
	require.NoError(t, err)
	w = e.post(t, testSecret, time.Now(), slackemu.FormBody(sub))
	require.Equal(t, http.StatusOK, w.Code)
	assert.Empty(t, w.Body.String(), "a view_submission ack must be an empty body")
	in := e.ans.next(t)
	assert.Equal(t, slack.KindNoteSubmit, in.Kind)
	assert.Equal(t, "prompt/eng-1/cc6.1-status", in.PromptID)
	assert.Equal(t, "partial", in.Choice)
	assert.Equal(t, "Two teams still to review.", in.Note)
	assert.Equal(t, "https://jira.client.example/browse/SEC-12", in.Link)
	assert.Equal(t, aliceID, in.SlackUserID)
	assert.Empty(t, in.Channel)

	// Redelivery of the submission keeps its DeliveryID.
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(sub)).Code)
	assert.Equal(t, in.DeliveryID, e.ans.next(t).DeliveryID)

	// A rejected submission is told in the clicker's DM (a modal has no channel).
	e.ans.outcome = slack.Outcome{Message: "A link is required."}
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(sub)).Code)
	e.ans.next(t)
	e.disp.Wait()
	eph := e.emu.Ephemerals()
	require.Len(t, eph, 1)
	assert.Equal(t, slackemu.DMChannel(aliceID), eph[0].Channel)
}

func TestRequiredLinkPromptAnswersThroughModal(t *testing.T) {
	e := newEnv(t)
	m := e.postDigest(t)
	// NeedsLink: no bare choice buttons, only the modal.
	assert.NotContains(t, string(m.Blocks), `"answer:done"`)
	payload, err := e.emu.ClickPayload(m, aliceID, "note:prompt/eng-1/a.8.32-evidence")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(payload)).Code)
	views := e.emu.Views()
	require.Len(t, views, 1)
	var view struct {
		Blocks []struct {
			BlockID  string `json:"block_id"`
			Optional bool   `json:"optional"`
		} `json:"blocks"`
	}
	require.NoError(t, json.Unmarshal(views[0].JSON, &view))
	optional := map[string]bool{}
	for _, b := range view.Blocks {
		optional[b.BlockID] = b.Optional
	}
	assert.True(t, optional["link"], "a required link may be given as the file instead: the workflow's validator asks for one or the other")
	assert.True(t, optional["file"], "the file input is offered beside the link")
	assert.True(t, optional["note"], "note input stays optional")
}

func TestEscalationReassignFlow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	ts, err := e.client.Post(ctx, engChannel, slack.EscalationMessage(leadID, "Alice", samplePrompts(), "No answer after 5 business days."))
	require.NoError(t, err)
	m, _ := e.emu.Message(engChannel, ts)

	// The lead answers on Alice's behalf.
	p, err := e.emu.ClickPayload(m, leadID, "answer:implemented")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(p)).Code)
	in := e.ans.next(t)
	assert.Equal(t, leadID, in.SlackUserID)
	assert.Equal(t, engChannel, in.Channel)

	// The lead reassigns.
	p, err = e.emu.ClickPayload(m, leadID, "reassign:prompt/eng-1/cc6.1-status")
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(p)).Code)
	views := e.emu.Views()
	require.Len(t, views, 1)
	assert.Equal(t, slack.CallbackReassign, views[0].CallbackID)
	sub, err := e.emu.SubmitPayload(views[0], leadID, map[string]string{"assignee": "U0BOB"})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), slackemu.FormBody(sub)).Code)
	in = e.ans.next(t)
	assert.Equal(t, slack.KindReassign, in.Kind)
	assert.Equal(t, "U0BOB", in.ReassignTo)
	assert.Equal(t, "prompt/eng-1/cc6.1-status", in.PromptID)
}

func TestHandlerRejectsBadRequests(t *testing.T) {
	e := newEnv(t)
	body := []byte("payload=%7Bnot+json")
	assert.Equal(t, http.StatusBadRequest, e.post(t, testSecret, time.Now(), body).Code)
	assert.Equal(t, http.StatusBadRequest, e.post(t, testSecret, time.Now(), []byte("nopayload=1")).Code)

	// Signed but not ours (e.g. a modal closed): acknowledged, ignored.
	other := slackemu.FormBody([]byte(`{"type":"view_closed","user":{"id":"U1"},"view":{"id":"V1"}}`))
	assert.Equal(t, http.StatusOK, e.post(t, testSecret, time.Now(), other).Code)

	r := httptest.NewRequest(http.MethodGet, slack.InteractionsPath, nil)
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	assert.Equal(t, http.StatusMethodNotAllowed, w.Code)

	big := make([]byte, 2<<20)
	assert.Equal(t, http.StatusRequestEntityTooLarge, e.post(t, testSecret, time.Now(), big).Code)
	e.disp.Wait()
	assert.Empty(t, e.ans.received())
}
