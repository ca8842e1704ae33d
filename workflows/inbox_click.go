package workflows

import (
	"cmp"
	"errors"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// SlackClickWorkflow is the durable inbox of one Slack click. The Slack
// handler starts it, with the click's delivery ID in the workflow ID, once
// it has verified Slack's signature and before it acknowledges Slack; a
// redelivered click finds the same workflow. The click is recorded by an
// activity (person found in Postgres, the prompt's update sent with the
// click's ID as update ID, so it is recorded once however often it is
// tried). If the first try fails for a reason that can pass (Postgres or
// Temporal unreachable) the clicker is told the click is queued, it is
// retried for up to ClickPatience — on whichever worker is running — and
// the clicker is told whether it landed. A click recorded at once is
// silent, as a click always was; a refused one tells the clicker why.
func SlackClickWorkflow(ctx workflow.Context, in SlackClickInput) (SlackClickResult, error) {
	r := clickRun{in: in, told: in.Told}
	return r.run(ctx)
}

// SlackClickInput is the sealed click; Told says the handler already told
// the clicker it is delayed.
type SlackClickInput struct {
	Click activities.SealedClick
	Told  bool `json:",omitempty"`
}

// SlackClickResult says how the click ended.
type SlackClickResult struct {
	Recorded bool
	// Refused is what the clicker was told when the answer was refused.
	Refused string `json:",omitempty"`
	// GaveUp is set when it could not be recorded within ClickPatience.
	GaveUp bool `json:",omitempty"`
	// Queued is set when the first try failed and it was retried.
	Queued bool `json:",omitempty"`
}

// ClickPatience is how long a queued click is retried: long enough to ride
// out a Postgres failover or a night's outage, short enough that an answer
// is not recorded long after the person has moved on.
const ClickPatience = 24 * time.Hour

// What the clicker reads about a queued click.
const (
	MsgClickQueued   = "Steadfast could not record that just now. It is queued and will keep trying for up to a day, and will tell you here when it is recorded; you do not need to click again."
	MsgClickRecorded = "Steadfast has now recorded your answer."
	MsgClickGaveUp   = "Steadfast still could not record that after trying for a day. Please click again."
	MsgClickRefused  = "Steadfast did not record that answer."
	MsgClickBroken   = "Steadfast could not record that click. Please click again."
)

type clickRun struct {
	in   SlackClickInput
	told bool
}

// firstTry is one attempt: its failure is what decides whether to tell
// the clicker the click is queued.
var firstTry = workflow.ActivityOptions{
	StartToCloseTimeout: time.Minute,
	RetryPolicy:         &temporal.RetryPolicy{MaximumAttempts: 1},
}

// patientTries retry at 1s, 2s, 4s … up to once a minute for ClickPatience.
var patientTries = workflow.ActivityOptions{
	StartToCloseTimeout:    time.Minute,
	ScheduleToCloseTimeout: ClickPatience,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput}},
}

// tellOptions: telling is best effort; a click that landed stays landed.
var tellOptions = workflow.ActivityOptions{
	StartToCloseTimeout:    15 * time.Second,
	ScheduleToCloseTimeout: 10 * time.Minute,
	RetryPolicy: &temporal.RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput}},
}

func (r *clickRun) run(ctx workflow.Context) (SlackClickResult, error) {
	var res SlackClickResult
	out, err := r.record(ctx, firstTry)
	if err != nil && retryable(err) {
		res.Queued = true
		if !r.told {
			r.tell(ctx, MsgClickQueued)
			r.told = true
		}
		out, err = r.record(ctx, patientTries)
	}
	switch {
	case err != nil && retryable(err):
		workflow.GetLogger(ctx).Error("click not recorded; gave up", "err", err)
		r.tell(ctx, MsgClickGaveUp)
		res.GaveUp = true
	case err != nil:
		workflow.GetLogger(ctx).Error("click not recorded", "err", err)
		r.tell(ctx, MsgClickBroken)
		res.Refused = MsgClickBroken
	case out.Accepted:
		if r.told {
			r.tell(ctx, MsgClickRecorded)
		}
		res.Recorded = true
	default:
		res.Refused = cmp.Or(out.Message, MsgClickRefused)
		r.tell(ctx, res.Refused)
	}
	return res, nil
}

func (r *clickRun) record(ctx workflow.Context, opts workflow.ActivityOptions) (activities.RecordClickResult, error) {
	var out activities.RecordClickResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, opts), a.RecordClick,
		activities.RecordClickInput{Click: r.in.Click}).Get(ctx, &out)
	return out, err
}

func (r *clickRun) tell(ctx workflow.Context, text string) {
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, tellOptions), a.TellClicker,
		activities.TellClickerInput{Click: r.in.Click, Text: text}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Warn("cannot tell the clicker", "err", err)
	}
}

// retryable reports whether an activity's failure could pass with time: a
// non-retryable application error (a broken seal, a click Steadfast does
// not handle) cannot; a timeout or a store that was down can.
func retryable(err error) bool {
	var app *temporal.ApplicationError
	if errors.As(err, &app) {
		return !app.NonRetryable()
	}
	return true
}
