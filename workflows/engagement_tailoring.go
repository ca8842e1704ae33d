package workflows

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// versionEngagementTailoring: an engagement takes tailoring changes before
// certification (from the approved scope to fieldwork), as the programme
// does after it — scope changes the lead approves, whose affected controls
// alone are assessed again — and the operating scheduler it starts reads
// the stored spec, so the cadence follows a change from its next batch.
const versionEngagementTailoring = "engagement-tailoring"

// versionTailoringWithdraw: from version 1 a change approved while the
// first gap assessment runs tells it which controls the change took out of
// scope (withdraw-controls), so their open questions are withdrawn and
// none of them becomes a gap (assessment_withdraw.go). The version is
// taken only when an approved change removes controls in that phase.
const versionTailoringWithdraw = "tailoring-withdraw"

// engagementChanges carries out an engagement's tailoring changes, one at
// a time, beside whatever phase runs.
type engagementChanges struct {
	st *EngagementState
	// handsOver: this run carries changes across hand-overs
	// (versionChangeHandOver).
	handsOver bool
}

// registerEngagementTailoring sets up the change-tailoring update and the
// loop that carries changes out, on runs that take them.
func registerEngagementTailoring(ctx workflow.Context, st *EngagementState) error {
	if workflow.GetVersion(ctx, versionEngagementTailoring, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	st.followsStore = true
	c := &engagementChanges{st: st, handsOver: changesHandOver(ctx)}
	if c.handsOver {
		st.changesHandOver = true
		c.takeOverAssessments()
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateChangeTailoring, c.propose,
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ChangeTailoringRequest) error {
			// Who first: someone who may not change the scope learns
			// nothing about where the engagement stands.
			if err := mayChangeScope(ctx, &st.Spec, req.Actor); err != nil {
				return err
			}
			if err := compliance.CheckTailoringChangeAt(st.Phase); err != nil {
				return err
			}
			return checkTailoringChange(ctx, st.Spec, st.Changes, req)
		}}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateChangeTailoring, err)
	}
	workflow.Go(ctx, c.run)
	return nil
}

// propose assesses the change at once (the controls it affects, the
// requirements it would leave uncovered as scope risks), returns it to the
// caller and queues it for the lead.
func (c *engagementChanges) propose(ctx workflow.Context, req ChangeTailoringRequest) (ScopeChange, error) {
	by, _ := recordedAs(req.Actor, "", "")
	t := req.Tailoring
	ch := ScopeChange{ID: tailoringChangeID(t), Tailoring: &t, By: by}
	res, err := c.assessOnSpec(ctx, ch)
	if err != nil {
		return ScopeChange{}, err
	}
	ch.Risks, ch.NewControls, ch.Status = res.Risks, res.NewControls, ChangeProposed
	c.st.Changes = append(c.st.Changes, ch)
	c.st.PendingChanges = append(c.st.PendingChanges, ch)
	return ch, nil
}

// run carries out the queued changes in order. A change that fails is
// marked so and logged: the engagement goes on with the tailoring it had.
func (c *engagementChanges) run(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { return len(c.st.PendingChanges) > 0 }); err != nil {
			return
		}
		ch := c.st.PendingChanges[0]
		if c.handsOver {
			c.carryOutAcrossRuns(ctx, ch)
			continue
		}
		// Before versionChangeHandOver: the run does not hand over while
		// the lead is asked (changing), and a change is taken off the
		// queue once its assessment has started.
		c.st.changing = true
		assessed, err := c.carryOut(ctx, ch)
		c.st.PendingChanges, c.st.changing = c.st.PendingChanges[1:], false
		if err == nil && assessed != nil {
			// The run may hand over while owners answer: the change is
			// carried out, and the next run (with versionChangeHandOver)
			// finds its assessment again (takeOverAssessments).
			var gaps int
			if gaps, err = countChangeGaps(ctx, ch, assessed, ch.NewControls); err == nil {
				c.setStatus(ch.ID, ChangeAssessed, gaps)
			}
		}
		if err != nil {
			c.setStatus(ch.ID, ChangeFailed, 0)
			workflow.GetLogger(ctx).Error("tailoring change", "engagement", c.st.EngagementID, "change", ch.ID, "error", err)
		}
	}
}

// carryOut asks the lead; once approved, stores the spec with the new
// tailoring (the scheduler's next batch reads it) and starts the
// assessment of only the affected controls, abandoned so a hand-over does
// not stop it. It returns that assessment (nil: nothing to assess).
func (c *engagementChanges) carryOut(ctx workflow.Context, ch ScopeChange) (workflow.ChildWorkflowFuture, error) {
	st := c.st
	approved, err := askLeadAboutChange(ctx, c.scope(), ch)
	if err != nil {
		return nil, err
	}
	if !approved {
		c.setStatus(ch.ID, ChangeRejected, 0)
		return nil, nil
	}
	controls, err := c.apply(ctx, ch)
	if err != nil {
		return nil, err
	}
	for i := range st.Changes {
		if st.Changes[i].ID == ch.ID {
			st.Changes[i].NewControls = controls
		}
	}
	c.setStatus(ch.ID, ChangeApproved, 0)
	fut := startChangeAssessment(ctx, c.scope(), ch, controls, ch.ID, enumspb.PARENT_CLOSE_POLICY_ABANDON)
	if fut == nil {
		c.setStatus(ch.ID, ChangeAssessed, 0)
		return nil, nil
	}
	if err := fut.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		return nil, fmt.Errorf("start the assessment of %s: %w", ch.ID, err)
	}
	return fut, nil
}

// apply stores the spec with an approved change's tailoring as the next
// revision (the scheduler's next batch reads it) and returns the controls
// it affects.
func (c *engagementChanges) apply(ctx workflow.Context, ch ScopeChange) ([]string, error) {
	st := c.st
	// Assessed again on the spec as it is now: a change carried out since
	// this one was proposed may have moved what it affects.
	res, err := c.assessOnSpec(ctx, ch)
	if err != nil {
		return nil, err
	}
	rev := max(st.Revision, st.SpecRevision) + 1
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordSpec, activities.RecordSpecInput{
		EngagementID: st.EngagementID, Spec: res.Spec, Plan: *st.Plan, Revision: rev, Phase: st.Phase,
		By: "steadfast", At: workflow.Now(ctx), WorkflowID: EngagementWorkflowID(st.EngagementID),
	}).Get(ctx, nil); err != nil {
		return nil, fmt.Errorf("record the tailoring of %s: %w", ch.ID, err)
	}
	st.Spec, st.SpecRevision = res.Spec, rev
	// Sent after the spec is stored, which the assessment reads to check it.
	c.withdrawFromAssessment(ctx, ch, res.Removed)
	c.withdrawFromRemediation(ctx, ch, res.Removed)
	return res.NewControls, nil
}

// withdrawFromRemediation tells the remediations that may be running —
// the engagement's own in its remediation phase, and every round
// remediation of the engagement Temporal lists as running, whichever
// workflow's change started it (or, when it cannot list them, the round
// remediation of each earlier change that found gaps) — which controls an
// approved change took out of scope (versionTailoringWithdrawGaps). The
// hint is checked there against the spec just stored.
func (c *engagementChanges) withdrawFromRemediation(ctx workflow.Context, ch ScopeChange, removed []string) {
	if len(removed) == 0 || !compliance.PhaseGapAssessment.Before(c.st.Phase) {
		return
	}
	if workflow.GetVersion(ctx, versionTailoringWithdrawGaps, workflow.DefaultVersion, 1) < 1 {
		return
	}
	var ids []string
	if c.st.Phase == compliance.PhaseRemediation {
		ids = append(ids, RemediationWorkflowID(c.st.EngagementID))
	}
	ids = remediationsToWithdrawFrom(ctx, c.st.EngagementID, append(ids, roundRemediations(c.st)...),
		RoundRemediationWorkflowID(c.st.EngagementID, ch.ID))
	tellRemediationsToWithdraw(ctx, c.st.EngagementID, ids, WithdrawGaps{ChangeID: ch.ID, Controls: removed})
}

// withdrawFromAssessment tells the running gap assessment which controls an
// approved change took out of scope. The signal is a hint: the assessment
// checks it against the spec just stored. Sent only during the gap
// assessment; once it has ended its register stands (see the README).
func (c *engagementChanges) withdrawFromAssessment(ctx workflow.Context, ch ScopeChange, removed []string) {
	if len(removed) == 0 || c.st.Phase != compliance.PhaseGapAssessment {
		return
	}
	if workflow.GetVersion(ctx, versionTailoringWithdraw, workflow.DefaultVersion, 1) < 1 {
		return
	}
	err := workflow.SignalExternalWorkflow(ctx, GapAssessmentWorkflowID(c.st.EngagementID), "", SignalWithdrawControls,
		WithdrawControls{ChangeID: ch.ID, Controls: removed}).Get(ctx, nil)
	if err != nil {
		// Not started yet (it then plans on the changed spec) or ended.
		workflow.GetLogger(ctx).Warn("withdraw controls from the gap assessment", "engagement", c.st.EngagementID, "change", ch.ID, "error", err)
	}
}

// assessOnSpec is the change measured against the engagement's spec now.
func (c *engagementChanges) assessOnSpec(ctx workflow.Context, ch ScopeChange) (activities.AssessScopeChangeResult, error) {
	var res activities.AssessScopeChangeResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.AssessScopeChange, activities.AssessScopeChangeInput{
		Spec: c.st.Spec, Tailoring: ch.Tailoring,
	}).Get(ctx, &res)
	if err != nil {
		return res, fmt.Errorf("assess %s: %w", ch.ID, err)
	}
	return res, nil
}

func (c *engagementChanges) scope() changeScope {
	return changeScope{EngagementID: c.st.EngagementID, Spec: c.st.Spec, Revision: max(c.st.Revision, c.st.SpecRevision),
		RemediationEnded: compliance.PhaseRemediation.Before(c.st.Phase)}
}

func (c *engagementChanges) setStatus(id, status string, gaps int) {
	for i := range c.st.Changes {
		if c.st.Changes[i].ID == id {
			c.st.Changes[i].Status, c.st.Changes[i].Gaps = status, gaps
		}
	}
}
