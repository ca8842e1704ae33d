package compliance

import "fmt"

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

// CheckRouteAuditRequests refuses person entering the auditor's requests
// unless MayRun.
func (s *Spec) CheckRouteAuditRequests(person string) error {
	if !s.MayRun(person) {
		return fmt.Errorf("%s may not route the auditor's requests in %s: only the lead, a lead delegate or the consultant may", person, s.ID)
	}
	return nil
}
