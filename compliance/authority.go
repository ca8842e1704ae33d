package compliance

import "strings"

// Who may do what: each rule is stated here once. Workflow validators
// enforce them (so a raw Temporal client is refused exactly as the CLI is);
// services call them first only to give an earlier, friendlier message.

// IsLead reports whether email is the lead or a lead delegate.
func (s *Spec) IsLead(email string) bool {
	p := s.Person(email)
	return p != nil && (p.HasRole(RoleLead) || p.HasRole(RoleLeadDelegate))
}

// MayDecide reports whether email may take the lead's decisions: approve or
// reject the scope, accept or re-rank a gap, decide a finding, approve a
// system entering scope.
func (s *Spec) MayDecide(email string) bool { return s.IsLead(email) }

// MayRun reports whether email runs the engagement (lead, delegate or
// consultant): revise the scope, record a certification, route the
// auditor's requests, add systems and frameworks.
func (s *Spec) MayRun(email string) bool { return s.RunsEngagement(email) }

// MayGiveEvidence reports whether email may give evidence for a control
// owned by owner: the owner, or the lead and delegates.
func (s *Spec) MayGiveEvidence(email, owner string) bool {
	return strings.EqualFold(strings.TrimSpace(email), strings.TrimSpace(owner)) || s.IsLead(email)
}
