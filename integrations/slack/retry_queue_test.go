package slack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

// fakeQueue stands for the Temporal inbox: it fails its first `fails`
// hand-overs with err, then keeps the click.
type fakeQueue struct {
	mu     sync.Mutex
	fails  int
	err    error
	tries  int
	queued []slack.Interaction
	told   []bool
}

func (q *fakeQueue) Enqueue(_ context.Context, in slack.Interaction, told bool) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.tries++
	if q.tries <= q.fails {
		return q.err
	}
	q.queued = append(q.queued, in)
	q.told = append(q.told, told)
	return nil
}

func (q *fakeQueue) snapshot() (tries int, queued []slack.Interaction, told []bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.tries, append([]slack.Interaction(nil), q.queued...), append([]bool(nil), q.told...)
}

// With a Queue, the handler hands the click over before it answers Slack,
// and the Answerer is not called: the queue records it.
func TestSignedClickIsQueuedBeforeSlackIsAcknowledged(t *testing.T) {
	e := newEnv(t)
	q := &fakeQueue{}
	e.disp.SetQueue(q)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:partial")
	require.NoError(t, err)

	w := e.post(t, testSecret, time.Now(), slackemu.FormBody(payload))
	require.Equal(t, http.StatusOK, w.Code)
	_, queued, told := q.snapshot()
	require.Len(t, queued, 1, "queued by the time Slack has its 200")
	assert.Equal(t, []bool{false}, told)
	assert.Equal(t, "partial", queued[0].Choice)
	assert.NotEmpty(t, queued[0].DeliveryID)
	e.disp.Wait()
	assert.Empty(t, e.ans.received(), "the Answerer is the queue's business now")
	assert.Empty(t, ephemeralTexts(e), "nothing to say yet: the queue tells if it is refused or delayed")
}

// Temporal cannot take the click: the Dispatcher keeps handing it over in
// memory, tells the clicker it is retrying, and hands it over saying so
// (told), so the queue tells the clicker when it lands.
func TestClickKeptInMemoryOnlyUntilTheQueueTakesIt(t *testing.T) {
	e, d := newRetryEnv(t, newFlaky(0), fastRetry)
	q := &fakeQueue{fails: 3, err: errors.New("temporal: connection refused")}
	d.SetQueue(q)
	require.NoError(t, d.Handle(context.Background(), []slack.Interaction{click(1)}))
	d.Wait()
	tries, queued, told := q.snapshot()
	assert.Equal(t, 4, tries)
	require.Len(t, queued, 1)
	assert.Equal(t, []bool{true}, told)
	texts := ephemeralTexts(e)
	require.Len(t, texts, 1, "told it is retrying; the queue says when it lands: %q", texts)
	assert.Contains(t, texts[0], "will keep trying")
}

// A hand-over refused for good (not a transient failure) is said at once.
func TestClickTheQueueRefusesIsNotRetried(t *testing.T) {
	e, d := newRetryEnv(t, newFlaky(0), fastRetry)
	q := &fakeQueue{fails: 100, err: slack.ErrUnsupported}
	d.SetQueue(q)
	err := d.Handle(context.Background(), []slack.Interaction{click(1)})
	require.ErrorIs(t, err, slack.ErrUnsupported)
	d.Wait()
	tries, _, _ := q.snapshot()
	assert.Equal(t, 1, tries)
	assert.Equal(t, []string{"Steadfast could not record that just now. Please try again in a minute."}, ephemeralTexts(e))
}

// A sealed click opens with the key that sealed it, also after a trip
// through JSON (Temporal's payloads), and with nothing else: a click
// changed in any field, or sealed with another key, is refused. The
// capabilities Slack hands out are not kept.
func TestSealedClickOpensOnlyAsSealed(t *testing.T) {
	key := []byte("actor-key")
	in := click(7)
	in.ResponseURL, in.TriggerID = "https://hooks.slack.example/secret", "1.2.t"
	in.FileIDs = []string{}
	sealed := slack.SealClick(key, in)
	assert.Empty(t, sealed.Click.ResponseURL)
	assert.Empty(t, sealed.Click.TriggerID)

	b, err := json.Marshal(sealed)
	require.NoError(t, err)
	var back slack.SealedClick
	require.NoError(t, json.Unmarshal(b, &back))
	got, err := back.Open(key)
	require.NoError(t, err)
	assert.Equal(t, in.DeliveryID, got.DeliveryID)
	assert.Equal(t, in.SlackUserID, got.SlackUserID)

	_, err = back.Open([]byte("another-key"))
	require.ErrorIs(t, err, slack.ErrBadSeal)
	_, err = back.Open(nil)
	require.ErrorIs(t, err, slack.ErrBadSeal)
	for name, change := range map[string]func(*slack.SealedClick){
		"who":     func(c *slack.SealedClick) { c.Click.SlackUserID = leadID },
		"choice":  func(c *slack.SealedClick) { c.Click.Choice = "missing" },
		"prompt":  func(c *slack.SealedClick) { c.Click.PromptID = "prompt/eng-2/x" },
		"no seal": func(c *slack.SealedClick) { c.Seal = "" },
	} {
		c := back
		change(&c)
		_, err := c.Open(key)
		assert.ErrorIs(t, err, slack.ErrBadSeal, name)
	}
}

// stuckQueue is Temporal not answering: its first hand-over waits until
// the caller gives up; later ones succeed.
type stuckQueue struct{ fakeQueue }

func (q *stuckQueue) Enqueue(ctx context.Context, in slack.Interaction, told bool) error {
	q.mu.Lock()
	first := q.tries == 0
	q.mu.Unlock()
	if first {
		<-ctx.Done()
		q.mu.Lock()
		q.tries++
		q.mu.Unlock()
		return ctx.Err()
	}
	return q.fakeQueue.Enqueue(ctx, in, told)
}

// Temporal hangs: Slack still has its answer inside three seconds, and the
// click is handed over from memory once Temporal answers.
func TestStuckQueueDoesNotHoldSlacksAnswer(t *testing.T) {
	e := newEnv(t)
	e.disp.SetRetry(fastRetry)
	q := &stuckQueue{}
	e.disp.SetQueue(q)
	m := e.postDigest(t)
	payload, err := e.emu.ClickPayload(m, aliceID, "answer:partial")
	require.NoError(t, err)

	start := time.Now()
	w := e.post(t, testSecret, time.Now(), slackemu.FormBody(payload))
	took := time.Since(start)
	require.Equal(t, http.StatusOK, w.Code)
	assert.Less(t, took, 3*time.Second, "Slack waits three seconds at most")
	e.disp.Wait()
	_, queued, told := q.snapshot()
	require.Len(t, queued, 1)
	assert.Equal(t, []bool{true}, told)
	texts := ephemeralTexts(e)
	require.Len(t, texts, 1)
	assert.Contains(t, texts[0], "will keep trying")
}
