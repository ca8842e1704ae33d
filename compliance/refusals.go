package compliance

import (
	"fmt"
	"strings"
)

// The words of each refusal, stated once beside the rule it enforces
// (authority.go), so a workflow validator and the service that checks early
// refuse with the same sentence: a raw Temporal client reads exactly what
// the CLI prints.

// CheckGiveEvidence refuses person giving evidence (or recording an event
// of a population) for controlID, owned by owner, unless MayGiveEvidence.
func (s *Spec) CheckGiveEvidence(person, controlID, owner string) error {
	if s.Person(person) == nil {
		return fmt.Errorf("%s is not named in engagement %s", person, s.ID)
	}
	if !s.MayGiveEvidence(person, owner) {
		return fmt.Errorf("%s may not give evidence for %s: its owner, the lead or a lead delegate may", person, controlID)
	}
	return nil
}

// CheckDecideGaps refuses person overriding a gap's rank or accepting a
// gap unless MayDecide.
func (s *Spec) CheckDecideGaps(person string) error {
	if s.Person(person) == nil {
		return fmt.Errorf("%s is not named in engagement %s", person, s.ID)
	}
	if !s.MayDecide(person) {
		return fmt.Errorf("%s may not decide on gaps: only the lead or a lead delegate may", person)
	}
	return nil
}

// CheckImportPopulations refuses person importing the engagement's
// populations from Jira unless MayRun.
func (s *Spec) CheckImportPopulations(person string) error {
	if !s.MayRun(person) {
		return fmt.Errorf("%s may not import populations in %s: only the lead, a lead delegate or the consultant may", person, s.ID)
	}
	return nil
}

// CheckAddAuditRequest refuses person adding one of the auditor's
// requests unless MayAddAuditRequest (invites are the engagement's open
// auditor invitations, today the day it is asked).
func (s *Spec) CheckAddAuditRequest(person string, invites []AuditorInvite, today Date) error {
	if !s.MayAddAuditRequest(person, invites, today) {
		return fmt.Errorf("%s may not add the auditor's requests in %s: an auditor invited to it, the lead, a lead delegate or the consultant may", person, s.ID)
	}
	return nil
}

// CheckInviteAuditor refuses by inviting email as an auditor until the
// day until (today being the day it is asked), unless MayInviteAuditor and
// the auditor is independent of the engagement.
func (s *Spec) CheckInviteAuditor(by, email string, until, today Date) error {
	if !s.MayInviteAuditor(by) {
		return fmt.Errorf("%s may not invite auditors to %s: only the lead or a lead delegate may", by, s.ID)
	}
	if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n<>\"") {
		return fmt.Errorf("auditor email %q is not an email address", email)
	}
	if s.Person(email) != nil {
		return fmt.Errorf("%s is a person of the engagement; auditors are independent of it", email)
	}
	if until.IsZero() || until.Before(today) {
		return fmt.Errorf("--until %s: give a day from today on", until)
	}
	return nil
}

// CheckChangeScope refuses person proposing a change of scope (a system, a
// framework, a new tailoring) unless MayRun. The lead (or a lead delegate)
// then approves it: MayDecide, through the change's own question.
func (s *Spec) CheckChangeScope(person string) error {
	if !s.MayRun(person) {
		return fmt.Errorf("%s may not change the scope: only the lead, a lead delegate or the consultant", person)
	}
	return nil
}

// CheckTailoringChangeAt refuses a tailoring change in phase p of the
// engagement workflow: before the scope is approved the scope itself is
// revised (scope revise), and once certified the programme takes it.
func CheckTailoringChangeAt(p Phase) error {
	switch {
	case p == PhaseScoping:
		return fmt.Errorf("the scope is not approved yet: change the tailoring in the spec with `starter scope revise`")
	case p == PhaseProgramme:
		return fmt.Errorf("the engagement is certified: its programme takes the tailoring change")
	case !p.Valid():
		return fmt.Errorf("%q is not a phase", p)
	}
	return nil
}
