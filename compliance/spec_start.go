package compliance

import (
	"fmt"
	"strings"
)

// CheckStart is the rule for starting an engagement from a parsed spec on
// the day today (in the client's zone): a spec can describe a programme
// that does not exist yet, but an engagement needs an audit date still
// ahead, at least one system in scope and at least one control owner;
// otherwise the plan is worked back from the past, nothing is assessed,
// or every question goes to no one. The scope-risk rules flag softer
// problems; these three refuse the start. Each problem names its field.
func (s *Spec) CheckStart(today Date) error {
	var problems []string
	if !s.AuditDate.IsZero() && !today.IsZero() && !s.AuditDate.After(today) {
		problems = append(problems, fmt.Sprintf("audit_date: %s is not after today (%s); give the date of the coming audit", s.AuditDate, today))
	}
	in := 0
	for _, sys := range s.Systems {
		if sys.Scope != ScopeExcluded {
			in++
		}
	}
	if in == 0 {
		problems = append(problems, "systems: no system is in scope; list at least one with scope: in")
	}
	if len(s.PeopleWithRole(RoleControlOwner)) == 0 {
		problems = append(problems, "people: no one has the control-owner role; name at least one owner with the control areas they own (owns: [...])")
	}
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("spec %s cannot start an engagement:\n  %s", s.ID, strings.Join(problems, "\n  "))
}
