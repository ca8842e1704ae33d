package activities

import (
	"context"
	"fmt"
	"slices"

	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
)

// NewGapsInput names the gaps a remediation already works on.
type NewGapsInput struct {
	EngagementID string
	Known        []string
}

// NewGapsResult are the register's gaps it does not, ranked.
type NewGapsResult struct {
	Gaps []RegisterEntry `json:",omitempty"`
}

// NewGaps reads the engagement's stored register — which a change's
// re-assessment rebuilt — and returns its gaps not among Known, with what
// their tickets need (BuildRegister's entry). A gaps-found signal only
// prompts the remediation to ask; the gaps it takes on come from here.
func (a *Activities) NewGaps(ctx context.Context, in NewGapsInput) (NewGapsResult, error) {
	reg, err := a.Store.Register(ctx, in.EngagementID)
	if err != nil {
		return NewGapsResult{}, err
	}
	var fresh []int
	for i, e := range reg {
		// Unknown: not assessed yet (another round still asks its owner),
		// so not a gap to ticket yet; its own round's hint brings it.
		if e.Gap && e.Status != string(gaps.Unknown) && !slices.Contains(in.Known, e.ControlID) {
			fresh = append(fresh, i)
		}
	}
	if len(fresh) == 0 {
		return NewGapsResult{}, nil
	}
	spec, _, err := a.Store.SpecAndPlan(ctx, in.EngagementID)
	if err != nil {
		return NewGapsResult{}, fmt.Errorf("current spec of %s: %w", in.EngagementID, err)
	}
	app, err := catalog.Default().ForSpec(&spec)
	if err != nil {
		return NewGapsResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("new gaps of %s: %w", in.EngagementID, err))
	}
	var res NewGapsResult
	for _, i := range fresh {
		e := reg[i]
		ac := app.Control(e.ControlID)
		if ac == nil {
			continue // out of scope since the register was built
		}
		g := RegisterEntry{ControlID: e.ControlID, Title: e.Title, Rank: e.Rank, Status: e.Status, Owner: e.OwnerEmail, Reasons: e.Reasons}
		g.withTicketDetails(ac)
		res.Gaps = append(res.Gaps, g)
	}
	return res, nil
}
