package slack_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// flakyAnswerer fails the first `fails` attempts of every click with a
// transient error, then behaves like Temporal with the click's update ID:
// the first success records, later ones find it already recorded.
type flakyAnswerer struct {
	mu       sync.Mutex
	fails    int
	refuse   string // when set, every attempt is a validator refusal
	attempts map[string]int
	recorded map[string]int
}

var errPostgresDown = errors.New("look up slack user: dial tcp 127.0.0.1:5432: connect: connection refused")

func newFlaky(fails int) *flakyAnswerer {
	return &flakyAnswerer{fails: fails, attempts: map[string]int{}, recorded: map[string]int{}}
}

func (f *flakyAnswerer) Answer(_ context.Context, in slack.Interaction) (slack.Outcome, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[in.DeliveryID]++
	if f.refuse != "" {
		return slack.Outcome{Message: f.refuse}, nil
	}
	if f.attempts[in.DeliveryID] <= f.fails {
		return slack.Outcome{}, errPostgresDown
	}
	if f.recorded[in.DeliveryID] == 0 {
		f.recorded[in.DeliveryID]++
	}
	return slack.Outcome{Accepted: true}, nil
}

func (f *flakyAnswerer) counts(id string) (attempts, recorded int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[id], f.recorded[id]
}

// fastRetry keeps tests quick while keeping the shape of DefaultRetry.
var fastRetry = slack.RetryPolicy{For: 2 * time.Second, FirstDelay: 5 * time.Millisecond, MaxDelay: 40 * time.Millisecond, MaxPending: 4}

func newRetryEnv(t *testing.T, a slack.Answerer, p slack.RetryPolicy) (*env, *slack.Dispatcher) {
	t.Helper()
	e := newEnv(t)
	d := slack.NewDispatcher(a, e.client, slog.New(slog.NewTextHandler(io.Discard, nil)))
	d.SetRetry(p)
	t.Cleanup(d.Close)
	return e, d
}

func click(n int) slack.Interaction {
	return slack.Interaction{
		Kind: slack.KindAnswer, PromptID: "prompt/eng-1/cc6.1-status", Choice: "implemented",
		SlackUserID: aliceID, Channel: engChannel, MessageTS: "1.000001",
		DeliveryID: fmt.Sprintf("slack-click-%d", n),
	}
}

func ephemeralTexts(e *env) []string {
	var out []string
	for _, m := range e.emu.Ephemerals() {
		out = append(out, m.Text)
	}
	return out
}

func TestTransientFailureIsRetriedUntilRecordedOnce(t *testing.T) {
	a := newFlaky(3)
	e, d := newRetryEnv(t, a, fastRetry)
	in := click(1)

	require.NoError(t, d.Handle(context.Background(), []slack.Interaction{in}), "a click being retried is not a failure")
	// Slack redelivers the same click while the first copy is retrying:
	// it joins that copy instead of starting a second retry.
	require.NoError(t, d.Handle(context.Background(), []slack.Interaction{in}))
	d.Wait()

	attempts, recorded := a.counts(in.DeliveryID)
	assert.Equal(t, 1, recorded, "the update ID derived from the click records it once")
	// 3 failures and a success; the redelivery's own attempt is one of
	// them, or one more if it came after the success.
	assert.Contains(t, []int{4, 5}, attempts)
	texts := ephemeralTexts(e)
	require.Len(t, texts, 2, "told it is retrying, then told it landed: %q", texts)
	assert.Contains(t, texts[0], "will keep trying for up to 2 seconds")
	assert.Equal(t, "Steadfast has now recorded your answer.", texts[1])
	assert.Zero(t, d.Pending())
}

func TestRefusalIsToldAtOnceAndNotRetried(t *testing.T) {
	a := newFlaky(0)
	a.refuse = "This question was already answered by Bob."
	e, d := newRetryEnv(t, a, fastRetry)
	in := click(1)

	require.NoError(t, d.Handle(context.Background(), []slack.Interaction{in}))
	assert.Zero(t, d.Pending())
	d.Wait()
	attempts, recorded := a.counts(in.DeliveryID)
	assert.Equal(t, 1, attempts)
	assert.Zero(t, recorded)
	assert.Equal(t, []string{"This question was already answered by Bob."}, ephemeralTexts(e))
}

// permanentAnswerer fails in a way no retry fixes.
type permanentAnswerer struct{ calls int }

func (p *permanentAnswerer) Answer(context.Context, slack.Interaction) (slack.Outcome, error) {
	p.calls++
	return slack.Outcome{}, fmt.Errorf("answer weird: %w", slack.ErrUnsupported)
}

func TestPermanentErrorIsNotRetried(t *testing.T) {
	a := &permanentAnswerer{}
	e, d := newRetryEnv(t, a, fastRetry)
	require.Error(t, d.Handle(context.Background(), []slack.Interaction{click(1)}))
	assert.Zero(t, d.Pending())
	d.Wait()
	assert.Equal(t, 1, a.calls)
	assert.Equal(t, []string{"Steadfast could not record that just now. Please try again in a minute."}, ephemeralTexts(e))
}

func TestRetryGivesUpAfterItsTimeAndSaysSo(t *testing.T) {
	a := newFlaky(1 << 30)
	p := fastRetry
	p.For = 150 * time.Millisecond
	e, d := newRetryEnv(t, a, p)
	in := click(1)
	start := time.Now()
	require.NoError(t, d.Handle(context.Background(), []slack.Interaction{in}))
	d.Wait()
	elapsed := time.Since(start)

	attempts, recorded := a.counts(in.DeliveryID)
	assert.Zero(t, recorded)
	assert.GreaterOrEqual(t, attempts, 4, "backoff 5, 10, 20, 40, 40 ms within 150 ms")
	assert.Less(t, elapsed, 2*time.Second, "bounded by RetryPolicy.For")
	texts := ephemeralTexts(e)
	require.Len(t, texts, 2, "%q", texts)
	assert.Contains(t, texts[1], "still could not record that")
}

func TestPendingClicksAreCapped(t *testing.T) {
	a := newFlaky(1 << 30)
	p := fastRetry
	p.For = time.Hour
	p.MaxPending = 2
	e, d := newRetryEnv(t, a, p)

	for i := range 3 {
		err := d.Handle(context.Background(), []slack.Interaction{click(i)})
		if i < 2 {
			require.NoError(t, err)
		} else {
			require.Error(t, err, "over the cap: reported, not kept")
		}
	}
	assert.Equal(t, 2, d.Pending())
	// The clickers are told in the background (the handler may be waiting).
	require.Eventually(t, func() bool { return len(ephemeralTexts(e)) == 3 }, 5*time.Second, 5*time.Millisecond)
	texts := ephemeralTexts(e)
	retrying := 0
	for _, text := range texts {
		if strings.Contains(text, "will keep trying for up to 60 minutes") {
			retrying++
		}
	}
	assert.Equal(t, 2, retrying, "%q", texts)
	assert.Contains(t, texts, "Steadfast could not record that just now. Please try again in a minute.")

	// Shutting down abandons the pending clicks and tells their clickers.
	done := make(chan struct{})
	go func() { d.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not abandon the pending retries")
	}
	assert.Zero(t, d.Pending())
	texts = ephemeralTexts(e)
	require.Len(t, texts, 5)
	assert.Contains(t, texts[3], "restarting")
	assert.Contains(t, texts[4], "restarting")
	// After Close a failing click is not kept.
	require.Error(t, d.Handle(context.Background(), []slack.Interaction{click(9)}))
	assert.Zero(t, d.Pending())
}
