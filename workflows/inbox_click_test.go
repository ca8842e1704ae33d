package workflows

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// clickEnv runs SlackClickWorkflow with RecordClick answering from record
// (one call per attempt) and TellClicker collecting what the clicker read.
func clickEnv(t *testing.T, record func(attempt int) (activities.RecordClickResult, error)) (*testsuite.TestWorkflowEnvironment, *[]string, *int) {
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	RegisterWorkflows(env)
	acts := &activities.Activities{}
	env.RegisterActivity(acts)
	attempts := 0
	env.OnActivity(acts.RecordClick, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.RecordClickInput) (activities.RecordClickResult, error) {
			assert.Equal(t, "slack-click-1", in.Click.Click.DeliveryID)
			attempts++
			return record(attempts)
		})
	var told []string
	env.OnActivity(acts.TellClicker, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.TellClickerInput) error {
			told = append(told, in.Text)
			return nil
		})
	return env, &told, &attempts
}

func sealedClick() activities.SealedClick {
	return slack.SealClick([]byte("k"), slack.Interaction{Kind: slack.KindAnswer, PromptID: "prompt/e/k", Choice: "yes",
		SlackUserID: "U1", Channel: "C1", DeliveryID: "slack-click-1"})
}

var errStoreDown = errors.New("connect to postgres: connection refused")

func TestSlackClickRecordedAtOnceIsSilent(t *testing.T) {
	env, told, attempts := clickEnv(t, func(int) (activities.RecordClickResult, error) {
		return activities.RecordClickResult{Accepted: true}, nil
	})
	env.ExecuteWorkflow(SlackClickWorkflow, SlackClickInput{Click: sealedClick()})
	require.NoError(t, env.GetWorkflowError())
	var res SlackClickResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, SlackClickResult{Recorded: true}, res)
	assert.Empty(t, *told, "a click recorded at once says nothing, as before")
	assert.Equal(t, 1, *attempts)
}

// The store is down for the first attempts: the clicker is told it is
// queued, it is retried with backoff, and the clicker is told it landed.
func TestSlackClickQueuedWhileTheStoreIsDown(t *testing.T) {
	env, told, attempts := clickEnv(t, func(n int) (activities.RecordClickResult, error) {
		if n <= 4 {
			return activities.RecordClickResult{}, errStoreDown
		}
		return activities.RecordClickResult{Accepted: true}, nil
	})
	start := env.Now()
	env.ExecuteWorkflow(SlackClickWorkflow, SlackClickInput{Click: sealedClick()})
	require.NoError(t, env.GetWorkflowError())
	var res SlackClickResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, SlackClickResult{Recorded: true, Queued: true}, res)
	assert.Equal(t, []string{MsgClickQueued, MsgClickRecorded}, *told)
	assert.Equal(t, 5, *attempts)
	// Retries at 1s, 2s, 4s after the first retry's failure: 7s of backoff.
	assert.GreaterOrEqual(t, env.Now().Sub(start), 7*time.Second)
}

// A click the Slack handler already said was delayed says when it lands,
// even when the first attempt here succeeds.
func TestSlackClickAlreadyToldSaysWhenItLands(t *testing.T) {
	env, told, _ := clickEnv(t, func(int) (activities.RecordClickResult, error) {
		return activities.RecordClickResult{Accepted: true}, nil
	})
	env.ExecuteWorkflow(SlackClickWorkflow, SlackClickInput{Click: sealedClick(), Told: true})
	require.NoError(t, env.GetWorkflowError())
	assert.Equal(t, []string{MsgClickRecorded}, *told)
}

func TestSlackClickRefusedTellsWhy(t *testing.T) {
	env, told, _ := clickEnv(t, func(int) (activities.RecordClickResult, error) {
		return activities.RecordClickResult{Message: "This question was already answered by Bob."}, nil
	})
	env.ExecuteWorkflow(SlackClickWorkflow, SlackClickInput{Click: sealedClick()})
	require.NoError(t, env.GetWorkflowError())
	var res SlackClickResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, "This question was already answered by Bob.", res.Refused)
	assert.Equal(t, []string{"This question was already answered by Bob."}, *told)
}

// A click whose seal does not hold (a raw client started the workflow) is
// not retried and not recorded.
func TestSlackClickWithABrokenSealIsNotRetried(t *testing.T) {
	env, told, attempts := clickEnv(t, func(int) (activities.RecordClickResult, error) {
		return activities.RecordClickResult{}, temporal.NewNonRetryableApplicationError(slack.ErrBadSeal.Error(), activities.ErrTypeBadInput, slack.ErrBadSeal)
	})
	env.ExecuteWorkflow(SlackClickWorkflow, SlackClickInput{Click: sealedClick()})
	require.NoError(t, env.GetWorkflowError())
	var res SlackClickResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.False(t, res.Recorded)
	assert.Equal(t, 1, *attempts)
	assert.Equal(t, []string{MsgClickBroken}, *told)
}

// A store that stays down: the clicker is told it gave up. (The testsuite
// stops unlimited retries after 10 attempts; the server retries until
// ClickPatience has passed.)
func TestSlackClickGivesUpAfterADay(t *testing.T) {
	env, told, attempts := clickEnv(t, func(int) (activities.RecordClickResult, error) {
		return activities.RecordClickResult{}, errStoreDown
	})
	env.ExecuteWorkflow(SlackClickWorkflow, SlackClickInput{Click: sealedClick()})
	require.NoError(t, env.GetWorkflowError())
	var res SlackClickResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.True(t, res.GaveUp)
	assert.False(t, res.Recorded)
	assert.Equal(t, []string{MsgClickQueued, MsgClickGaveUp}, *told)
	assert.Greater(t, *attempts, 2)
}
