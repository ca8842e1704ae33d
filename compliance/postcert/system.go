package postcert

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// ParseSystem parses one system document (the fields of an entry under a
// spec's systems) with the spec's decoder: on error it returns
// compliance.SpecErrors, each with file:line:column and the field, all at
// once. name is used in error positions. What needs the engagement's spec —
// a new name, known connections, PCI DSS fields — NewSystemRisks checks.
func ParseSystem(name string, data []byte) (compliance.System, error) {
	return compliance.DecodeSystem(name, data)
}

// NewSystemRisks works out what a system entering a running programme's
// scope means before the lead approves it. It runs the scope-risk rules on
// the spec with the system added and returns the risks that involve the new
// system or that its arrival raises (an area it makes required with no
// owner), and the IDs of the library controls that apply with the system
// but did not before, sorted. The spec is not changed.
//
// Connections are taken both ways: a system that lists a CDE system in
// connected_to is connected to the CDE even though the CDE system's own
// entry, written before it existed, does not name it.
func NewSystemRisks(spec *compliance.Spec, sys compliance.System) ([]compliance.ScopeRisk, []string, error) {
	if spec == nil {
		return nil, nil, errors.New("new system: no spec")
	}
	if err := checkNewSystem(spec, sys); err != nil {
		return nil, nil, fmt.Errorf("new system %q in %s: %w", sys.Name, spec.ID, err)
	}
	grown := withSystem(spec, sys)

	// The plan only feeds the rule about the audit date, which a system
	// does not change; a fitting plan keeps that rule quiet on both sides.
	plan := compliance.Plan{Fits: true}
	before := map[string]bool{}
	for _, r := range compliance.AssessScope(spec, plan) {
		before[riskKey(r)] = true
	}
	var risks []compliance.ScopeRisk
	for _, r := range compliance.AssessScope(grown, plan) {
		if slices.Contains(r.Systems, sys.Name) || !before[riskKey(r)] {
			risks = append(risks, r)
		}
	}

	lib := catalog.Default()
	was, err := lib.ForSpec(spec)
	if err != nil {
		return nil, nil, fmt.Errorf("new system %q in %s: controls before: %w", sys.Name, spec.ID, err)
	}
	now, err := lib.ForSpec(grown)
	if err != nil {
		return nil, nil, fmt.Errorf("new system %q in %s: controls with it: %w", sys.Name, spec.ID, err)
	}
	var added []string
	for _, ac := range now.Controls {
		if was.Control(ac.Control.ID) == nil {
			added = append(added, ac.Control.ID)
		}
	}
	slices.Sort(added)
	return risks, added, nil
}

// checkNewSystem holds the checks ParseSystem cannot make without the spec.
func checkNewSystem(spec *compliance.Spec, sys compliance.System) error {
	var errs []error
	if strings.TrimSpace(sys.Name) == "" {
		errs = append(errs, errors.New("the system has no name"))
	} else if spec.System(sys.Name) != nil {
		errs = append(errs, fmt.Errorf("a system named %q is already in the spec", sys.Name))
	}
	for _, c := range sys.ConnectedTo {
		if c == sys.Name {
			errs = append(errs, errors.New("a system cannot be connected to itself"))
		} else if spec.System(c) == nil {
			errs = append(errs, fmt.Errorf("connected_to names %q, which is not a system of the engagement", c))
		}
	}
	for _, c := range sys.CopiesOf {
		if spec.System(c) == nil {
			errs = append(errs, fmt.Errorf("copies_of names %q, which is not a system of the engagement", c))
		}
	}
	if !spec.HasFramework(compliance.PCIDSS) && (sys.CDE || len(sys.CardholderFlow) > 0) {
		errs = append(errs, errors.New("cde/cardholder_flow are PCI DSS fields but pci-dss is not among the frameworks"))
	}
	return errors.Join(errs...)
}

// withSystem is a copy of spec with sys appended and its connections
// mirrored on the peers it names; spec and its slices are left untouched.
func withSystem(spec *compliance.Spec, sys compliance.System) *compliance.Spec {
	grown := *spec
	grown.Systems = make([]compliance.System, 0, len(spec.Systems)+1)
	for _, s := range spec.Systems {
		if slices.Contains(sys.ConnectedTo, s.Name) && !slices.Contains(s.ConnectedTo, sys.Name) {
			s.ConnectedTo = append(slices.Clone(s.ConnectedTo), sys.Name)
		}
		grown.Systems = append(grown.Systems, s)
	}
	grown.Systems = append(grown.Systems, sys)
	return &grown
}

func riskKey(r compliance.ScopeRisk) string {
	return r.Rule + "\x00" + strings.Join(r.Systems, "\x00") + "\x00" + r.Message
}
