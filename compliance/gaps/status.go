// Package gaps ranks a gap assessment by what will fail an audit first. The
// ranking weighs how exposed a control is to the auditor's sampling, how many
// framework requirements and customer-relied criteria depend on it, how bad
// its status is and whether its evidence is manual — never the technical
// effort of fixing it. Every entry carries its reasons in words, and ties
// break deterministically, so the register (and the Jira priorities built
// from it) is stable from run to run.
package gaps

import (
	"fmt"
	"slices"
	"strings"
)

// Status is what the gap assessment found for a control.
type Status string

const (
	Implemented   Status = "implemented"
	Partial       Status = "partial"
	Missing       Status = "missing"
	Unknown       Status = "unknown"
	NotApplicable Status = "not-applicable"
)

// Statuses lists every status.
var Statuses = []Status{Implemented, Partial, Missing, Unknown, NotApplicable}

// ParseStatus reads a status, case-insensitively.
func ParseStatus(s string) (Status, error) {
	st := Status(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Statuses, st) {
		return "", fmt.Errorf("status %q is not one of %v", s, Statuses)
	}
	return st, nil
}

// severity is how surely the status fails a test of the control: missing
// controls fail outright; unknown ones nearly always turn out missing or
// undocumented; partial ones fail some samples.
func (s Status) severity() float64 {
	switch s {
	case Missing:
		return 1.0
	case Unknown:
		return 0.9
	case Partial:
		return 0.6
	}
	return 0
}

// Auditability is whether the control's evidence will survive sampling.
type Auditability struct {
	// EvidenceExists: the control leaves a record at all.
	EvidenceExists bool `json:"evidence_exists"`
	// Sampleable: the record covers every occurrence across the period, so
	// any sample the auditor draws can be answered.
	Sampleable bool `json:"sampleable"`
}

// penalty is added to the severity of an implemented or partial control
// whose evidence will not stand up: with no record the auditor cannot tell
// it operated at all; with gaps some samples fail.
func (a Auditability) penalty() float64 {
	switch {
	case !a.EvidenceExists:
		return 0.4
	case !a.Sampleable:
		return 0.25
	}
	return 0
}

// Assessment is one control's result from the gap assessment.
type Assessment struct {
	ControlID    string       `json:"control_id"`
	Status       Status       `json:"status"`
	Auditability Auditability `json:"auditability"`
}
