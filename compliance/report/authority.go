package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Who may do what with the issued report. The workflows' validators call
// these; the service calls them first only for an earlier message.

// MayRecord reports whether email may record the issued report: whoever
// may record the certification (lead, delegate or consultant).
func MayRecord(spec *compliance.Spec, email string) error {
	if !spec.MayRun(email) {
		return fmt.Errorf("%s may not record the report: only the lead, a lead delegate or the consultant", email)
	}
	return nil
}

// MayExplain reports whether email may write the explanation of a subject
// owned by owners: one of its owners (the people who must understand it),
// not the lead on their behalf.
func MayExplain(email string, owners []string) error {
	e := strings.ToLower(strings.TrimSpace(email))
	if len(owners) == 0 {
		return fmt.Errorf("nobody owns it in this report")
	}
	if !slices.Contains(owners, e) {
		return fmt.Errorf("%s may not explain it: its owner writes the explanation (%s)", email, strings.Join(owners, ", "))
	}
	return nil
}

// MayApproveExplanation reports whether email may approve an owner's
// explanation: the lead or a delegate, and never the explanation's own
// author (approval is a second pair of eyes).
func MayApproveExplanation(spec *compliance.Spec, email, author string) error {
	if !spec.MayDecide(email) {
		return fmt.Errorf("%s may not approve explanations: only the lead or a lead delegate", email)
	}
	if strings.EqualFold(strings.TrimSpace(email), strings.TrimSpace(author)) {
		return fmt.Errorf("%s wrote this explanation and may not approve it too", email)
	}
	return nil
}

// MaxExplanation bounds an owner's explanation: a paragraph or two.
const MaxExplanation = 4000

// CheckExplanation refuses an empty or overlong explanation.
func CheckExplanation(text string) error {
	t := strings.TrimSpace(text)
	switch {
	case t == "":
		return fmt.Errorf("the explanation is empty: say in your own words what it covers or means for a customer")
	case len(t) > MaxExplanation:
		return fmt.Errorf("the explanation is longer than %d bytes", MaxExplanation)
	}
	return nil
}
