package report

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxExceptionsFile bounds the exceptions file: a report lists tens of
// exceptions, never megabytes of them.
const MaxExceptionsFile = 1 << 20

// Column names of the exceptions CSV (the header row). "control" and
// "criterion" are accepted for ref, as a report may key its exceptions
// either way.
var (
	refColumns         = []string{"ref", "control", "criterion"}
	descriptionColumn  = "description"
	managementResponse = "management_response"
)

// ParseExceptions reads the report's exceptions from CSV (name ending .csv:
// a header naming ref|control|criterion, description, management_response)
// or YAML (.yaml/.yml: a list of {ref, description, management_response},
// or {exceptions: [...]}) and reports every bad line at once.
func ParseExceptions(name string, data []byte) ([]ExceptionInput, error) {
	if len(data) > MaxExceptionsFile {
		return nil, fmt.Errorf("%s: larger than %d bytes; a report's exceptions fit in far less", name, MaxExceptionsFile)
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("%s: not UTF-8 text", name)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		return parseCSV(name, data)
	case ".yaml", ".yml":
		return parseYAML(name, data)
	}
	return nil, fmt.Errorf("%s: want a .csv or .yaml file", name)
}

func parseCSV(name string, data []byte) ([]ExceptionInput, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: empty; want a header row (ref,description,management_response)", name)
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("%s:1: column %q appears twice", name, h)
		}
		col[h] = i
	}
	ref := -1
	for _, c := range refColumns {
		if i, ok := col[c]; ok {
			ref = i
			break
		}
	}
	di, dok := col[descriptionColumn]
	mi, mok := col[managementResponse]
	if ref < 0 || !dok || !mok {
		return nil, fmt.Errorf("%s:1: the header needs ref (or control, criterion), description and management_response; it has %s",
			name, strings.Join(head, ","))
	}
	var out []ExceptionInput
	var errs []string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, fmt.Sprintf("%s:%d: %v", name, pe.Line, pe.Err))
				break // the reader cannot resynchronise after a broken quote
			}
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		cell := func(i int) string {
			if i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		x := ExceptionInput{Ref: cell(ref), Description: cell(di), ManagementResponse: cell(mi), Line: line}
		if x.Ref == "" && x.Description == "" && x.ManagementResponse == "" {
			continue // a blank row
		}
		if msg := x.check(); msg != "" {
			errs = append(errs, fmt.Sprintf("%s:%d: %s", name, line, msg))
			continue
		}
		out = append(out, x)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return out, nil
}

func parseYAML(name string, data []byte) ([]ExceptionInput, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	list := doc.Content[0]
	if list.Kind == yaml.MappingNode {
		var found *yaml.Node
		for i := 0; i+1 < len(list.Content); i += 2 {
			if list.Content[i].Value == "exceptions" {
				found = list.Content[i+1]
			} else {
				return nil, fmt.Errorf("%s:%d: unknown field %q; want exceptions", name, list.Content[i].Line, list.Content[i].Value)
			}
		}
		if found == nil {
			return nil, fmt.Errorf("%s:%d: want exceptions: [...]", name, list.Line)
		}
		list = found
	}
	if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
		return nil, nil
	}
	if list.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("%s:%d: want a list of exceptions", name, list.Line)
	}
	var out []ExceptionInput
	var errs []string
	for _, n := range list.Content {
		if n.Kind != yaml.MappingNode {
			errs = append(errs, fmt.Sprintf("%s:%d: want ref, description and management_response", name, n.Line))
			continue
		}
		x := ExceptionInput{Line: n.Line}
		bad := false
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if v.Kind != yaml.ScalarNode {
				errs = append(errs, fmt.Sprintf("%s:%d: %s: want text", name, v.Line, k.Value))
				bad = true
				continue
			}
			switch k.Value {
			case "ref", "control", "criterion":
				x.Ref = strings.TrimSpace(v.Value)
			case descriptionColumn:
				x.Description = strings.TrimSpace(v.Value)
			case managementResponse:
				x.ManagementResponse = strings.TrimSpace(v.Value)
			default:
				errs = append(errs, fmt.Sprintf("%s:%d: unknown field %q; want ref, description, management_response", name, k.Line, k.Value))
				bad = true
			}
		}
		if bad {
			continue
		}
		if msg := x.check(); msg != "" {
			errs = append(errs, fmt.Sprintf("%s:%d: %s", name, n.Line, msg))
			continue
		}
		out = append(out, x)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(errs, "\n"))
	}
	return out, nil
}

// MaxText bounds a description or a response: a paragraph, not a file.
const MaxText = 4000

// check says what is wrong with one exception ("" when nothing).
func (x ExceptionInput) check() string {
	var miss []string
	if x.Ref == "" {
		miss = append(miss, "ref")
	}
	if x.Description == "" {
		miss = append(miss, "description")
	}
	if x.ManagementResponse == "" {
		miss = append(miss, "management_response")
	}
	switch {
	case len(miss) > 0:
		return "missing " + strings.Join(miss, ", ")
	case len(x.Ref) > 40 || strings.ContainsAny(x.Ref, " \t/"):
		return fmt.Sprintf("ref %q is not a control or criterion ID", x.Ref)
	case len(x.Description) > MaxText:
		return fmt.Sprintf("description is longer than %d bytes", MaxText)
	case len(x.ManagementResponse) > MaxText:
		return fmt.Sprintf("management_response is longer than %d bytes", MaxText)
	}
	return ""
}
