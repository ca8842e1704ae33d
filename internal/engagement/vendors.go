package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// VendorsRequest asks for an engagement's vendors as they stand.
type VendorsRequest struct {
	EngagementID string
	// AsOf is when the work is reckoned at; zero is now.
	AsOf time.Time
}

// VendorsResult is the one read model of vendors that `vendors`, `status`,
// `gaps`, `readiness` and the evidence pack share, so they never disagree.
type VendorsResult struct {
	Vendors []compliance.VendorItem        `json:"vendors"`
	Work    []compliance.VendorWorkItem    `json:"work"`
	Counts  compliance.VendorWorkCounts    `json:"counts"`
	Gaps    []compliance.VendorGap         `json:"gaps"`
	CUECs   []compliance.UserEntityControl `json:"user_entity_controls"`
}

// Vendors joins the spec's vendors and their scope risks with the vendor
// work the engagement has asked for (the vendor prompts on record).
func (s *Service) Vendors(ctx context.Context, req VendorsRequest) (VendorsResult, error) {
	spec, plan, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return VendorsResult{}, err
	}
	ps, err := s.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: req.EngagementID})
	if err != nil {
		return VendorsResult{}, fmt.Errorf("vendor prompts of %s: %w", req.EngagementID, err)
	}
	asOf := req.AsOf
	if asOf.IsZero() {
		asOf = s.now()
	}
	return VendorsOf(spec, plan, ps, asOf), nil
}

// VendorsOf is the read model from a spec, its plan and the prompts on
// record. The vendor work's start is the day its first prompt was asked
// (the workflow asks what is overdue at once); before any was asked, the
// day the plan's remediation ends (when the engagement starts its vendor
// work), so work that fell due since and was never asked shows overdue.
func VendorsOf(spec *compliance.Spec, plan compliance.Plan, ps []compliance.Prompt, asOf time.Time) VendorsResult {
	start := compliance.DateOf(asOf)
	if end := plan.Remediation.End; !end.IsZero() && end.Before(start) {
		start = end
	}
	for _, p := range ps {
		if d := compliance.DateOf(p.CreatedAt); p.Kind == compliance.VendorPromptKind && d.Before(start) {
			start = d
		}
	}
	// Vendor rules do not depend on the phase plan; a fitting plan keeps
	// the audit-date rule out of the vendors' risks.
	items := compliance.VendorItems(spec, compliance.AssessScope(spec, compliance.Plan{Fits: true}))
	work := compliance.VendorWork(spec, start, ps, asOf)
	return VendorsResult{Vendors: items, Work: work, Counts: compliance.CountVendorWork(spec, work),
		Gaps: compliance.VendorGaps(items, work), CUECs: spec.CUECs()}
}

// VendorsPackPart is the evidence pack's vendor files as of the review,
// from the store the pack is written from.
func VendorsPackPart(ctx context.Context, st *postgres.Store, id string, asOf time.Time) (evidencepack.Part, error) {
	spec, plan, err := st.SpecAndPlan(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("spec of %s: %w", id, err)
	}
	ps, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: id})
	if err != nil {
		return nil, fmt.Errorf("vendor prompts of %s: %w", id, err)
	}
	v := VendorsOf(&spec, plan, ps, asOf)
	return evidencepack.VendorsPart(evidencepack.Vendors{Vendors: v.Vendors, Work: v.Work, CUECs: v.CUECs}), nil
}
