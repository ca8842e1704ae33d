package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ChangeTailoringRequest replaces an engagement's tailoring with the one of
// a revised spec (its tailoring: section), in any phase after the scope is
// approved.
type ChangeTailoringRequest struct {
	EngagementID string
	Tailoring    compliance.Tailoring
	Actor        compliance.Actor
}

// ChangeTailoring proposes the new tailoring as a scope change: the
// engagement (before certification) or its programme (after) names the
// controls it affects and the requirements it would leave uncovered, and
// asks the lead; once approved, only the affected controls are assessed
// again, and the cadence follows the new tailoring from its next batch.
func (s *Service) ChangeTailoring(ctx context.Context, req ChangeTailoringRequest) (workflows.ScopeChange, error) {
	if err := checkActor(req.Actor); err != nil {
		return workflows.ScopeChange{}, err
	}
	// The workflow's validator refuses a bad tailoring in the same words;
	// checking here first saves the round trip when the spec is at hand.
	if spec, _, err := s.spec(ctx, req.EngagementID); err == nil {
		next := *spec
		next.Tailoring = req.Tailoring
		if err := next.CheckTailoring(catalog.Default()); err != nil {
			return workflows.ScopeChange{}, err
		}
	}
	body, err := json.Marshal(req.Tailoring)
	if err != nil {
		return workflows.ScopeChange{}, fmt.Errorf("encode tailoring: %w", err)
	}
	sum := sha256.Sum256(body)
	update := workflows.ChangeTailoringRequest{Tailoring: req.Tailoring, Actor: req.Actor}
	updateID := "change-tailoring/" + hex.EncodeToString(sum[:8])
	// Before certification the engagement takes it; once certified (or
	// when only the programme runs) the programme does.
	var st workflows.EngagementStatus
	if err := s.query(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.QueryStatus, &st); err == nil && st.Phase != compliance.PhaseProgramme {
		// A refusal comes back in the validator's words, as a raw
		// client reads it.
		var ch workflows.ScopeChange
		err := s.update(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.UpdateChangeTailoring, updateID+"/"+req.EngagementID, update, &ch)
		return ch, err
	}
	return s.changeScope(ctx, req.EngagementID, workflows.UpdateChangeTailoring, updateID, update)
}
