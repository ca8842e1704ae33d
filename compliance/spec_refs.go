package compliance

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// RefProblem is a reference in a spec that its form allows but its target
// does not: a control ID the library has no control for, an Annex A ID that
// is not an Annex A control. Field is the spec path (vendors[0].monitored_by),
// which ParseSpecChecked turns into a file:line:col position.
type RefProblem struct {
	Field string
	Msg   string
}

// RefChecker looks a parsed spec's references up in whatever knows them (the
// control library, in package catalog, which imports this one).
type RefChecker func(*Spec) []RefProblem

// LoadSpecChecked is LoadSpec, then check: a dangling reference is an error
// at the line and column where it was written, like any other spec error.
func LoadSpecChecked(path string, check RefChecker) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	// Opened only for reading: closing it cannot lose data.
	defer func() { _ = f.Close() }()
	data, err := io.ReadAll(io.LimitReader(f, MaxSpecBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read spec %s: %w", path, err)
	}
	return ParseSpecChecked(filepath.Base(path), data, check)
}

// ParseSpecChecked is ParseSpec, then check. Reference problems are only
// looked for once the spec parses, and they come back as SpecErrors
// positioned at the field that holds them.
func ParseSpecChecked(name string, data []byte, check RefChecker) (*Spec, error) {
	return parseSpec(name, data, check)
}
