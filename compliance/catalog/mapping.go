package catalog

import (
	"fmt"
	"reflect"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/steadfast-grc/steadfast/compliance"
)

// A control's `maps:` block names, per framework, the requirements the control
// satisfies. Two forms are accepted so older files and tailored controls keep
// loading:
//
//	maps:                                  maps:
//	  soc2: [CC6.1, CC6.3]                   soc2:
//	                                           CC6.1: role model is the access safeguard
//	                                           CC6.3: roles grant least privilege
//
// The second form records a rationale per mapping. Both keep the order written,
// which is the order `catalog show` prints.

// controlFields is the set of YAML keys a control may carry, read from the
// struct tags, so decoding stays as strict as the file decoder's KnownFields.
var controlFields = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeFor[Control]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}()

// UnmarshalYAML decodes a control, reading its maps in either form. It
// rejects unknown keys itself because a custom unmarshaler does not inherit
// the decoder's KnownFields setting.
func (c *Control) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.MappingNode {
		return fmt.Errorf("line %d: a control must be a mapping", node.Line)
	}
	rest := *node
	rest.Content = nil
	var mapsNode *yaml.Node
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		if !controlFields[k.Value] {
			return fmt.Errorf("line %d: field %s not found in a control", k.Line, k.Value)
		}
		if k.Value == "maps" {
			mapsNode = v
			continue
		}
		rest.Content = append(rest.Content, k, v)
	}
	type plain Control // no methods, so Decode does not recurse here
	var p plain
	if err := rest.Decode(&p); err != nil {
		return err
	}
	*c = Control(p)
	if mapsNode != nil {
		maps, why, err := decodeMaps(mapsNode)
		if err != nil {
			return fmt.Errorf("control %s: %w", c.ID, err)
		}
		c.Maps, c.Why = maps, why
	}
	return nil
}

// decodeMaps reads a maps block: framework -> list of IDs, or framework ->
// map of ID to rationale.
func decodeMaps(node *yaml.Node) (map[compliance.FrameworkID][]string, map[compliance.FrameworkID]map[string]string, error) {
	if node.Kind != yaml.MappingNode {
		return nil, nil, fmt.Errorf("line %d: maps must be a mapping of framework to requirements", node.Line)
	}
	maps := map[compliance.FrameworkID][]string{}
	why := map[compliance.FrameworkID]map[string]string{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		fw, v := compliance.FrameworkID(node.Content[i].Value), node.Content[i+1]
		if _, dup := maps[fw]; dup {
			return nil, nil, fmt.Errorf("line %d: framework %s given twice", node.Content[i].Line, fw)
		}
		ids := []string{}
		switch v.Kind {
		case yaml.SequenceNode:
			for _, e := range v.Content {
				if e.Kind != yaml.ScalarNode {
					return nil, nil, fmt.Errorf("line %d: %s: a requirement ID must be a scalar", e.Line, fw)
				}
				ids = append(ids, e.Value)
			}
		case yaml.MappingNode:
			why[fw] = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				k, r := v.Content[j], v.Content[j+1]
				if k.Kind != yaml.ScalarNode || r.Kind != yaml.ScalarNode {
					return nil, nil, fmt.Errorf("line %d: %s: want `ID: rationale`", k.Line, fw)
				}
				if _, dup := why[fw][k.Value]; dup {
					return nil, nil, fmt.Errorf("line %d: maps %s %s twice", k.Line, fw, k.Value)
				}
				ids = append(ids, k.Value)
				why[fw][k.Value] = strings.TrimSpace(r.Value)
			}
		case yaml.ScalarNode:
			if v.Tag != "!!null" {
				return nil, nil, fmt.Errorf("line %d: %s: want a list of IDs or a map of ID to rationale", v.Line, fw)
			}
		default:
			return nil, nil, fmt.Errorf("line %d: %s: want a list of IDs or a map of ID to rationale", v.Line, fw)
		}
		maps[fw] = ids
	}
	if len(why) == 0 {
		why = nil
	}
	return maps, why, nil
}
