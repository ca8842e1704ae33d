package workflows

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// versionChangeHandOver: a scope change survives any number of hand-overs
// (continue-as-new) of the workflow carrying it out — the engagement before
// certification, the programme after. Before it, the lead's prompt closed
// with the run (so the engagement could not hand over while the lead had
// not answered, and the programme asked the lead again in its next cycle),
// and a re-assessment abandoned by a handing-over engagement was never
// heard of again (the change stayed "approved", its gaps uncounted). Now
// both children are abandoned, the change records how far it has got
// (LeadAsked, then Status approved) in the state the run hands over, and
// the run that takes it over waits for the same prompt or assessment by
// its deterministic workflow ID (activities.WorkflowOutcome) instead of
// starting another. The run hands over at any point except while the spec
// is being changed (approved, until its assessment has started).
const versionChangeHandOver = "tailoring-change-hand-over"

// changesHandOver asks, once per run, whether this run carries changes out
// across hand-overs.
func changesHandOver(ctx workflow.Context) bool {
	return workflow.GetVersion(ctx, versionChangeHandOver, workflow.DefaultVersion, 1) >= 1
}

// changeCarrier is a workflow that carries scope changes out, one at a
// time, and hands them over with its state.
type changeCarrier interface {
	// scope is what a change is carried out against now.
	scope() changeScope
	// asksLead says whether the lead must approve the change first.
	asksLead(ch ScopeChange) bool
	// apply stores the spec with the change and returns the controls to
	// assess again; it must not wait on people.
	apply(ctx workflow.Context, ch ScopeChange) ([]string, error)
	// round names the change's re-assessment ("" for a first one).
	round(ch ScopeChange) string
	// mark edits the change wherever the carrier keeps it: the list its
	// status shows and the queue it hands over.
	mark(id string, edit func(*ScopeChange))
}

// awaitOptions are for WorkflowOutcome, which waits for a workflow that
// may run for weeks: a day's poll per call (it answers "running" when the
// day is up), retried without end (a retry adds no history), a heartbeat
// so a dead worker is noticed within a minute. A call left pending by a
// hand-over stops at its next heartbeat, which Temporal refuses once its
// run has closed.
var awaitOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 24 * time.Hour,
	HeartbeatTimeout:    time.Minute,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        5 * time.Minute,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput},
	},
}

// awaitPause is the pause between two of WorkflowOutcome's polls.
const awaitPause = 10 * time.Minute

// carryOutChange takes a change from where an earlier run left it (or from
// its proposal) to its end: the lead's decision, the spec stored with it,
// its controls assessed and its gaps counted. applying is true while the
// spec is being changed; the carrier's run hands over only when it is
// false, and at every other point the change's record (LeadAsked, Status)
// tells the next run where to pick it up.
func carryOutChange(ctx workflow.Context, cr changeCarrier, ch ScopeChange, applying *bool) error {
	found := ch.Status == ChangeApproved // an earlier run applied it and started its assessment
	if ch.Status == ChangeProposed {
		if cr.asksLead(ch) {
			approved, err := leadDecides(ctx, cr, ch)
			if err != nil {
				return err
			}
			if !approved {
				cr.mark(ch.ID, func(c *ScopeChange) { c.Status = ChangeRejected })
				return nil
			}
		}
		*applying = true
		controls, err := cr.apply(ctx, ch)
		if err != nil {
			*applying = false
			return err
		}
		cr.mark(ch.ID, func(c *ScopeChange) { c.NewControls, c.Status = controls, ChangeApproved })
		ch.NewControls, ch.Status = controls, ChangeApproved
	}
	if ch.Status != ChangeApproved {
		*applying = false
		return nil // rejected, assessed or failed: nothing left to do
	}
	assessed, err := changeAssessment(ctx, cr, ch, found, applying)
	if err != nil {
		return err
	}
	gaps := gapsAmong(assessed, ch.NewControls)
	cr.mark(ch.ID, func(c *ScopeChange) { c.Status, c.Gaps = ChangeAssessed, gaps })
	return nil
}

// leadDecides puts the change to the lead, or, when an earlier run did
// (LeadAsked), waits for that same prompt's answer: the lead is asked once
// and an answer given while the runs changed over is read from the prompt.
func leadDecides(ctx workflow.Context, cr changeCarrier, ch ScopeChange) (bool, error) {
	c := cr.scope()
	id := PromptWorkflowID(c.EngagementID, changePromptKey(ch))
	var res PromptResult
	if ch.LeadAsked {
		found, err := awaitWorkflow(ctx, id, &res)
		if err != nil {
			return false, fmt.Errorf("the lead's answer about %s: %w", ch.ID, err)
		}
		if found {
			return leadApproved(res), nil
		}
		// Marked before it was started, and the run handed over first.
	}
	cr.mark(ch.ID, func(c *ScopeChange) { c.LeadAsked = true })
	fut := leadPrompt(ctx, c, ch, enumspb.PARENT_CLOSE_POLICY_ABANDON)
	if fut == nil {
		return true, nil // no lead to ask: it stands approved
	}
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		if !ch.LeadAsked || !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
			// Not asked before, yet the question exists: it is an
			// earlier change's with the same content, whose answer is
			// not this one's.
			return false, fmt.Errorf("ask the lead about %s: %w", ch.ID, err)
		}
		// The earlier run's start went through after all.
		if _, err := awaitWorkflow(ctx, id, &res); err != nil {
			return false, fmt.Errorf("the lead's answer about %s: %w", ch.ID, err)
		}
		return leadApproved(res), nil
	}
	if err := fut.Get(ctx, &res); err != nil {
		return false, fmt.Errorf("ask the lead about %s: %w", ch.ID, err)
	}
	return leadApproved(res), nil
}

// changeAssessment starts the assessment of an approved change's controls
// and waits for it, or, when an earlier run started it (reattach), waits
// for that one by its workflow ID. applying is cleared once it runs.
func changeAssessment(ctx workflow.Context, cr changeCarrier, ch ScopeChange, reattach bool, applying *bool) (GapAssessmentResult, error) {
	c := cr.scope()
	var res GapAssessmentResult
	if reattach {
		id := changeAssessmentWorkflowID(c.EngagementID, ch.ID)
		// A run hands over only once the assessment of an approved change
		// has started (or none was needed), so it exists unless Temporal
		// has let it go (an old change, past retention).
		*applying = false
		if len(ch.NewControls) == 0 {
			return res, nil
		}
		found, err := awaitWorkflow(ctx, id, &res)
		if err != nil {
			return res, fmt.Errorf("assess the controls of %s: %w", ch.ID, err)
		}
		if !found {
			return res, fmt.Errorf("the assessment of %s (%s) is no longer in Temporal; its gaps are in the register", ch.ID, id)
		}
		return res, nil
	}
	fut := startChangeAssessment(ctx, c, ch, ch.NewControls, cr.round(ch), enumspb.PARENT_CLOSE_POLICY_ABANDON)
	if fut == nil {
		*applying = false
		return res, nil
	}
	// Approved in this run, which hands over only once this has started:
	// an assessment already there is an earlier change's with the same
	// content, and fails this start.
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		*applying = false
		return res, fmt.Errorf("start the assessment of %s: %w", ch.ID, err)
	}
	*applying = false
	if err := fut.Get(ctx, &res); err != nil {
		return res, fmt.Errorf("assess the controls of %s: %w", ch.ID, err)
	}
	return res, nil
}

// awaitWorkflow waits, through the Temporal client, for a workflow this
// run did not start and decodes its result into out. found is false when
// no such workflow exists; a workflow that failed, was cancelled or
// terminated is an error.
func awaitWorkflow(ctx workflow.Context, id string, out any) (found bool, err error) {
	var res activities.WorkflowOutcomeResult
	for {
		if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, awaitOptions), a.WorkflowOutcome,
			activities.WorkflowOutcomeInput{WorkflowID: id}).Get(ctx, &res); err != nil {
			return false, fmt.Errorf("wait for %s: %w", id, err)
		}
		if res.Status != "running" {
			break
		}
		// A day's poll ran out: ask again after a pause, a few events a
		// day however long the owners take.
		if err := workflow.Sleep(ctx, awaitPause); err != nil {
			return false, err
		}
	}
	switch {
	case res.Unavailable:
		return false, errors.New("the worker has no Temporal client to find " + id)
	case res.Status == "not-found":
		return false, nil
	case res.Status != "completed":
		return true, fmt.Errorf("%s %s: %s", id, res.Status, res.Error)
	case len(res.Result) == 0:
		return true, nil
	}
	if err := decodeJSON(res.Result, out); err != nil {
		return true, fmt.Errorf("read the result of %s: %w", id, err)
	}
	return true, nil
}

// decodeJSON decodes a result read through the client. Decoding is
// deterministic: workflowcheck flags encoding/json for the map walks of its
// encoder, which decoding does not order anything by.
func decodeJSON(b []byte, out any) error {
	return json.Unmarshal(b, out) //workflowcheck:ignore
}

// openChangeWorkflow is the workflow ID of what a change in progress waits
// for that outlives runs — its lead's question, or its assessment — or ""
// when it waits for nothing.
func openChangeWorkflow(engagementID string, ch ScopeChange) string {
	switch {
	case ch.Status == ChangeApproved && len(ch.NewControls) > 0:
		return changeAssessmentWorkflowID(engagementID, ch.ID)
	case ch.Status == ChangeProposed && ch.LeadAsked:
		return PromptWorkflowID(engagementID, changePromptKey(ch))
	}
	return ""
}

// withdrawChange cancels, by workflow ID, what a change in progress waits
// for, as its carrier is closed: a question or assessment an earlier run
// started is abandoned, not the closing run's child, so closing the run
// does not reach it (a question withdraws itself when cancelled).
func withdrawChange(ctx workflow.Context, engagementID string, ch ScopeChange) {
	id := openChangeWorkflow(engagementID, ch)
	if id == "" {
		return
	}
	dctx, cancel := workflow.NewDisconnectedContext(ctx)
	defer cancel()
	if err := workflow.RequestCancelExternalWorkflow(dctx, id, "").Get(dctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("cancel what a change of a closed workflow waits for", "workflow", id, "error", err)
	}
}
