package activities

import (
	"context"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// CheckWithdrawalInput names the controls a withdraw-controls signal says
// have left the engagement's scope.
type CheckWithdrawalInput struct {
	EngagementID string
	Controls     []string
}

// CheckWithdrawalResult is what the stored spec says of them.
type CheckWithdrawalResult struct {
	// Withdrawn are the controls of the input the stored spec no longer
	// operates, in the order given.
	Withdrawn []string `json:",omitempty"`
	// ChangeID names the stored spec's tailoring
	// (compliance.TailoringChangeID): the change that took them out.
	ChangeID string
	// Justifications holds, per withdrawn control, the stored tailoring's
	// reason (empty for a custom control dropped).
	Justifications map[string]string `json:",omitempty"`
}

// CheckWithdrawal reads the engagement's spec as stored (the tailoring a
// change recorded) and keeps, of the controls named, those it no longer
// operates. A signal is only a hint anyone with Temporal access could
// send: the gap assessment withdraws a question only for what this says.
func (a *Activities) CheckWithdrawal(ctx context.Context, in CheckWithdrawalInput) (CheckWithdrawalResult, error) {
	spec, _, err := a.Store.SpecAndPlan(ctx, in.EngagementID)
	if err != nil {
		return CheckWithdrawalResult{}, fmt.Errorf("current spec of %s: %w", in.EngagementID, err)
	}
	out, err := catalog.Default().OutOfScope(&spec, in.Controls)
	if err != nil {
		return CheckWithdrawalResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("scope of %s: %w", in.EngagementID, err))
	}
	res := CheckWithdrawalResult{Withdrawn: out, ChangeID: compliance.TailoringChangeID(spec.Tailoring)}
	for _, id := range out {
		if t := spec.ControlTailoringOf(id); t != nil && t.Justification != "" {
			if res.Justifications == nil {
				res.Justifications = map[string]string{}
			}
			res.Justifications[id] = t.Justification
		}
	}
	return res, nil
}
