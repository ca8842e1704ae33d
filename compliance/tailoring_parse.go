package compliance

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// ControlCatalog is what the spec parser needs of the control library to
// check a tailoring: which control and requirement IDs exist. The catalog
// package implements it (this package cannot import it), and
// catalog.ParseSpec / catalog.LoadSpec pass it in.
type ControlCatalog interface {
	// ControlIDs lists the library's control IDs.
	ControlIDs() []string
	// RequirementIDs lists a framework's requirement IDs.
	RequirementIDs(fw FrameworkID) []string
	// ControlTypes lists the control types a custom control may have.
	ControlTypes() []string
	// SpecRefs finds the references in a parsed spec that its form allows
	// but the library has no target for (a vendor's monitoring control, an
	// Annex A ID in a risk), each named by its spec field.
	SpecRefs(*Spec) []RefProblem
}

// ParseSpecWith parses a spec like ParseSpec and also checks its tailoring
// against the control library: an unknown control or requirement ID is
// reported at its line and column with the closest existing ID.
func ParseSpecWith(name string, data []byte, cat ControlCatalog) (*Spec, error) {
	return parseSpec(name, data, cat)
}

// keyAt is the node of a map entry's key (tailoring.controls.ACC-04), or
// the nearest node of its path.
func (d *specDecoder) keyAt(path string) *yaml.Node {
	if n, ok := d.keys[path]; ok {
		return n
	}
	return d.at(path)
}

func (d *specDecoder) validateTailoring(s *Spec) {
	t := &s.Tailoring
	var libIDs []string
	if d.cat != nil {
		libIDs = d.cat.ControlIDs()
	}
	known := func(id string) bool { return d.cat == nil || slices.Contains(libIDs, id) }
	custom := map[string]int{}
	for i, c := range t.Custom {
		if c.ID != "" {
			custom[c.ID] = i
		}
	}

	ids := make([]string, 0, len(t.Controls))
	for id := range t.Controls {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		ct := t.Controls[id]
		p := "tailoring.controls." + id
		switch {
		case !controlIDPattern.MatchString(id):
			d.errorf(d.keyAt(p), p, "%q is not a control ID (like ACC-04)%s", id, didYouMean(id, libIDs))
			continue
		case hasKey(custom, id):
			d.errorf(d.keyAt(p), p, "%s is a custom control of this spec (tailoring.custom[%d]); set its fields there", id, custom[id])
			continue
		case !known(id):
			d.errorf(d.keyAt(p), p, "unknown control %s%s", id, didYouMean(id, libIDs))
			continue
		}
		d.checkTailoringOwner(s, p+".owner", ct.Owner)
		why := strings.TrimSpace(ct.Justification)
		switch {
		case ct.NotApplicable && ct.InheritedFrom != "":
			d.errorf(d.at(p), p, "a control is either not applicable or inherited from a vendor, not both")
		case ct.NotApplicable && why == "":
			d.errorf(d.at(p+".justification"), p+".justification", "a control marked not applicable needs a justification the auditor can read")
		case ct.NotApplicable && (ct.Owner != "" || ct.Frequency != "" || ct.Evidence != "" || ct.Risk != ""):
			d.errorf(d.at(p), p, "owner/frequency/evidence/risk override a control that is marked not applicable; remove them or the mark")
		case ct.InheritedFrom != "":
			if s.Vendor(ct.InheritedFrom) == nil {
				d.errorf(d.at(p+".inherited_from"), p+".inherited_from", "no vendor named %q in vendors%s", ct.InheritedFrom, didYouMean(ct.InheritedFrom, vendorNames(s)))
			}
			if why == "" {
				d.errorf(d.at(p+".justification"), p+".justification", "an inherited control needs a justification: what the vendor performs and how its assurance covers it")
			}
		case !ct.NotApplicable && ct.Owner == "" && ct.Frequency == "" && ct.Evidence == "" && ct.Risk == "":
			d.errorf(d.at(p), p, "tailors nothing: give an owner, frequency, evidence, risk, not_applicable or inherited_from")
		}
		if ct.Evidence != "" && strings.TrimSpace(ct.Evidence) == "" {
			d.errorf(d.at(p+".evidence"), p+".evidence", "is blank")
		}
		if r, ok := s.ControlRisk[id]; ok && ct.Risk != "" && !sameRisk(r, ct.Risk) {
			d.errorf(d.at(p+".risk"), p+".risk", "%s contradicts control_risk.%s (%s); give the risk once", ct.Risk, id, r)
		}
	}

	seen := map[string]int{}
	for i, c := range t.Custom {
		p := fmt.Sprintf("tailoring.custom[%d]", i)
		switch {
		case c.ID == "":
			d.missing(p + ".id")
		case !controlIDPattern.MatchString(c.ID):
			d.errorf(d.at(p+".id"), p+".id", "%q is not a control ID (2-5 capital letters, a dash and a number, like ACME-01)", c.ID)
		case d.cat != nil && slices.Contains(libIDs, c.ID):
			d.errorf(d.at(p+".id"), p+".id", "%s is already a library control; tailor it under tailoring.controls.%s instead", c.ID, c.ID)
		default:
			if j, dup := seen[c.ID]; dup {
				d.errorf(d.at(p+".id"), p+".id", "%s is already defined at tailoring.custom[%d]", c.ID, j)
			}
			seen[c.ID] = i
		}
		for _, f := range []struct{ name, v string }{{"title", c.Title}, {"description", c.Description}, {"evidence", c.Evidence}} {
			if strings.TrimSpace(f.v) == "" {
				d.missing(p + "." + f.name)
			}
		}
		if c.Domain == "" {
			d.errorf(d.at(p+".domain"), p+".domain", "is required%s", suggest("", stringsOf(Domains)))
		}
		if c.Frequency == "" {
			d.errorf(d.at(p+".frequency"), p+".frequency", "is required%s", suggest("", stringsOf(Frequencies)))
		}
		switch {
		case c.Type == "":
			d.missing(p + ".type")
		case d.cat != nil && !slices.Contains(d.cat.ControlTypes(), c.Type):
			d.errorf(d.at(p+".type"), p+".type", "unknown control type %q%s", c.Type, suggest(c.Type, d.cat.ControlTypes()))
		}
		d.checkTailoringOwner(s, p+".owner", c.Owner)
		d.checkCustomMaps(s, c, p)
	}
}

// checkCustomMaps: a custom control maps to at least one requirement of a
// framework the spec selects, every requirement exists, and every mapping
// has its rationale, as the library's crosswalk does.
func (d *specDecoder) checkCustomMaps(s *Spec, c CustomControl, p string) {
	mp := p + ".maps"
	selected := 0
	fws := make([]string, 0, len(c.Maps))
	for fw := range c.Maps {
		fws = append(fws, string(fw))
	}
	sort.Strings(fws)
	for _, f := range fws {
		fw := FrameworkID(f)
		fp := mp + "." + f
		if !slices.Contains(FrameworkIDs, fw) {
			d.errorf(d.keyAt(fp), fp, "unknown framework %q%s", f, suggest(f, stringsOf(FrameworkIDs)))
			continue
		}
		if s.HasFramework(fw) {
			selected += len(c.Maps[fw])
		}
		var reqIDs []string
		if d.cat != nil {
			reqIDs = d.cat.RequirementIDs(fw)
		}
		rids := make([]string, 0, len(c.Maps[fw]))
		for id := range c.Maps[fw] {
			rids = append(rids, id)
		}
		sort.Strings(rids)
		for _, id := range rids {
			rp := fp + "." + id
			if d.cat != nil && !slices.Contains(reqIDs, id) {
				d.errorf(d.keyAt(rp), rp, "unknown %s requirement %s%s", fw, id, didYouMean(id, reqIDs))
				continue
			}
			if strings.TrimSpace(c.Maps[fw][id]) == "" {
				d.errorf(d.at(rp), rp, "needs a one-line rationale: why this control satisfies %s %s", fw, id)
			}
		}
	}
	if selected == 0 {
		d.errorf(d.at(mp), mp, "maps to no requirement of the spec's frameworks; a custom control must satisfy at least one")
	}
}

func (d *specDecoder) checkTailoringOwner(s *Spec, p, email string) {
	if email == "" {
		return
	}
	if s.Person(email) == nil {
		emails := make([]string, 0, len(s.People))
		for _, per := range s.People {
			emails = append(emails, per.Email)
		}
		d.errorf(d.at(p), p, "%s is not one of the spec's people%s", email, didYouMean(email, emails))
	}
}

// didYouMean suggests the closest candidate, or nothing: a list of 200
// control IDs is no help in an error message.
func didYouMean(got string, candidates []string) string {
	if best := closest(got, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return ""
}

func vendorNames(s *Spec) []string {
	out := make([]string, 0, len(s.Vendors))
	for _, v := range s.Vendors {
		out = append(out, v.Name)
	}
	return out
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// sameRisk compares a control_risk entry with a tailored risk level (one
// vocabulary: low, moderate, high).
func sameRisk(controlRisk string, r RiskLevel) bool { return controlRisk == string(r) }

// CheckTailoring applies the parser's tailoring rules to a spec built in
// code — a tailoring change sent to a running engagement — so the change is
// refused in the same words a spec file would be (without line and column,
// which only a file has). cat may be nil.
func (s *Spec) CheckTailoring(cat ControlCatalog) error {
	d := newSpecDecoder("tailoring")
	d.cat = cat
	d.validating = true
	d.validateTailoring(s)
	if len(d.errs) > 0 {
		return d.errs
	}
	return nil
}
