package postcert

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// Framework change kinds.
const (
	// ChangeVersion: the library describes a different version of the
	// framework than the engagement uses. The library holds one version per
	// framework, so it cannot list requirement by requirement what moved
	// between the two; the change says so and asks for a review.
	ChangeVersion = "version"
	// ChangeNowMandatory: a PCI DSS v4 requirement the catalog marks
	// future-dated, best practice until 31 March 2025 and required after.
	ChangeNowMandatory = "now-mandatory"
	// ChangeNotInLibrary: the engagement uses a framework the library has
	// no catalog for, so nothing about it can be checked.
	ChangeNotInLibrary = "not-in-library"
)

// PCIFutureDatedEffective is the first day the PCI DSS v4 future-dated
// requirements are required: they were best practice until 31 March 2025.
var PCIFutureDatedEffective = compliance.Date{Year: 2025, Month: 4, Day: 1}

// FrameworkChange is one thing the annual refresh found changed between the
// framework versions an engagement uses and the control library.
type FrameworkChange struct {
	Framework compliance.FrameworkID `json:"framework"`
	Kind      string                 `json:"kind"`
	// From is the version in use, To the library's ("" when it has none).
	From string `json:"from"`
	To   string `json:"to"`
	// Requirement is the framework:ID reference of a requirement-level
	// change; empty for a change to the framework as a whole.
	Requirement string `json:"requirement,omitempty"`
	// Controls are the library controls mapped to the requirement: the
	// work to open if the engagement has not yet assessed them as required.
	Controls []string `json:"controls,omitempty"`
	// Effective is the first day a requirement-level change is in force;
	// zero when the catalog does not say.
	Effective compliance.Date `json:"effective"`
	Note      string          `json:"note"`
}

// RefreshDelta compares the framework versions an engagement uses
// (framework → version, as recorded from its spec) with the control
// library's, and lists what changed, only as far as the library's data
// supports:
//
//   - a different version is one ChangeVersion, "version X → Y: review the
//     catalog delta", because the library holds only its current version;
//   - a framework the library has no catalog for is one ChangeNotInLibrary;
//   - for PCI DSS v4 (any 4.x in use), each requirement the catalog tags
//     future-dated is a ChangeNowMandatory with Effective set to
//     PCIFutureDatedEffective and the controls that satisfy it. These are
//     listed every time, whether or not the version changed: the library
//     cannot know when the engagement last assessed them, so the caller
//     keeps those effective after its last assessment of PCI DSS (for
//     example, after its certification date) and intersects them with the
//     engagement's applicability (SAQ, conditions).
//
// Frameworks come in the usual order (then unknown ones by ID), each with
// its version change first and requirement changes in catalog order. Equal
// versions and no tagged changes give no entries. A nil lib means the
// embedded library, catalog.Default().
func RefreshDelta(inUse map[compliance.FrameworkID]string, lib *catalog.Library) []FrameworkChange {
	if lib == nil {
		lib = catalog.Default()
	}
	var out []FrameworkChange
	for _, fw := range frameworksInOrder(inUse) {
		from := strings.TrimSpace(inUse[fw])
		if lib.Framework(fw) == nil {
			out = append(out, FrameworkChange{
				Framework: fw, Kind: ChangeNotInLibrary, From: from,
				Note: fmt.Sprintf("the control library has no catalog for %s, so its changes cannot be checked here; review it by hand", fw),
			})
			continue
		}
		to := lib.Version(fw)
		switch {
		case from == "":
			out = append(out, FrameworkChange{
				Framework: fw, Kind: ChangeVersion, From: from, To: to,
				Note: fmt.Sprintf("the version of %s in use is not recorded; the library is at %s: confirm the version the engagement was assessed against and review the catalog delta", fw, to),
			})
		case from != to:
			out = append(out, FrameworkChange{
				Framework: fw, Kind: ChangeVersion, From: from, To: to,
				Note: fmt.Sprintf("version %s → %s: review the catalog delta", from, to),
			})
		}
		if fw == compliance.PCIDSS && strings.HasPrefix(from, "4.") {
			out = append(out, nowMandatory(lib, from, to)...)
		}
	}
	return out
}

func nowMandatory(lib *catalog.Library, from, to string) []FrameworkChange {
	var out []FrameworkChange
	for _, r := range lib.FutureDated() {
		var controls []string
		for _, c := range lib.ControlsFor(compliance.PCIDSS, r.ID) {
			controls = append(controls, c.ID)
		}
		out = append(out, FrameworkChange{
			Framework: compliance.PCIDSS, Kind: ChangeNowMandatory, From: from, To: to,
			Requirement: r.Ref(), Controls: controls, Effective: PCIFutureDatedEffective,
			Note: fmt.Sprintf("PCI DSS %s (%s) was best practice until 31 March 2025 and is required from %s: assess it as required if the last assessment did not",
				r.ID, r.Title, PCIFutureDatedEffective),
		})
	}
	return out
}

// frameworksInOrder lists the keys of inUse in display order, unknown
// frameworks last by ID, so the result does not depend on map order.
func frameworksInOrder(inUse map[compliance.FrameworkID]string) []compliance.FrameworkID {
	var known, other []compliance.FrameworkID
	for _, fw := range compliance.FrameworkIDs {
		if _, ok := inUse[fw]; ok {
			known = append(known, fw)
		}
	}
	for fw := range inUse {
		if !slices.Contains(compliance.FrameworkIDs, fw) {
			other = append(other, fw)
		}
	}
	slices.Sort(other)
	return append(known, other...)
}
