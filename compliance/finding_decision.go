package compliance

import (
	"errors"
	"fmt"
	"strings"
)

// What the lead may decide on a readiness finding: fix it before fieldwork,
// or accept it as a known exception the report will carry.
const (
	FindingFix    = "fix"
	FindingAccept = "accept"
)

// ErrInvalidFindingDecision marks a decision no lead can make.
var ErrInvalidFindingDecision = errors.New("invalid finding decision")

// CheckFindingDecision is the rule for a decision on a finding: fix or
// accept, and accepting needs a reason, because a known exception goes into
// the report and a customer will ask why it was accepted.
func CheckFindingDecision(decision, reason string) error {
	switch {
	case decision != FindingFix && decision != FindingAccept:
		return fmt.Errorf("%w: decision %q is not fix or accept", ErrInvalidFindingDecision, decision)
	case decision == FindingAccept && strings.TrimSpace(reason) == "":
		return fmt.Errorf("%w: accepting a finding as a known exception needs a reason", ErrInvalidFindingDecision)
	}
	return nil
}
