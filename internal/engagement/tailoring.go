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

// ChangeTailoringRequest replaces a certified programme's tailoring with the
// one of a revised spec (its tailoring: section).
type ChangeTailoringRequest struct {
	EngagementID string
	Tailoring    compliance.Tailoring
	Actor        compliance.Actor
}

// ChangeTailoring proposes the new tailoring as a scope change: the
// programme names the controls it affects and the requirements it would
// leave uncovered, and asks the lead; once approved, only the affected
// controls are assessed again, and the cadence follows the new tailoring
// from its next batch.
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
	return s.changeScope(ctx, req.EngagementID, workflows.UpdateChangeTailoring, "change-tailoring/"+hex.EncodeToString(sum[:8]),
		workflows.ChangeTailoringRequest{Tailoring: req.Tailoring, Actor: req.Actor})
}
