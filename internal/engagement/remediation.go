package engagement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
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
	// ComputedRank is the register's computed rank of each item whose rank
	// the lead overrode (Items carry the override, as the register does).
	ComputedRank map[string]int
}

// Remediation lists the items in the register's order: a lead's override
// wins here exactly as in `gaps`, so the two never disagree.
func (s *Service) Remediation(ctx context.Context, req RemediationRequest) (RemediationResult, error) {
	st, err := s.store()
	if err != nil {
		return RemediationResult{}, err
	}
	if err := s.known(ctx, req.EngagementID); err != nil {
		return RemediationResult{}, err
	}
	items, err := st.Items(ctx, req.EngagementID)
	if err != nil {
		return RemediationResult{}, err
	}
	reg, err := st.Register(ctx, req.EngagementID)
	if err != nil {
		return RemediationResult{}, err
	}
	res := RemediationResult{Items: items, ComputedRank: map[string]int{}}
	for _, e := range reg {
		if e.OverrideRank == nil {
			continue
		}
		for i := range res.Items {
			if res.Items[i].ControlID == e.ControlID {
				res.ComputedRank[e.ControlID] = res.Items[i].Rank
				res.Items[i].Rank = *e.OverrideRank
			}
		}
	}
	slices.SortStableFunc(res.Items, func(a, b postgres.RemediationItem) int { return cmp.Compare(a.Rank, b.Rank) })
	return res, nil
}

// ItemEvidence is what closed an item, as a listing shows it: the evidence
// link, or for a withdrawn item the note naming the change that took its
// control out of scope and who approved it.
func ItemEvidence(it postgres.RemediationItem) string {
	if it.Status == compliance.ItemWithdrawn && it.Note != "" {
		return it.Note
	}
	return it.EvidenceLink
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

// openGapWorkflowID is the workflow of a control's open gap (not verified,
// accepted or withdrawn): the item a
// change's round opened (engagement/<id>/gap/<change>/<control>) when the
// control's first gap is closed, else GapWorkflowID. Without the Postgres
// record it is GapWorkflowID.
func (s *Service) openGapWorkflowID(ctx context.Context, engagementID, controlID string) (string, error) {
	id := workflows.GapWorkflowID(engagementID, controlID)
	if s.Store == nil {
		return id, nil
	}
	items, err := s.Store.Items(ctx, engagementID)
	if err != nil {
		return "", fmt.Errorf("find the open gap of %s/%s: %w", engagementID, controlID, err)
	}
	var latest *postgres.RemediationItem
	for i := range items {
		it := &items[i]
		if it.ControlID != controlID || compliance.ItemClosed(it.Status) {
			continue
		}
		if latest == nil || it.OpenedAt.After(latest.OpenedAt) {
			latest = it
		}
	}
	if latest != nil {
		id = latest.ItemID
	}
	return id, nil
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
	if !strings.HasPrefix(req.Item, "engagement/") {
		eng, control, _ := strings.Cut(req.Item, "/")
		if id, err = s.openGapWorkflowID(ctx, eng, control); err != nil {
			return st, err
		}
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
