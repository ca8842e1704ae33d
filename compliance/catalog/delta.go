package catalog

import (
	"fmt"
	"slices"

	"github.com/steadfast-grc/steadfast/compliance"
)

// DeltaRequirement is one requirement of the added framework and the
// controls that satisfy it, split into those the programme already runs and
// those it must add.
type DeltaRequirement struct {
	Requirement *Requirement
	Existing    []string
	New         []string
}

// Delta is what adding a framework to a running programme costs: which of
// its requirements existing controls already satisfy, which they satisfy
// only in part, and the new controls needed, so nothing is built twice.
type Delta struct {
	Existing []compliance.FrameworkID
	Added    compliance.FrameworkID
	// Satisfied requirements are met entirely by controls already operated.
	Satisfied []DeltaRequirement
	// Partial requirements are met partly by existing controls and partly
	// by new ones.
	Partial []DeltaRequirement
	// Uncovered requirements need new controls only.
	Uncovered []DeltaRequirement
	// Reused are existing controls that now also count for the added
	// framework; NewControls must be built.
	Reused      []*Control
	NewControls []*Control
	// NotApplicable counts requirements of the added framework the scope
	// excludes.
	NotApplicable int
}

// Delta computes the effect of adding framework add (with its options, e.g.
// PCI entity and SAQ) to the programme described by sc.
func (l *Library) Delta(sc Scope, add compliance.Framework) (*Delta, error) {
	if sc.Framework(add.ID) != nil {
		return nil, fmt.Errorf("delta: the programme already includes %s", add.ID)
	}
	before, err := l.Apply(sc)
	if err != nil {
		return nil, fmt.Errorf("delta: current programme: %w", err)
	}
	grown := sc
	grown.Frameworks = append(slices.Clone(sc.Frameworks), add)
	after, err := l.Apply(grown)
	if err != nil {
		return nil, fmt.Errorf("delta: adding %s: %w", add.ID, err)
	}
	running := map[string]bool{}
	for _, ac := range before.Controls {
		running[ac.Control.ID] = true
	}
	d := &Delta{Existing: sc.FrameworkIDs(), Added: add.ID}
	for _, rs := range after.Requirements[add.ID] {
		if !rs.Requirement.Assessable() {
			continue
		}
		if !rs.Applies {
			d.NotApplicable++
			continue
		}
		dr := DeltaRequirement{Requirement: rs.Requirement}
		for _, id := range rs.Controls {
			if running[id] {
				dr.Existing = append(dr.Existing, id)
			} else {
				dr.New = append(dr.New, id)
			}
		}
		switch {
		case len(dr.Existing) > 0 && len(dr.New) == 0:
			d.Satisfied = append(d.Satisfied, dr)
		case len(dr.Existing) > 0:
			d.Partial = append(d.Partial, dr)
		case len(dr.New) > 0 || len(l.Children(add.ID, rs.Requirement.ID)) == 0:
			d.Uncovered = append(d.Uncovered, dr)
		}
	}
	for _, ac := range after.Controls {
		if len(ac.Covers[add.ID]) == 0 {
			continue
		}
		if running[ac.Control.ID] {
			d.Reused = append(d.Reused, ac.Control)
		} else {
			d.NewControls = append(d.NewControls, ac.Control)
		}
	}
	return d, nil
}
