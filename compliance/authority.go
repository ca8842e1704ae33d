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

// MayAnswerAuditRequest reports whether email may answer an auditor's
// request routed to owner, and attach files to the answer: the owner, or
// the lead and delegates, who take up what an owner cannot give. A request's
// prompt names the leads and delegates as its delegates, so its validator
// applies this rule.
func (s *Spec) MayAnswerAuditRequest(email, owner string) bool {
	return s.MayGiveEvidence(email, owner)
}

// AuditorInvite is an auditor the lead invited into one engagement's
// auditor's room, until a day (inclusive). Auditors are not people of the
// spec: the engagement carries its invitations beside it.
type AuditorInvite struct {
	Email     string `json:"email"`
	Until     Date   `json:"until"`
	InvitedBy string `json:"invited_by"`
}

// MayInviteAuditor reports whether email may invite an auditor: the lead
// or a lead delegate.
func (s *Spec) MayInviteAuditor(email string) bool { return s.MayDecide(email) }

// InvitedAuditor reports whether email holds an invitation among invites
// that is still open on today.
func InvitedAuditor(invites []AuditorInvite, email string, today Date) bool {
	for _, in := range invites {
		if strings.EqualFold(strings.TrimSpace(in.Email), strings.TrimSpace(email)) && !in.Until.Before(today) {
			return true
		}
	}
	return false
}

// MayAddAuditRequest reports whether email may put a request on the
// auditor's list: whoever runs the engagement (routing the list they were
// sent), or an auditor whose invitation is open on today (asking directly).
func (s *Spec) MayAddAuditRequest(email string, invites []AuditorInvite, today Date) bool {
	return s.MayRun(email) || InvitedAuditor(invites, email, today)
}

// MayAnswerFor reports whether email may answer a question addressed to
// addressee as well as their own: a lead delegate answers the lead's.
// (Each prompt names its delegates when it is asked and its validator
// decides; this is what the web lists for a delegate to answer.)
func (s *Spec) MayAnswerFor(email, addressee string) bool {
	if strings.EqualFold(strings.TrimSpace(email), strings.TrimSpace(addressee)) {
		return true
	}
	p, a := s.Person(email), s.Person(addressee)
	return p != nil && a != nil && p.HasRole(RoleLeadDelegate) && a.HasRole(RoleLead)
}
