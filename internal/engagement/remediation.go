package engagement

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// RemediationRequest asks for an engagement's remediation items.
type RemediationRequest struct{ EngagementID string }

// RemediationResult is one item per gap, rank order.
type RemediationResult struct {
	Items []postgres.RemediationItem
}

// Remediation lists the items.
func (s *Service) Remediation(ctx context.Context, req RemediationRequest) (RemediationResult, error) {
	st, err := s.store()
	if err != nil {
		return RemediationResult{}, err
	}
	items, err := st.Items(ctx, req.EngagementID)
	return RemediationResult{Items: items}, err
}

// CompleteGapRequest closes a gap with the evidence that it now operates.
type CompleteGapRequest struct {
	// Item is ENGAGEMENT/CONTROL or the gap workflow's full ID.
	Item     string
	Evidence string
	Actor    compliance.Actor
}

// ItemWorkflowID accepts ENGAGEMENT/CONTROL or the full item ID.
func ItemWorkflowID(item string) (string, error) {
	if strings.HasPrefix(item, "engagement/") {
		return item, nil
	}
	eng, control, ok := strings.Cut(item, "/")
	if !ok || eng == "" || control == "" {
		return "", fmt.Errorf("item %q: write it as ENGAGEMENT/CONTROL (see `starter remediation ENGAGEMENT`)", item)
	}
	return workflows.GapWorkflowID(eng, control), nil
}

// CompleteGap sends the gap's complete update; its validator says who may
// (the owner, the lead or a delegate) and what evidence it needs.
func (s *Service) CompleteGap(ctx context.Context, req CompleteGapRequest) (workflows.GapRemediationState, error) {
	var st workflows.GapRemediationState
	if err := checkActor(req.Actor); err != nil {
		return st, err
	}
	id, err := ItemWorkflowID(req.Item)
	if err != nil {
		return st, err
	}
	wreq := completeGapPayload(req.Evidence, req.Actor)
	updateID := req.Actor.Channel + "/" + id + "/" + strings.ToLower(req.Actor.Person) + "/" + req.Evidence
	err = s.send(ctx, id, workflows.UpdateCompleteGap, updateID, wreq, &st)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return st, fmt.Errorf("%s is not open (closed already, or no such gap)", req.Item)
	}
	if err != nil {
		return st, fmt.Errorf("close %s: %w", req.Item, err)
	}
	return st, nil
}
