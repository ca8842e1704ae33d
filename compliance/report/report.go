// Package report is what the issued report or certificate says, as the
// client's customers read it: the auditor's opinion, each exception the
// report lists with management's response, whether the lead had accepted
// it beforehand or it is a surprise, and who owns what it touches. It is
// pure (no I/O, no clock): the activities feed it the accepted gaps and
// readiness findings from the store, and the workflows enforce its
// authority rules in their validators.
package report

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// Opinion is the auditor's opinion on the report.
type Opinion string

// The four opinions an auditor gives.
const (
	Unqualified Opinion = "unqualified"
	Qualified   Opinion = "qualified"
	Adverse     Opinion = "adverse"
	Disclaimer  Opinion = "disclaimer"
)

// Opinions lists every opinion, mildest first.
var Opinions = []Opinion{Unqualified, Qualified, Adverse, Disclaimer}

// ParseOpinion reads an opinion, case-insensitively.
func ParseOpinion(s string) (Opinion, error) {
	o := Opinion(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Opinions, o) {
		return "", fmt.Errorf("opinion %q: want unqualified, qualified, adverse or disclaimer", s)
	}
	return o, nil
}

// Origin says whether an exception was known before the report.
type Origin string

const (
	// Accepted: the lead had accepted a gap or a readiness finding on a
	// control the exception touches; the report says what the lead chose.
	Accepted Origin = "accepted"
	// Surprise: nothing the lead accepted touches it; the readiness review
	// missed it or the lead never decided it.
	Surprise Origin = "surprise"
)

// ExceptionInput is one exception as the report lists it, typed in from the
// report (see ParseExceptions).
type ExceptionInput struct {
	// Ref is a control ID (ACC-04) or a requirement/criterion ID (CC6.1,
	// A.8.32, 8.3.6) of one of the engagement's frameworks.
	Ref                string `json:"ref" yaml:"ref"`
	Description        string `json:"description" yaml:"description"`
	ManagementResponse string `json:"management_response" yaml:"management_response"`
	// Line is where it was read (0 when not from a file).
	Line int `json:"line,omitempty" yaml:"-"`
}

// AcceptedItem is something the lead accepted before the report: a gap in
// the register or a readiness finding, on one control.
type AcceptedItem struct {
	ControlID string `json:"control_id"`
	// Source is "gap" or "finding"; ID is the finding's ID for a finding.
	Source string `json:"source"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason,omitempty"`
	By     string `json:"by,omitempty"`
}

// Exception is one exception of the issued report, classified.
type Exception struct {
	// N numbers the exceptions from 1 in the report's order.
	N                  int    `json:"n"`
	Ref                string `json:"ref"`
	Description        string `json:"description"`
	ManagementResponse string `json:"management_response"`
	// Controls are the applicable controls the reference touches.
	Controls []string `json:"controls"`
	// Owners are their owners' emails (lowercase, sorted, once each).
	Owners []string `json:"owners"`
	Origin Origin   `json:"origin"`
	// Because names what the lead accepted, for an accepted exception.
	Because []AcceptedItem `json:"because,omitempty"`
}

// Report is the issued report as recorded.
type Report struct {
	Framework  compliance.FrameworkID `json:"framework"`
	Date       compliance.Date        `json:"date"`
	Period     compliance.Span        `json:"period"`
	Opinion    Opinion                `json:"opinion"`
	Exceptions []Exception            `json:"exceptions"`
	// File is the report's file in the evidence store, when given.
	File *compliance.Artifact `json:"file,omitempty"`
}

// Surprises are the report's surprise exceptions.
func (r Report) Surprises() []Exception {
	var out []Exception
	for _, e := range r.Exceptions {
		if e.Origin == Surprise {
			out = append(out, e)
		}
	}
	return out
}

// CheckOpinion refuses an opinion the exceptions contradict: an unqualified
// report may list exceptions (deviations that did not change the opinion),
// but a qualified or adverse one names at least one.
func CheckOpinion(o Opinion, exceptions int) error {
	if !slices.Contains(Opinions, o) {
		return fmt.Errorf("opinion %q: want unqualified, qualified, adverse or disclaimer", o)
	}
	if (o == Qualified || o == Adverse) && exceptions == 0 {
		return fmt.Errorf("a %s opinion rests on exceptions: list the report's exceptions (--exceptions FILE)", o)
	}
	return nil
}

// Classify resolves each exception's reference to the engagement's
// applicable controls and their owners and decides whether it was accepted
// beforehand: it is when the lead accepted a gap or a readiness finding on
// any control it touches. A reference that names no applicable control is
// an error naming its line.
func Classify(spec *compliance.Spec, app *catalog.Applicability, lib *catalog.Library, in []ExceptionInput, accepted []AcceptedItem) ([]Exception, error) {
	var errs []string
	out := make([]Exception, 0, len(in))
	for i, x := range in {
		ctrls := controlsOf(spec, app, lib, x.Ref)
		if len(ctrls) == 0 {
			errs = append(errs, fmt.Sprintf("%s%q names no control of this engagement and no requirement its controls cover", where(x.Line), x.Ref))
			continue
		}
		e := Exception{N: i + 1, Ref: strings.TrimSpace(x.Ref), Description: x.Description, ManagementResponse: x.ManagementResponse,
			Controls: ctrls, Origin: Surprise}
		for _, c := range ctrls {
			if ac := app.Control(c); ac != nil {
				e.Owners = appendOnce(e.Owners, strings.ToLower(spec.OwnerOfControl(ac.Control.ID, ac.Control.Domain).Email))
			}
			for _, a := range accepted {
				if a.ControlID == c {
					e.Origin = Accepted
					e.Because = append(e.Because, a)
				}
			}
		}
		slices.Sort(e.Owners)
		out = append(out, e)
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("the report's exceptions: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

func where(line int) string {
	if line == 0 {
		return ""
	}
	return fmt.Sprintf("line %d: ", line)
}

// ControlsOf is the applicable controls a reference (a control ID or a
// requirement ID of one of the engagement's frameworks) names, sorted.
func ControlsOf(spec *compliance.Spec, app *catalog.Applicability, lib *catalog.Library, ref string) []string {
	return controlsOf(spec, app, lib, ref)
}

// controlsOf is the applicable controls a reference names: the control
// itself, or the applicable controls mapped to the requirement in any of
// the engagement's frameworks, sorted.
func controlsOf(spec *compliance.Spec, app *catalog.Applicability, lib *catalog.Library, ref string) []string {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return nil
	}
	if ac := app.Control(strings.ToUpper(ref)); ac != nil {
		return []string{ac.Control.ID}
	}
	var out []string
	for _, f := range spec.Frameworks {
		for _, c := range lib.ControlsFor(f.ID, ref) {
			if app.Control(c.ID) != nil {
				out = appendOnce(out, c.ID)
			}
		}
	}
	slices.Sort(out)
	return out
}

func appendOnce(list []string, s string) []string {
	if s == "" || slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// Key names one issued report: the certification it belongs to.
type Key struct {
	EngagementID string                 `json:"engagement_id"`
	Framework    compliance.FrameworkID `json:"framework"`
	Date         compliance.Date        `json:"date"`
}

// String is the key within its engagement, as events and prompt keys
// carry it ("soc2/2028-03-10").
func (k Key) String() string { return string(k.Framework) + "/" + k.Date.String() }
