package activities_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

// Prompts for one owner opened at the same moment, against a Slack slow
// enough that every delivery overlaps the others: one DM, whose final
// content lists every prompt, and no transaction open while Slack answers.
func TestConcurrentDeliveriesMakeOneDigestWithTheLatestContent(t *testing.T) {
	for _, n := range []int{2, 12} {
		t.Run(fmt.Sprintf("%d-prompts", n), func(t *testing.T) {
			f := newFixture(t)
			f.acts.Slack = slack.New(slack.Config{BotToken: "xoxb-test", APIURL: slowSlack(t, f.emu, 150*time.Millisecond)})
			priya := *f.spec.Person("priya@brightlane.io")
			ctx := context.Background()

			var wg sync.WaitGroup
			errs := make([]error, n)
			start := make(chan struct{})
			for i := range n {
				wg.Go(func() {
					<-start
					res, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(i, priya), To: priya})
					if err == nil && res.Delivered != "slack" {
						err = fmt.Errorf("delivered via %q", res.Delivered)
					}
					errs[i] = err
				})
			}
			close(start)
			wg.Wait()
			for _, err := range errs {
				require.NoError(t, err)
			}

			msgs := f.emu.Messages()
			require.Len(t, msgs, 1, "one DM however many deliveries raced")
			assert.Equal(t, slackemu.DMChannel("U0PRIYARAM"), msgs[0].Channel)
			shown, ok := f.emu.Message(msgs[0].Channel, msgs[0].TS)
			require.True(t, ok)
			for i := range n {
				assert.Contains(t, string(shown.Blocks), fmt.Sprintf("C-%02d", i), "the message in Slack shows every prompt")
			}
			sends := f.emu.CallCount("chat.postMessage") + f.emu.CallCount("chat.update")
			if n > 2 {
				// Under the old advisory lock every delivery called Slack.
				assert.LessOrEqual(t, sends, n/2, "waiting deliveries covered by a later render do not call Slack")
			}

			// Nothing is left leased, and what is stored is what Slack shows.
			var ts, lease string
			var wanted, shownGen int64
			require.NoError(t, f.db.Store.Pool().QueryRow(ctx,
				`SELECT ts, lease_token, wanted, shown FROM slack_messages WHERE engagement_id = $1 AND purpose = 'digest:priya@brightlane.io'`,
				f.spec.ID).Scan(&ts, &lease, &wanted, &shownGen))
			assert.Equal(t, msgs[0].TS, ts)
			assert.Empty(t, lease)
			assert.Equal(t, int64(n), wanted)
			assert.Equal(t, wanted, shownGen)
		})
	}
}

// A Slack failure drops the lease at once: the next delivery (Temporal's
// retry) posts without waiting for it to expire.
func TestFailedDeliveryReleasesTheMessage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	priya := *f.spec.Person("priya@brightlane.io")
	f.emu.FailNext("chat.postMessage", 1, "internal_error")
	_, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(0, priya), To: priya})
	require.Error(t, err)

	retried := make(chan error, 1)
	go func() {
		_, err := f.acts.OpenPrompt(ctx, activities.OpenPromptInput{Prompt: f.prompt(0, priya), To: priya})
		retried <- err
	}()
	select {
	case err := <-retried:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("the retry waited for a lease nobody holds")
	}
	require.Len(t, f.emu.Messages(), 1)
}
