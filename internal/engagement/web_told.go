package engagement

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// Told is one person told about a control's drift: by name, in the role
// that made them be told, at the newest level and instant they were.
type Told struct {
	Email string
	Name  string
	Role  string
	Level string
	At    time.Time
}

// driftEscalationPrefix starts the event key of a drift escalation
// (activities.CheckDrift: escalated/drift/CONTROL/LEVEL/YEAR-Www); the
// event's detail names who was told.
const driftEscalationPrefix = "escalated/drift/"

// DriftTold reads, from the event log, who has been told of each
// control's drift and when: the recorded notifications, not the roles the
// level calls for, so a sponsor the spec does not name or a Slack message
// that was never sent does not show as told. By control ID, each list
// ordered by when the person was last told.
func DriftTold(events []postgres.Event, spec *compliance.Spec, ownerOf func(controlID string) string) map[string][]Told {
	latest := map[[2]string]Told{}
	for _, e := range events {
		if e.Kind != "escalated" {
			continue
		}
		rest, ok := strings.CutPrefix(e.Key, driftEscalationPrefix)
		if !ok {
			continue
		}
		// CONTROL/LEVEL/WEEK; a control ID has no '/'.
		parts := strings.Split(rest, "/")
		if len(parts) != 3 {
			continue
		}
		control, level := parts[0], parts[1]
		told, _ := e.Detail["told"].([]any)
		for _, t := range told {
			email, _ := t.(string)
			if email == "" {
				continue
			}
			k := [2]string{control, email}
			if prev, ok := latest[k]; ok && prev.At.After(e.At) {
				continue
			}
			latest[k] = Told{Email: email, Name: email, Level: level, At: e.At, Role: roleTold(spec, email, ownerOf(control))}
			if p := spec.Person(email); p != nil && p.Name != "" {
				tl := latest[k]
				tl.Name = p.Name
				latest[k] = tl
			}
		}
	}
	out := map[string][]Told{}
	for k, t := range latest {
		out[k[0]] = append(out[k[0]], t)
	}
	for _, ts := range out {
		slices.SortFunc(ts, func(a, b Told) int { return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.Email, b.Email)) })
	}
	return out
}

// roleTold is why the person was told: the control's owner first, then
// the ladder's roles.
func roleTold(spec *compliance.Spec, email, owner string) string {
	if strings.EqualFold(email, owner) {
		return "owner"
	}
	p := spec.Person(email)
	if p == nil {
		return ""
	}
	for _, r := range []compliance.Role{compliance.RoleLead, compliance.RoleLeadDelegate, compliance.RoleSponsor} {
		if p.HasRole(r) {
			return string(r)
		}
	}
	return ""
}
