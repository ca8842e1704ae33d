package engagement

import (
	"context"
	"fmt"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// AcceptedExceptions is every known exception the client chose: the
// readiness findings the lead accepted and the gaps the lead accepted at
// the gap assessment (a gap accepted is an exception the report carries
// just as a finding accepted is). Gaps come first, as "gap/CONTROL".
func AcceptedExceptions(ctx context.Context, store *postgres.Store, engagementID string) ([]postgres.Finding, error) {
	reg, err := store.Register(ctx, engagementID)
	if err != nil {
		return nil, fmt.Errorf("accepted gaps of %s: %w", engagementID, err)
	}
	var out []postgres.Finding
	for _, e := range reg {
		if !e.Gap || !e.Accepted {
			continue
		}
		out = append(out, postgres.Finding{
			EngagementID: engagementID, FindingID: "gap/" + e.ControlID, ControlID: e.ControlID, Test: "gap-assessment",
			Exception: fmt.Sprintf("%s %s was assessed %s and accepted as a known exception instead of remediated", e.ControlID, e.Title, e.Status),
			Rank:      e.Rank, Decision: workflows.DecisionAccept, Reason: e.AcceptReason, DecidedBy: e.DecidedBy, DecidedAt: e.DecidedAt,
		})
	}
	findings, err := store.AcceptedExceptions(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	return append(out, findings...), nil
}
