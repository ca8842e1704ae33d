package activities

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
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
	// ApprovedBy is who approved the change, as the lead's answer to its
	// question is recorded (empty when no lead was asked, or for a
	// withdrawal nothing stored explains).
	ApprovedBy string `json:",omitempty"`
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
	if len(out) > 0 {
		if res.ApprovedBy, err = a.changeApprover(ctx, in.EngagementID, res.ChangeID); err != nil {
			return CheckWithdrawalResult{}, err
		}
	}
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

// changeApprover is who answered the lead's question about a change
// (the prompt scope-change/<change>) with approve, or "".
func (a *Activities) changeApprover(ctx context.Context, engagementID, changeID string) (string, error) {
	ps, err := a.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: engagementID, Status: compliance.PromptAnswered})
	if err != nil {
		return "", fmt.Errorf("the approval of %s: %w", changeID, err)
	}
	for _, p := range ps {
		if p.Key == "scope-change/"+changeID && p.AnswerChoice == "approve" {
			return p.AnsweredBy, nil
		}
	}
	return "", nil
}

// WithdrawRemediationInput withdraws one gap's item: the stored spec took
// its control out of scope (CheckWithdrawal said so).
type WithdrawRemediationInput struct {
	EngagementID string
	// ItemID is the gap workflow's ID.
	ItemID     string
	ControlID  string
	ChangeID   string
	ApprovedBy string `json:",omitempty"`
	Reason     string `json:",omitempty"`
	At         time.Time
}

// WithdrawRemediationResult says how the item stands.
type WithdrawRemediationResult struct {
	// Withdrawn: the item is withdrawn (now, or by an earlier try).
	// False when it was already verified or accepted (it stays so), or
	// is not recorded yet.
	Withdrawn bool
	// Status is the item's status afterwards ("" when not recorded).
	Status string `json:",omitempty"`
}

// WithdrawRemediation records a gap's item as withdrawn with a note naming
// the change and who approved it (compliance.GapWithdrawnNote), logs it, and
// treats its Jira ticket as a closed gap's: a comment saying why, and the
// ticket moved to done. An item verified or accepted is left as it is.
func (a *Activities) WithdrawRemediation(ctx context.Context, in WithdrawRemediationInput) (WithdrawRemediationResult, error) {
	note := compliance.GapWithdrawnNote(in.ChangeID, in.ControlID, in.ApprovedBy, in.Reason)
	it, err := a.Store.WithdrawItem(ctx, postgres.ItemWithdrawal{EngagementID: in.EngagementID, ItemID: in.ItemID,
		ChangeID: in.ChangeID, By: in.ApprovedBy, Note: note, At: in.At})
	if errors.Is(err, postgres.ErrNotFound) {
		return WithdrawRemediationResult{}, nil
	}
	if err != nil {
		return WithdrawRemediationResult{}, err
	}
	if it.Status != compliance.ItemWithdrawn {
		return WithdrawRemediationResult{Status: it.Status}, nil
	}
	if it.TicketKey != "" && a.Jira != nil {
		if err := a.syncTicket(ctx, ChangeRemediationInput{TicketKey: it.TicketKey, Change: postgres.ItemChange{
			EngagementID: in.EngagementID, ItemID: in.ItemID, Status: compliance.ItemWithdrawn, Evidence: it.Note, By: in.ApprovedBy, At: in.At,
		}}); err != nil {
			return WithdrawRemediationResult{}, err
		}
	}
	return WithdrawRemediationResult{Withdrawn: true, Status: it.Status}, nil
}
