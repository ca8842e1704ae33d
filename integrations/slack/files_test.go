package slack_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// A file uploaded in the note modal reaches the Answerer as its file ID,
// and the bot downloads it with its own token; the size cap holds.
func TestModalFileUploadIsDownloadedWithTheBotToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	body := []byte("%PDF-1.7\nQ1 access review\n")
	id := e.emu.AddFile("q1-review.pdf", body)

	payload := map[string]any{
		"type": "view_submission", "team": map[string]string{"id": "T1"}, "user": map[string]string{"id": aliceID},
		"view": map[string]any{"id": "V1", "hash": "h1", "callback_id": slack.CallbackNote, "private_metadata": "prompt/brightlane/evidence/ACC-04/2027-Q1",
			"state": map[string]any{"values": map[string]any{
				"file": map[string]any{"file": map[string]any{"type": "file_input", "files": []map[string]any{{"id": id, "name": "q1-review.pdf"}}}},
			}}},
	}
	raw, err := json.Marshal(payload)
	require.NoError(t, err)
	ins, err := slack.ParseInteraction(raw)
	require.NoError(t, err)
	require.Len(t, ins, 1)
	assert.Equal(t, slack.KindNoteSubmit, ins[0].Kind)
	assert.Equal(t, []string{id}, ins[0].FileIDs, "a file alone answers the form")

	var got bytes.Buffer
	f, err := e.client.DownloadFile(ctx, id, 1<<20, &got)
	require.NoError(t, err)
	assert.Equal(t, "q1-review.pdf", f.Name)
	assert.Equal(t, body, got.Bytes())

	_, err = e.client.DownloadFile(ctx, id, 10, &bytes.Buffer{})
	assert.ErrorContains(t, err, "over the 10")
	_, err = e.client.DownloadFile(ctx, "../../etc", 10, &bytes.Buffer{})
	assert.Error(t, err)

	// The modal offers the file input.
	v, err := slack.Modal{Purpose: slack.CallbackNote, PromptID: "prompt/brightlane/evidence/ACC-04/2027-Q1", NeedsLink: true}.View()
	require.NoError(t, err)
	js, err := json.Marshal(v)
	require.NoError(t, err)
	assert.Contains(t, string(js), `"type":"file_input"`)
}
