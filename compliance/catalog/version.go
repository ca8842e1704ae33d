package catalog

import "github.com/steadfast-grc/steadfast/compliance"

// specVersions maps a catalog's display version to the identifier a spec
// writes for it, where the two differ: SOC 2's catalog names its version in
// words ("2017 TSC (2022 points of focus)"), the spec as a slug
// (compliance.SOC2Version). ISO 27001 and PCI DSS write the same string in
// both places. A test keeps this table and the spec's defaults in step.
var specVersions = map[compliance.FrameworkID]map[string]string{
	compliance.SOC2: {"2017 TSC (2022 points of focus)": compliance.SOC2Version},
}

// Version returns the version of framework fw that the library's catalog
// describes, written as a spec and the engagement records write it ("4.0.1",
// "2022", "2017-tsc-2022-pof"), so it can be compared with the version an
// engagement uses. It is "" when the library has no catalog for fw.
func (l *Library) Version(fw compliance.FrameworkID) string {
	fc := l.Framework(fw)
	if fc == nil {
		return ""
	}
	if v, ok := specVersions[fw][fc.Version]; ok {
		return v
	}
	return fc.Version
}

// FutureDated lists the PCI DSS requirements the catalog marks future-dated:
// new in v4.0, best practice until 31 March 2025 and mandatory since. Other
// frameworks have none. The slice is in catalog order.
func (l *Library) FutureDated() []*Requirement {
	fc := l.Framework(compliance.PCIDSS)
	if fc == nil {
		return nil
	}
	var out []*Requirement
	for _, r := range fc.Requirements {
		if r.FutureDated {
			out = append(out, r)
		}
	}
	return out
}
