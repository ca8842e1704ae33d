package catalog

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Label limits: titles are short labels of our own, not sentences lifted
// from a standard.
const (
	MaxTitleChars = 60
	MaxTitleWords = 8
)

// Library is the three framework catalogs and the control library, indexed.
// It is immutable after New and safe for concurrent use.
type Library struct {
	Frameworks []*FrameworkCatalog
	// Controls is sorted by ID.
	Controls []*Control

	reqs      map[compliance.FrameworkID]map[string]*Requirement
	controls  map[string]*Control
	mappedBy  map[compliance.FrameworkID]map[string][]*Control
	children  map[compliance.FrameworkID]map[string][]*Requirement
	byUpperID map[string][]any
}

// New indexes and validates catalogs and controls. Every problem found is
// reported, not just the first.
func New(frameworks []*FrameworkCatalog, controls []*Control) (*Library, error) {
	l := &Library{
		Frameworks: frameworks,
		Controls:   slices.Clone(controls),
		reqs:       map[compliance.FrameworkID]map[string]*Requirement{},
		controls:   map[string]*Control{},
		mappedBy:   map[compliance.FrameworkID]map[string][]*Control{},
		children:   map[compliance.FrameworkID]map[string][]*Requirement{},
		byUpperID:  map[string][]any{},
	}
	var errs errorList
	for _, fc := range frameworks {
		if !slices.Contains(compliance.FrameworkIDs, fc.ID) {
			errs.add("framework %q is not one of %v", fc.ID, compliance.FrameworkIDs)
			continue
		}
		if _, dup := l.reqs[fc.ID]; dup {
			errs.add("framework %s: catalog given twice", fc.ID)
			continue
		}
		ids := map[string]*Requirement{}
		for _, r := range fc.Requirements {
			if _, dup := ids[r.ID]; dup {
				errs.add("%s %s: duplicate requirement ID", fc.ID, r.ID)
			}
			ids[r.ID] = r
		}
		fc.deriveShape(ids)
		l.reqs[fc.ID] = ids
		l.mappedBy[fc.ID] = map[string][]*Control{}
		l.children[fc.ID] = map[string][]*Requirement{}
		for _, r := range fc.Requirements {
			validateRequirement(fc, r, &errs)
			if r.Parent != "" {
				l.children[fc.ID][r.Parent] = append(l.children[fc.ID][r.Parent], r)
			}
			key := strings.ToUpper(r.ID)
			l.byUpperID[key] = append(l.byUpperID[key], r)
		}
	}
	l.indexControls(&errs)
	if err := errs.err(); err != nil {
		return nil, fmt.Errorf("control library is invalid: %w", err)
	}
	return l, nil
}

// indexControls sorts l.Controls, validates each and indexes them by ID and
// by the requirements they map to. New and Tailor share it.
func (l *Library) indexControls(errs *errorList) {
	slices.SortFunc(l.Controls, func(a, b *Control) int { return strings.Compare(a.ID, b.ID) })
	for _, c := range l.Controls {
		if _, dup := l.controls[c.ID]; dup {
			errs.add("control %s: duplicate ID", c.ID)
			continue
		}
		l.controls[c.ID] = c
		l.byUpperID[strings.ToUpper(c.ID)] = append(l.byUpperID[strings.ToUpper(c.ID)], c)
		validateControl(c, errs)
		// Each framework's index gets this control once, whatever order the
		// frameworks come in, so the result does not depend on map order.
		//workflowcheck:ignore
		for fw, ids := range c.Maps {
			reqs, ok := l.reqs[fw]
			if !ok {
				errs.add("control %s: maps to unknown framework %q", c.ID, fw)
				continue
			}
			seen := map[string]bool{}
			for _, id := range ids {
				if seen[id] {
					errs.add("control %s: maps %s %s twice", c.ID, fw, id)
				}
				seen[id] = true
				if _, ok := reqs[id]; !ok {
					errs.add("control %s: maps to %s %q, which is not in the catalog", c.ID, fw, id)
					continue
				}
				l.mappedBy[fw][id] = append(l.mappedBy[fw][id], c)
			}
		}
	}
}

func validateRequirement(fc *FrameworkCatalog, r *Requirement, errs *errorList) {
	where := fmt.Sprintf("%s %s", fc.ID, r.ID)
	if r.ID == "" {
		errs.add("%s: empty requirement ID", fc.ID)
	}
	checkLabel(where, r.Title, errs)
	if fc.ID == compliance.SOC2 && !slices.Contains(compliance.TSCCategories, r.Category) {
		errs.add("%s: category %q is not one of %v", where, r.Category, compliance.TSCCategories)
	}
	if fc.ID != compliance.SOC2 && r.Category != "" {
		errs.add("%s: only SOC 2 criteria have a category", where)
	}
	if (r.FutureDated || len(r.SAQ) > 0) && fc.ID != compliance.PCIDSS {
		errs.add("%s: future_dated and saq apply to PCI DSS only", where)
	}
	for _, s := range r.SAQ {
		if !slices.Contains(fc.SAQTagged, s) {
			errs.add("%s: SAQ %q is not in the catalog's saq_tagged %v", where, s, fc.SAQTagged)
		}
	}
	if r.When != "" && !slices.Contains(Conditions, r.When) {
		errs.add("%s: condition %q is not one of %v", where, r.When, Conditions)
	}
}

func validateControl(c *Control, errs *errorList) {
	where := "control " + c.ID
	if c.ID == "" {
		errs.add("control with title %q has no ID", c.Title)
	}
	checkLabel(where, c.Title, errs)
	if strings.TrimSpace(c.Description) == "" || strings.TrimSpace(c.Evidence) == "" || strings.TrimSpace(c.Owner) == "" {
		errs.add("%s: description, evidence and owner are all required", where)
	}
	if !slices.Contains(compliance.Domains, c.Domain) {
		errs.add("%s: domain %q is not one of %v", where, c.Domain, compliance.Domains)
	}
	if !slices.Contains(ControlTypes, c.Type) {
		errs.add("%s: type %q is not one of %v", where, c.Type, ControlTypes)
	}
	if !c.Frequency.Valid() {
		errs.add("%s: frequency %q is not one of %v", where, c.Frequency, compliance.Frequencies)
	}
	if c.When != "" && !slices.Contains(Conditions, c.When) {
		errs.add("%s: condition %q is not one of %v", where, c.When, Conditions)
	}
	if c.MappedCount() == 0 {
		errs.add("%s: maps to no requirement", where)
	}
}

func checkLabel(where, title string, errs *errorList) {
	switch {
	case strings.TrimSpace(title) == "":
		errs.add("%s: empty title", where)
	case utf8.RuneCountInString(title) > MaxTitleChars:
		errs.add("%s: title %q is longer than %d characters", where, title, MaxTitleChars)
	case len(strings.Fields(title)) > MaxTitleWords:
		errs.add("%s: title %q has more than %d words", where, title, MaxTitleWords)
	}
}

// Framework returns the catalog for id, or nil.
func (l *Library) Framework(id compliance.FrameworkID) *FrameworkCatalog {
	for _, fc := range l.Frameworks {
		if fc.ID == id {
			return fc
		}
	}
	return nil
}

// Requirement returns a framework's requirement by exact ID, or nil.
func (l *Library) Requirement(fw compliance.FrameworkID, id string) *Requirement {
	return l.reqs[fw][id]
}

// Control returns the control with the exact ID, or nil.
func (l *Library) Control(id string) *Control { return l.controls[id] }

// ControlsFor lists the controls mapped directly to a requirement, by ID.
func (l *Library) ControlsFor(fw compliance.FrameworkID, id string) []*Control {
	return l.mappedBy[fw][id]
}

// Children lists a requirement's direct children in catalog order.
func (l *Library) Children(fw compliance.FrameworkID, id string) []*Requirement {
	return l.children[fw][id]
}

// Covered reports whether a requirement is satisfied by the library: a
// control maps to it, or it has children and every child is covered.
func (l *Library) Covered(r *Requirement) bool {
	if len(l.mappedBy[r.Framework][r.ID]) > 0 {
		return true
	}
	kids := l.children[r.Framework][r.ID]
	if len(kids) == 0 {
		return false
	}
	for _, k := range kids {
		if !l.Covered(k) {
			return false
		}
	}
	return true
}

// Uncovered lists every assessable requirement no control satisfies, as
// framework:ID references. The shipped library has none; a test enforces it.
func (l *Library) Uncovered() []string {
	var out []string
	for _, fc := range l.Frameworks {
		for _, r := range fc.Requirements {
			if r.Assessable() && !l.Covered(r) {
				out = append(out, r.Ref())
			}
		}
	}
	return out
}

// Match is one result of Find: a requirement or a control.
type Match struct {
	Requirement *Requirement
	Control     *Control
}

// Find looks an ID up case-insensitively among controls and every
// framework's requirements. Some IDs exist in two frameworks (A1.1 is a SOC 2
// criterion and a PCI DSS requirement; 8.1 an ISO clause and a PCI
// requirement), so Find returns every match; "framework:ID" narrows it.
func (l *Library) Find(query string) []Match {
	q := strings.TrimSpace(query)
	var fw compliance.FrameworkID
	if i := strings.Index(q, ":"); i >= 0 {
		fw, q = compliance.FrameworkID(strings.ToLower(strings.TrimSpace(q[:i]))), strings.TrimSpace(q[i+1:])
	}
	var out []Match
	for _, x := range l.byUpperID[strings.ToUpper(q)] {
		switch v := x.(type) {
		case *Requirement:
			if fw == "" || v.Framework == fw {
				out = append(out, Match{Requirement: v})
			}
		case *Control:
			if fw == "" {
				out = append(out, Match{Control: v})
			}
		}
	}
	return out
}
