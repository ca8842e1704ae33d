package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// CheckDriftInput asks for the engagement's drift as of Now.
type CheckDriftInput struct {
	EngagementID string
	Spec         compliance.Spec
	Now          time.Time
}

// CheckDriftResult counts the controls at each level above ok, and how
// many escalations went out.
type CheckDriftResult struct {
	Watch, Drifting, Critical int
	Escalated                 int
	OnTimeRate                float64
}

// CheckDrift builds the drift report from the evidence record and tells
// the people each drifting control's level calls for: the owner at watch,
// the lead when drifting, the sponsor when critical. Each control is told
// once per level per ISO week, however often the check runs.
func (a *Activities) CheckDrift(ctx context.Context, in CheckDriftInput) (CheckDriftResult, error) {
	build := reports.Build
	if a.Drift != nil {
		build = a.Drift.Build
	}
	rep, err := build(ctx, a.Store, in.EngagementID, in.Now)
	if err != nil {
		return CheckDriftResult{}, fmt.Errorf("check drift of %s: %w", in.EngagementID, err)
	}
	res := CheckDriftResult{OnTimeRate: rep.OnTimeRate}
	year, week := in.Now.ISOWeek()
	for _, c := range rep.Drifting() {
		switch c.Drift.Level {
		case drift.Level("watch"):
			res.Watch++
		case drift.Level("drifting"):
			res.Drifting++
		case drift.Level("critical"):
			res.Critical++
		}
		tell := peopleFor(in.Spec, c.Drift.Level.Tell(), c.Owner)
		if len(tell) == 0 {
			continue
		}
		_, err := a.Escalate(ctx, EscalateInput{
			EngagementID: in.EngagementID, Key: fmt.Sprintf("drift/%s/%s/%d-W%02d", c.ControlID, c.Drift.Level, year, week),
			Subject: fmt.Sprintf("%s %s is %s", c.ControlID, c.Title, c.Drift.Level),
			Reason:  strings.Join(c.Drift.Reasons, "; "), Tell: tell, SlackChannel: in.Spec.Integrations.SlackChannel, At: in.Now,
		})
		if err != nil {
			return CheckDriftResult{}, err
		}
		res.Escalated++
	}
	return res, nil
}

// peopleFor maps roles to the engagement's people; the control-owner role
// means this control's owner.
func peopleFor(spec compliance.Spec, roles []compliance.Role, owner string) []compliance.Person {
	var out []compliance.Person
	for _, r := range roles {
		if r == compliance.RoleControlOwner {
			if p := spec.Person(owner); p != nil {
				out = append(out, *p)
			}
			continue
		}
		out = append(out, spec.PeopleWithRole(r)...)
	}
	return out
}
