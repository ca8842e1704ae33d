package workflows

import (
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// ChangeTailoringRequest replaces a certified programme's tailoring. The
// lead approves it as a scope change; only the controls it affects are
// assessed again (catalog.TailoringDelta).
type ChangeTailoringRequest struct {
	Tailoring compliance.Tailoring
	// Actor is who asks: the lead, a lead delegate or the consultant.
	Actor compliance.Actor `json:",omitzero"`
}

// controlCatalog is the embedded library the tailoring is checked against
// (immutable after its one-time load, so the validator stays deterministic).
func controlCatalog() compliance.ControlCatalog {
	return catalog.Default() //workflowcheck:ignore
}

// checkTailoring applies the spec parser's tailoring rules; they range over
// maps only to sort their keys, so the result is deterministic.
func checkTailoring(s *compliance.Spec) error {
	return s.CheckTailoring(controlCatalog()) //workflowcheck:ignore
}

// registerTailoring sets up the change-tailoring update beside the other
// scope changes; the main loop asks the lead and carries it out.
func (r *programmeRun) registerTailoring(ctx workflow.Context) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateChangeTailoring,
		func(ctx workflow.Context, req ChangeTailoringRequest) (ScopeChange, error) {
			by, _ := recordedAs(req.Actor, "", "")
			t := req.Tailoring
			return r.propose(ctx, ScopeChange{ID: tailoringChangeID(t), Tailoring: &t, By: by})
		}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ChangeTailoringRequest) error {
			return checkTailoringChange(ctx, r.spec, r.state.Changes, req)
		}}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateChangeTailoring, err)
	}
	return nil
}

// checkTailoringChange is the validator of a tailoring change, on the
// programme and on the engagement alike: who may propose it
// (compliance.CheckChangeScope), that it changes something and was not
// proposed already, and that the new tailoring keeps the spec's rules.
func checkTailoringChange(ctx workflow.Context, spec compliance.Spec, changes []ScopeChange, req ChangeTailoringRequest) error {
	if err := mayChangeScope(ctx, &spec, req.Actor); err != nil {
		return err
	}
	id := tailoringChangeID(req.Tailoring)
	if id == tailoringChangeID(spec.Tailoring) {
		return errors.New("the tailoring is unchanged")
	}
	// Its prompt and assessment are named by its content: the same
	// tailoring proposed twice is one change.
	for _, ch := range changes {
		if ch.ID == id {
			return fmt.Errorf("this tailoring was already proposed as %s (%s)", id, ch.Status)
		}
	}
	next := spec
	next.Tailoring = req.Tailoring
	return checkTailoring(&next)
}

// tailoringChangeID names a tailoring change by its content
// (compliance.TailoringChangeID).
func tailoringChangeID(t compliance.Tailoring) string {
	return compliance.TailoringChangeID(t)
}

// scopeChangeQuestion is the lead's question about a change: a system
// entering scope, or a new tailoring.
func scopeChangeQuestion(ch ScopeChange) (subject, question string) {
	if ch.Tailoring != nil {
		return "Tailoring change", fmt.Sprintf("%s proposes a new tailoring of the controls (%d overrides, %d custom controls); %d controls would be assessed again (%s). Approve?",
			ch.By, len(ch.Tailoring.Controls), len(ch.Tailoring.Custom), len(ch.NewControls), strings.Join(ch.NewControls, ", "))
	}
	return "New system in scope: " + ch.System.Name, fmt.Sprintf("%s proposes bringing %s into scope; %d controls would newly apply (%s). Approve?", ch.By, ch.System.Name,
		len(ch.NewControls), strings.Join(ch.NewControls, ", "))
}

// ActorOf implements identity.Claimant: the worker's interceptor verifies
// who asks before the validator runs.
func (r ChangeTailoringRequest) ActorOf() compliance.Actor { return r.Actor }
