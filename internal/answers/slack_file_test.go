package answers_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// A file uploaded in the signed Slack modal answers an evidence question
// that needs evidence: the worker downloads it with the bot token, keeps it
// in the evidence store under its SHA-256, and the evidence row records it.
func TestSlackModalFileBecomesEvidence(t *testing.T) {
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "files", Revision: 1,
		Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))

	emu := slackemu.New()
	defer emu.Close()
	emu.RequireToken("xoxb-files")
	emu.AddUser("priya@brightlane.io", "U0PRIYARAM")
	sc := slack.New(slack.Config{BotToken: "xoxb-files", APIURL: emu.URL()})
	w := worker.New(tmp.Client, "files", worker.Options{Interceptors: identity.Interceptors(benchActorKey)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Slack: sc})
	require.NoError(t, w.Start())
	defer w.Stop()

	store, err := blob.NewLocal(t.TempDir(), 0)
	require.NoError(t, err)
	ans := &answers.SlackAnswerer{Service: &answers.Service{Temporal: tmp.Client}, Store: db.Store, Slack: sc, Key: benchActorKey, Blobs: store}
	dispatcher := slack.NewDispatcher(ans, sc, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(slack.NewInteractionHandler(benchSecret, dispatcher))
	defer srv.Close()

	owner := *spec.Person("priya@brightlane.io")
	now := time.Now().UTC()
	key := "evidence/ACC-04/2027-Q1"
	id := workflows.PromptWorkflowID(spec.ID, key)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "files"}, workflows.PromptWorkflowName,
		workflows.PromptInput{EngagementID: spec.ID, Key: key, Kind: "evidence", Subject: "ACC-04", Question: "Q1 access review?",
			Choices: []postgres.PromptChoice{{Value: "done", Label: "Done"}}, LinkRequired: true, To: owner, Policy: spec.Reminders,
			Evidence: &activities.EvidenceRequest{ControlID: "ACC-04", OccurrenceKey: "ACC-04/2027-Q1", PeriodStart: now.AddDate(0, -3, 0),
				PeriodEnd: now, Due: now.Add(72 * time.Hour), GraceEnd: now.Add(240 * time.Hour)}})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		resp, err := tmp.Client.QueryWorkflow(ctx, id, "", workflows.QueryPrompt)
		var st workflows.PromptState
		return err == nil && resp.Get(&st) == nil && st.Next != nil
	}, 30*time.Second, 20*time.Millisecond, "the prompt opens")

	body := []byte("%PDF-1.7\nQ1 access review: 42 accounts, 3 removed\n")
	fileID := emu.AddFile("q1-review.pdf", body)
	payload, err := json.Marshal(map[string]any{
		"type": "view_submission", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": "U0PRIYARAM"},
		"view": map[string]any{"id": "V1", "hash": "h1", "callback_id": slack.CallbackNote, "private_metadata": id,
			"state": map[string]any{"values": map[string]any{
				"choice": map[string]any{"choice": map[string]any{"type": "static_select", "selected_option": map[string]any{"value": "done"}}},
				"file":   map[string]any{"file": map[string]any{"type": "file_input", "files": []map[string]any{{"id": fileID, "name": "q1-review.pdf"}}}},
			}}},
	})
	require.NoError(t, err)
	form := slackemu.FormBody(payload)
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(form))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	slack.SignRequest(req, benchSecret, time.Now(), form)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	sum := sha256.Sum256(body)
	want := hex.EncodeToString(sum[:])
	var ev []postgres.Evidence
	require.Eventually(t, func() bool {
		ev, err = db.Store.EvidenceFor(ctx, spec.ID)
		return err == nil && len(ev) == 1
	}, 30*time.Second, 50*time.Millisecond, "the answer is recorded as evidence")
	dispatcher.Wait()
	assert.Equal(t, "file", ev[0].Kind)
	assert.Equal(t, want, ev[0].ArtifactSHA256)
	assert.Equal(t, want, ev[0].ValueSHA256)
	assert.Equal(t, "application/pdf", ev[0].ContentType)
	assert.Equal(t, "q1-review.pdf", ev[0].Filename)
	assert.Equal(t, "priya@brightlane.io", ev[0].SubmittedBy)
	assert.Equal(t, "slack", ev[0].Channel)
	r, err := store.Open(ctx, want)
	require.NoError(t, err)
	got, err := io.ReadAll(r)
	require.NoError(t, r.Close())
	require.NoError(t, err)
	assert.Equal(t, body, got, "the bytes are in the store under their hash")
	assert.Equal(t, 1, emu.CallCount("files.info"))
}
