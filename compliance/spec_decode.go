package compliance

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// specDecoder fills a Spec from a YAML node tree, collecting every problem
// with its position instead of stopping at the first one (yaml.v3's strict
// decoding stops at the first unknown field and gives no column). It records
// where each field path was written so semantic checks can point at it too.
type specDecoder struct {
	file  string
	errs  SpecErrors
	where map[string]*yaml.Node
	// keys holds, for a map entry's path, the node of its key, so an
	// unknown ID is reported where the ID is written.
	keys  map[string]*yaml.Node
	enums map[reflect.Type][]string
	// bad holds the paths that failed to decode; validation stays quiet
	// about them, so "unknown data class" is not followed by "is required".
	bad        map[string]bool
	validating bool
	// cat, when set, is the control library the tailoring is checked
	// against (ParseSpecWith).
	cat ControlCatalog
}

var dateType = reflect.TypeOf(Date{})

func newSpecDecoder(file string) *specDecoder {
	return &specDecoder{
		file:  file,
		where: map[string]*yaml.Node{},
		keys:  map[string]*yaml.Node{},
		bad:   map[string]bool{},
		enums: map[reflect.Type][]string{
			reflect.TypeOf(FrameworkID("")):    stringsOf(FrameworkIDs),
			reflect.TypeOf(SOC2Report("")):     stringsOf(SOC2Reports),
			reflect.TypeOf(TSCCategory("")):    stringsOf(TSCCategories),
			reflect.TypeOf(PCIEntity("")):      stringsOf(PCIEntities),
			reflect.TypeOf(PCIAssessment("")):  stringsOf(PCIAssessments),
			reflect.TypeOf(SAQType("")):        stringsOf(SAQTypes),
			reflect.TypeOf(SystemKind("")):     stringsOf(SystemKinds),
			reflect.TypeOf(Environment("")):    stringsOf(Environments),
			reflect.TypeOf(DataClass("")):      stringsOf(DataClasses),
			reflect.TypeOf(ScopeStatus("")):    stringsOf(ScopeStatuses),
			reflect.TypeOf(CardholderFlow("")): stringsOf(CardholderFlows),
			reflect.TypeOf(Role("")):           stringsOf(Roles),
			reflect.TypeOf(Domain("")):         stringsOf(Domains),
			reflect.TypeOf(Weekday("")):        stringsOf(Weekdays),
			reflect.TypeOf(VendorKind("")):     stringsOf(VendorKinds),
			reflect.TypeOf(Treatment("")):      stringsOf(Treatments),
			reflect.TypeOf(ReportType("")):     stringsOf(ReportTypes),
			reflect.TypeOf(RiskTreatment("")):  stringsOf(RiskTreatments),
			reflect.TypeOf(Frequency("")):      stringsOf(Frequencies),
			reflect.TypeOf(RiskLevel("")):      stringsOf(RiskLevels),
		},
	}
}

func stringsOf[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func (d *specDecoder) errorf(n *yaml.Node, field, format string, args ...any) {
	if d.validating {
		for p := field; p != ""; p = parentPath(p) {
			if d.bad[p] {
				return
			}
		}
	} else {
		d.bad[field] = true
	}
	e := SpecError{File: d.file, Field: field, Msg: fmt.Sprintf(format, args...)}
	if n != nil {
		e.Line, e.Column = n.Line, n.Column
	}
	d.errs = append(d.errs, e)
}

// at returns the node written for a field path, or the nearest enclosing one
// so that a missing field is reported where its parent starts.
func (d *specDecoder) at(path string) *yaml.Node {
	for p := path; p != ""; p = parentPath(p) {
		if n, ok := d.where[p]; ok {
			return n
		}
	}
	return d.where[""]
}

func parentPath(p string) string {
	if i := strings.LastIndexAny(p, ".["); i > 0 {
		return p[:i]
	}
	return ""
}

func join(path, field string) string {
	if path == "" {
		return field
	}
	return path + "." + field
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "empty"
		}
		return fmt.Sprintf("%q", n.Value)
	case yaml.AliasNode:
		return "an alias"
	}
	return "a document"
}

func (d *specDecoder) decode(n *yaml.Node, v reflect.Value, path string) {
	d.where[path] = n
	if n.Kind == yaml.AliasNode {
		// Aliases are legal YAML but make a spec hard to review, and
		// expanding them invites billion-laughs inputs.
		d.errorf(n, path, "aliases are not supported in a spec; write the value out")
		return
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // an empty value is the zero value; validation says if it is required
	}
	t := v.Type()
	switch {
	case t == dateType:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "expected a date (YYYY-MM-DD), got %s", kindName(n))
			return
		}
		date, err := ParseDate(n.Value)
		if err != nil {
			d.errorf(n, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(date))
	case t.Kind() == reflect.Pointer:
		p := reflect.New(t.Elem())
		d.decode(n, p.Elem(), path)
		v.Set(p)
	case t.Kind() == reflect.Struct:
		d.decodeStruct(n, v, path)
	case t.Kind() == reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.errorf(n, path, "expected a list, got %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(t, len(n.Content), len(n.Content))
		for i, item := range n.Content {
			itemPath := fmt.Sprintf("%s[%d]", path, i)
			if t.Elem().Kind() == reflect.String {
				// Scalars in a list are named by the list's path, as a
				// consultant reads "systems[2].data", not "data[0]".
				itemPath = path
			}
			d.decode(item, s.Index(i), itemPath)
		}
		v.Set(s)
	case t.Kind() == reflect.String:
		if n.Kind != yaml.ScalarNode {
			d.errorf(n, path, "expected a single value, got %s", kindName(n))
			return
		}
		if allowed, ok := d.enums[t]; ok && !contains(allowed, n.Value) {
			d.errorf(n, path, "unknown %s %q%s", enumNoun(t), n.Value, suggest(n.Value, allowed))
			return
		}
		v.SetString(n.Value)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		// A map keyed by an ID (control_risk: {ACC-04: high}); each value
		// is named by its key's path, so errors point at it.
		if n.Kind != yaml.MappingNode {
			d.errorf(n, path, "expected a mapping, got %s", kindName(n))
			return
		}
		m := reflect.MakeMapWithSize(t, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			key := reflect.ValueOf(k.Value).Convert(t.Key())
			if m.MapIndex(key).IsValid() {
				d.errorf(k, join(path, k.Value), "is given twice")
				continue
			}
			e := reflect.New(t.Elem()).Elem()
			d.keys[join(path, k.Value)] = k
			d.decode(val, e, join(path, k.Value))
			m.SetMapIndex(key, e)
		}
		v.Set(m)
	case t.Kind() == reflect.Bool:
		b, err := strconv.ParseBool(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil {
			d.errorf(n, path, "expected true or false, got %s", kindName(n))
			return
		}
		v.SetBool(b)
	case t.Kind() == reflect.Int:
		i, err := strconv.Atoi(n.Value)
		if n.Kind != yaml.ScalarNode || err != nil {
			d.errorf(n, path, "expected a whole number, got %s", kindName(n))
			return
		}
		v.SetInt(int64(i))
	default:
		d.errorf(n, path, "internal: unsupported field type %s", t)
	}
}

func (d *specDecoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.MappingNode {
		d.errorf(n, path, "expected a mapping of fields, got %s", kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		name := strings.Split(t.Field(i).Tag.Get("yaml"), ",")[0]
		if name != "" && name != "-" {
			fields[name] = i
			names = append(names, name)
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		fieldPath := join(path, key.Value)
		idx, ok := fields[key.Value]
		switch {
		case !ok:
			d.errorf(key, fieldPath, "unknown field%s", suggest(key.Value, names))
			if meant := closest(key.Value, names); meant != "" {
				d.bad[join(path, meant)] = true // a misspelt key is not also a missing one
			}
			continue
		case seen[key.Value]:
			d.errorf(key, fieldPath, "field is given twice")
			continue
		}
		seen[key.Value] = true
		d.decode(val, v.Field(idx), fieldPath)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// enumNoun turns a type name into the words a consultant would use:
// DataClass → "data class".
func enumNoun(t reflect.Type) string {
	switch t {
	case reflect.TypeOf(FrameworkID("")):
		return "framework"
	case reflect.TypeOf(SAQType("")):
		return "SAQ type"
	case reflect.TypeOf(TSCCategory("")):
		return "trust-services category"
	case reflect.TypeOf(PCIEntity("")):
		return "PCI entity type"
	case reflect.TypeOf(PCIAssessment("")):
		return "PCI assessment"
	case reflect.TypeOf(SOC2Report("")):
		return "SOC 2 report type"
	case reflect.TypeOf(Domain("")):
		return "control area"
	case reflect.TypeOf(ScopeStatus("")):
		return "scope"
	case reflect.TypeOf(Treatment("")):
		return "SOC 2 treatment"
	case reflect.TypeOf(ReportType("")):
		return "report type"
	case reflect.TypeOf(RiskLevel("")):
		return "risk level"
	}
	var b strings.Builder
	for i, r := range t.Name() {
		if i > 0 && r >= 'A' && r <= 'Z' {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}
