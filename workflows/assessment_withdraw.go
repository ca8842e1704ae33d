package workflows

import (
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
)

// versionAssessmentWithdraw: from version 1 a gap assessment withdraws the
// question of a control an approved change took out of scope while it ran
// (made not applicable, inherited, or a custom control dropped): the
// owner's prompt is cancelled — so it is closed as withdrawn and no longer
// chased — and the control is recorded as not applicable with the change's
// ID, never as a gap. Before it, the question stayed open and its answer
// (or its expiry, as missing) made a gap of a control out of scope. The
// version is asked when a withdraw-controls signal is acted on, so an
// assessment that was running before this change picks it up.
const versionAssessmentWithdraw = "assessment-withdraw"

// WithdrawControls is the withdraw-controls signal: an approved change
// (ChangeID) took these controls out of scope. It is a hint and carries no
// authority — anyone with Temporal access can send one — so the assessment
// withdraws only what the stored spec says is out of scope
// (activities.CheckWithdrawal).
type WithdrawControls struct {
	ChangeID string
	Controls []string
}

// WithdrawnControl is a control whose question was withdrawn: the change
// that took it out of scope as the stored spec names it, and the
// tailoring's reason.
type WithdrawnControl struct {
	ControlID string `json:"control_id"`
	ChangeID  string `json:"change_id"`
	Reason    string `json:"reason,omitempty"`
}

// assessmentWithdrawals is the gap assessment's side of a withdrawal: the
// hints received, the open questions it may cancel, and what it withdrew.
type assessmentWithdrawals struct {
	engagementID string
	hints        workflow.ReceiveChannel
	received     []WithdrawControls
	// open holds each control's prompt cancel while its question is open.
	open map[string]workflow.CancelFunc
	// settled holds the assessment recorded for a control already closed,
	// so a withdrawal after its answer can overwrite it.
	settled   map[string]compliance.ControlAssessment
	withdrawn []WithdrawnControl
}

func newAssessmentWithdrawals(ctx workflow.Context, engagementID string, sel workflow.Selector) *assessmentWithdrawals {
	w := &assessmentWithdrawals{engagementID: engagementID, hints: workflow.GetSignalChannel(ctx, SignalWithdrawControls),
		open: map[string]workflow.CancelFunc{}, settled: map[string]compliance.ControlAssessment{}}
	sel.AddReceive(w.hints, func(c workflow.ReceiveChannel, _ bool) {
		var h WithdrawControls
		c.Receive(ctx, &h)
		w.received = append(w.received, h)
	})
	return w
}

// of returns the withdrawal of a control, or nil.
func (w *assessmentWithdrawals) of(controlID string) *WithdrawnControl {
	for i := range w.withdrawn {
		if w.withdrawn[i].ControlID == controlID {
			return &w.withdrawn[i]
		}
	}
	return nil
}

// drain takes hints that arrived after the last select (the assessment is
// about to build its register).
func (w *assessmentWithdrawals) drain() {
	for {
		var h WithdrawControls
		if !w.hints.ReceiveAsync(&h) {
			return
		}
		w.received = append(w.received, h)
	}
}

// act checks the hints received against the stored spec and withdraws the
// controls it confirms: an open question is cancelled (its future then
// records the withdrawal), an answered one is recorded again as withdrawn
// and handed to uncount, which takes it out of the answered figures.
func (w *assessmentWithdrawals) act(ctx workflow.Context, uncount func(prev compliance.ControlAssessment)) error {
	if len(w.received) == 0 {
		return nil
	}
	hints := w.received
	w.received = nil
	if workflow.GetVersion(ctx, versionAssessmentWithdraw, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	var named []string
	for _, h := range hints {
		for _, id := range h.Controls {
			_, open := w.open[id]
			_, settled := w.settled[id]
			if (open || settled) && w.of(id) == nil && !slices.Contains(named, id) {
				named = append(named, id)
			}
		}
	}
	if len(named) == 0 {
		return nil // none of ours, or withdrawn already
	}
	var res activities.CheckWithdrawalResult
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.CheckWithdrawal, activities.CheckWithdrawalInput{
		EngagementID: w.engagementID, Controls: named,
	}).Get(ctx, &res); err != nil {
		return fmt.Errorf("check the withdrawal of %s: %w", strings.Join(named, ", "), err)
	}
	if unbacked := slices.DeleteFunc(slices.Clone(named), func(id string) bool { return slices.Contains(res.Withdrawn, id) }); len(unbacked) > 0 {
		w.ignore(ctx, hints, unbacked)
	}
	for _, id := range res.Withdrawn {
		w.withdrawn = append(w.withdrawn, WithdrawnControl{ControlID: id, ChangeID: res.ChangeID, Reason: res.Justifications[id]})
		if cancel, ok := w.open[id]; ok {
			cancel() // the prompt closes as withdrawn; its future records it
			continue
		}
		prev := w.settled[id]
		as := w.record(ctx, prev)
		if err := workflow.ExecuteActivity(actx, a.RecordAssessment, activities.RecordAssessmentInput{Assessment: as}).Get(ctx, nil); err != nil {
			return fmt.Errorf("record the withdrawal of %s: %w", id, err)
		}
		w.settled[id] = as
		uncount(prev)
	}
	return nil
}

// record is a withdrawn control's assessment: not applicable, naming the
// change, so the register leaves it out (gaps.Rank skips not applicable)
// and the trail says why. An answer given before the change is kept beside
// it.
func (w *assessmentWithdrawals) record(ctx workflow.Context, as compliance.ControlAssessment) compliance.ControlAssessment {
	wd := w.of(as.ControlID)
	note := "Withdrawn: " + wd.ChangeID + " took " + as.ControlID + " out of scope"
	if wd.Reason != "" {
		note += " (" + wd.Reason + ")"
	}
	if as.Choice != "" {
		note += "; answered " + as.Choice + " before the change"
	}
	at := workflow.Now(ctx)
	as.Status, as.EvidenceExists, as.Sampleable, as.Unanswered = string(gaps.NotApplicable), false, false, false
	as.Note, as.AnsweredBy, as.AnsweredVia, as.AnsweredAt = note, "steadfast", compliance.ChannelWorkflow, &at
	as.Choice, as.Link = "", ""
	return as
}

// ignore logs and records the controls a hint named that the stored spec
// still has in scope: their questions stay open.
func (w *assessmentWithdrawals) ignore(ctx workflow.Context, hints []WithdrawControls, controls []string) {
	var changes []string
	for _, h := range hints {
		changes = append(changes, h.ChangeID)
	}
	workflow.GetLogger(ctx).Warn("ignored a withdraw-controls signal for controls still in scope", "engagement", w.engagementID, "controls", controls)
	recordIgnoredSignal(ctx, unbackedClaim{EngagementID: w.engagementID, Signal: SignalWithdrawControls, Subject: strings.Join(controls, ","),
		Claim: "these controls left the scope", Why: "the stored spec still has them in scope",
		Detail: map[string]any{"controls": controls, "changes": changes}})
}
