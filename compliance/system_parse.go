package compliance

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"
)

// DecodeSystem parses one system document: the fields of one entry under a
// spec's systems, written on their own (a system entering scope after
// certification). It uses the spec's decoder, so errors read the same way —
// SpecErrors with file:line:column and the field (kind, data) — and every
// problem is reported at once.
//
// Only what the document alone can show is checked here: required fields,
// closed vocabularies, "none" combined with other data, the rationale of an
// excluded system. Whether its name is new, what it connects to, and whether
// PCI DSS fields make sense need the engagement's spec; the caller checks
// those against it.
func DecodeSystem(name string, data []byte) (System, error) {
	if len(data) > MaxSpecBytes {
		return System{}, SpecErrors{{File: name, Msg: fmt.Sprintf("file is %d bytes; a system may be at most %d", len(data), MaxSpecBytes)}}
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return System{}, SpecErrors{syntaxError(name, err)}
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return System{}, SpecErrors{{File: name, Msg: "system is empty"}}
	}
	d := newSpecDecoder(name)
	var sys System
	d.decode(root.Content[0], reflect.ValueOf(&sys).Elem(), "")
	if !d.bad[""] {
		// A document that is not a mapping has no fields to check, and
		// "name is required" after "expected a mapping" is noise.
		d.validateSystem(sys)
	}
	if len(d.errs) > 0 {
		return System{}, d.errs.sorted()
	}
	return sys, nil
}

// validateSystem holds the per-system checks of validateSystems for a
// document that is one system: field paths are relative to the document.
// validateSystems itself is not reused because it checks a whole spec's
// list (duplicate names, connections) under systems[i] paths.
func (d *specDecoder) validateSystem(sys System) {
	d.validating = true
	if strings.TrimSpace(sys.Name) == "" {
		d.missing("name")
	}
	if sys.Kind == "" {
		d.errorf(d.at("kind"), "kind", "is required%s", suggest("", stringsOf(SystemKinds)))
	}
	if sys.Environment == "" {
		d.errorf(d.at("environment"), "environment", "is required%s", suggest("", stringsOf(Environments)))
	}
	if len(sys.Data) == 0 {
		d.errorf(d.at("data"), "data", "is required: list the data classes it holds, or none")
	} else if sys.Holds(DataNone) && len(sys.Data) > 1 {
		d.errorf(d.at("data"), "data", "\"none\" cannot be combined with other data classes")
	}
	switch sys.Scope {
	case "":
		d.errorf(d.at("scope"), "scope", "is required (in or excluded)")
	case ScopeExcluded:
		if strings.TrimSpace(sys.Rationale) == "" {
			d.errorf(d.at("rationale"), "rationale", "an excluded system needs a rationale the auditor can read")
		}
	}
	for _, c := range sys.ConnectedTo {
		if c == sys.Name && c != "" {
			d.errorf(d.at("connected_to"), "connected_to", "a system cannot be connected to itself")
		}
	}
	for _, c := range sys.CopiesOf {
		if c == sys.Name && c != "" {
			d.errorf(d.at("copies_of"), "copies_of", "a system cannot hold copies of itself")
		}
	}
}
