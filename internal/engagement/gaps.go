package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// GapsRequest asks for the ranked gap register.
type GapsRequest struct {
	EngagementID string
	// All includes controls that are not gaps.
	All bool
}

// GapsResult is the register, rank order.
type GapsResult struct {
	Register []postgres.GapEntry
	// Vendors are the vendor items to close before the audit (the Vendors
	// read model's gaps): vendor scope risks and overdue or unfinished
	// vendor work, which the control register does not rank.
	Vendors []compliance.VendorGap
}

// Gaps reads the register the assessment built.
func (s *Service) Gaps(ctx context.Context, req GapsRequest) (GapsResult, error) {
	st, err := s.store()
	if err != nil {
		return GapsResult{}, err
	}
	if err := s.known(ctx, req.EngagementID); err != nil {
		return GapsResult{}, err
	}
	reg, err := st.Register(ctx, req.EngagementID)
	if err != nil {
		return GapsResult{}, err
	}
	if !req.All {
		reg = slices.DeleteFunc(reg, func(e postgres.GapEntry) bool { return !e.Gap })
	}
	res := GapsResult{Register: reg}
	if spec, plan, err := s.spec(ctx, req.EngagementID); err == nil && len(spec.Vendors) > 0 {
		ps, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: req.EngagementID})
		if err != nil {
			return GapsResult{}, fmt.Errorf("vendor prompts of %s: %w", req.EngagementID, err)
		}
		res.Vendors = VendorsOf(spec, plan, ps, s.now()).Gaps
	}
	return res, nil
}

// DecideGapRequest overrides a gap's rank (Accept false, Rank ≥ 1) or
// accepts the gap as a known exception.
type DecideGapRequest struct {
	EngagementID string
	ControlID    string
	Accept       bool
	Rank         int
	Reason       string
	Actor        compliance.Actor
}

// DecideGapResult says what was recorded.
type DecideGapResult struct {
	workflows.DecideGapResult
	// RemediationTold is true when a running remediation of the gap was
	// told it is accepted (it stops chasing the owner).
	RemediationTold bool
}

// DecideGap records the lead's decision beside the computed rank, through
// the engagement's decide-gap update, and tells the gap's remediation when
// it is accepted.
func (s *Service) DecideGap(ctx context.Context, req DecideGapRequest) (DecideGapResult, error) {
	var res DecideGapResult
	switch {
	case strings.TrimSpace(req.Reason) == "":
		return res, errors.New("--reason is required: say why, for the record")
	}
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	spec, _, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return res, err
	}
	if err := spec.CheckDecideGaps(req.Actor.Person); err != nil {
		return res, err
	}
	if err := s.checkGapDecision(ctx, req); err != nil {
		return res, err
	}
	decision := fmt.Sprintf("rank-%d", req.Rank)
	if req.Accept {
		decision = "accept"
	}
	sum := sha256.Sum256([]byte(req.Reason))
	updateID := fmt.Sprintf("gap-decision/%s/%s/%s/%s/%s", req.EngagementID, req.ControlID, decision, strings.ToLower(req.Actor.Person), hex.EncodeToString(sum[:6]))
	wreq := workflows.DecideGapRequest{Actor: req.Actor, ControlID: req.ControlID, Accept: req.Accept, Rank: req.Rank, Reason: req.Reason}
	if err := s.update(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.UpdateDecideGap, updateID, wreq, &res.DecideGapResult); err != nil {
		return res, fmt.Errorf("decide gap %s of %s: %w", req.ControlID, req.EngagementID, err)
	}
	if req.Accept {
		told, err := s.tellRemediationAccepted(ctx, req)
		if err != nil {
			return res, err
		}
		res.RemediationTold = told
	}
	return res, nil
}

// checkGapDecision applies compliance's gap rules to the register the
// decision is about, early, for a message that names the valid ranks (the
// decide-gap validator holds the same rank rule for any client).
func (s *Service) checkGapDecision(ctx context.Context, req DecideGapRequest) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	reg, err := st.Register(ctx, req.EngagementID)
	if err != nil {
		return fmt.Errorf("gap register of %s: %w", req.EngagementID, err)
	}
	gaps, inRegister, gap := 0, false, false
	for _, e := range reg {
		if e.Gap {
			gaps++
		}
		if strings.EqualFold(e.ControlID, req.ControlID) {
			inRegister, gap = true, e.Gap
		}
	}
	if !req.Accept {
		if err := compliance.CheckGapRank(req.Rank, gaps); err != nil {
			return err
		}
	}
	return compliance.CheckIsGap(req.ControlID, inRegister, gap, req.EngagementID)
}
