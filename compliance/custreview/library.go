package custreview

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// An approved answer speaks for the control as it stood when the lead
// approved it: its evidence then and the report then. When either changes,
// the answer may no longer be true, so it leaves the library until its
// owner confirms it again (or rewrites it) and the lead approves it again.

// LibraryChange is something approved answers rest on that changed: new
// evidence of some controls, or a newly issued report.
type LibraryChange struct {
	// Controls whose evidence changed; empty means every control (a new
	// report speaks for all of them).
	Controls []string
	Why      string
	At       time.Time
}

// EvidenceChanged is new evidence recorded for a control's occurrence.
func EvidenceChanged(control, occurrence string, at time.Time) LibraryChange {
	return LibraryChange{Controls: []string{control}, At: at,
		Why: fmt.Sprintf("new evidence of %s (%s) was recorded %s", control, occurrence, at.UTC().Format("2006-01-02"))}
}

// ReportChanged is a newly recorded issued report: every answer spoke for
// the report before it.
func ReportChanged(report string, at time.Time) LibraryChange {
	return LibraryChange{At: at, Why: fmt.Sprintf("the %s report was recorded %s", report, at.UTC().Format("2006-01-02"))}
}

// Unsettles reports whether the change puts an answer approved at
// approvedAt on controls in doubt: it came after the approval and touches
// one of its controls (a report touches them all).
func (c LibraryChange) Unsettles(controls []string, approvedAt time.Time) bool {
	if !c.At.After(approvedAt) {
		return false
	}
	if len(c.Controls) == 0 {
		return true
	}
	for _, x := range c.Controls {
		if slices.Contains(controls, x) {
			return true
		}
	}
	return false
}

// Reconfirmation is an approved answer's standing in the library: nothing
// pending, waiting on its owner (Why set), or re-confirmed by its owner and
// waiting on the lead (ConfirmedBy set too).
type Reconfirmation struct {
	Why         string     `json:"why,omitempty"`
	Since       *time.Time `json:"since,omitempty"`
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
}

// Pending reports whether the answer is out of the library.
func (r Reconfirmation) Pending() bool { return r.Why != "" }

// WaitsOn names who must act next: "owner", "lead", or "" when settled.
func (r Reconfirmation) WaitsOn() string {
	switch {
	case !r.Pending():
		return ""
	case r.ConfirmedBy == "":
		return "owner"
	default:
		return "lead"
	}
}

// MayReconfirm reports whether email may take part in re-confirming
// library answers at all: a person of the engagement. Which answer is
// theirs is CheckReconfirm's, on the answer as recorded.
func MayReconfirm(spec *compliance.Spec, email string) error {
	if spec.Person(email) == nil {
		return fmt.Errorf("%s is not a person of this engagement and may not re-confirm customer answers", email)
	}
	return nil
}

// CheckReconfirm says whether by may confirm (or rewrite) the answer owned
// by owner: only its owner, only while it waits on them, and a rewrite
// must be an answer.
func CheckReconfirm(owner, by string, r Reconfirmation, rewrite string) error {
	switch {
	case !strings.EqualFold(strings.TrimSpace(owner), strings.TrimSpace(by)):
		return fmt.Errorf("%s may not re-confirm this answer: only its owner %s", by, owner)
	case !r.Pending():
		return fmt.Errorf("the answer does not need re-confirming")
	case r.ConfirmedBy != "":
		return fmt.Errorf("the answer was re-confirmed by %s and waits on the lead's approval", r.ConfirmedBy)
	case len(rewrite) > MaxText:
		return fmt.Errorf("the answer is longer than %d bytes", MaxText)
	}
	return nil
}

// CheckReapprove says whether by may approve a re-confirmed answer back
// into the library: the lead or a delegate, once its owner re-confirmed it.
func CheckReapprove(spec *compliance.Spec, by string, r Reconfirmation) error {
	if err := MayTriage(spec, by); err != nil {
		return err
	}
	switch {
	case !r.Pending():
		return fmt.Errorf("the answer does not need re-confirming")
	case r.ConfirmedBy == "":
		return fmt.Errorf("the answer waits on its owner's re-confirmation first (%s)", r.Why)
	}
	return nil
}
