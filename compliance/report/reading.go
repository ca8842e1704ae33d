package report

import (
	"slices"
	"strconv"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// Reading is what one control owner must read in the issued report: the
// controls they own (their sections) and the exceptions touching them.
type Reading struct {
	Owner      compliance.Person `json:"owner"`
	Controls   []string          `json:"controls"`
	Exceptions []int             `json:"exceptions,omitempty"`
}

// Subject names one thing an owner explains in their own words: a control
// ("control:ACC-04") or an exception ("exception:2").
type Subject string

// ControlSubject and ExceptionSubject build subjects.
func ControlSubject(id string) Subject { return Subject("control:" + id) }

// ExceptionSubject is the subject of exception n.
func ExceptionSubject(n int) Subject { return Subject("exception:" + strconv.Itoa(n)) }

// Readings lists, per control owner (in the spec's order), the controls
// they own among the applicable ones and the exceptions touching those
// controls. A person owning nothing applicable reads nothing.
func Readings(spec *compliance.Spec, app *catalog.Applicability, exceptions []Exception) []Reading {
	byOwner := map[string]*Reading{}
	var order []string
	for _, ac := range app.Controls {
		p := spec.OwnerOfControl(ac.Control.ID, ac.Control.Domain)
		key := strings.ToLower(p.Email)
		if key == "" {
			continue
		}
		r := byOwner[key]
		if r == nil {
			r = &Reading{Owner: p}
			byOwner[key] = r
			order = append(order, key)
		}
		r.Controls = append(r.Controls, ac.Control.ID)
	}
	for _, e := range exceptions {
		for _, o := range e.Owners {
			if r := byOwner[o]; r != nil && !slices.Contains(r.Exceptions, e.N) {
				r.Exceptions = append(r.Exceptions, e.N)
			}
		}
	}
	// The spec's order, so the prompts go out the same way every time.
	var out []Reading
	for _, p := range spec.People {
		if r := byOwner[strings.ToLower(p.Email)]; r != nil {
			slices.Sort(r.Controls)
			out = append(out, *r)
			delete(byOwner, strings.ToLower(p.Email))
		}
	}
	for _, k := range order {
		if r := byOwner[k]; r != nil {
			slices.Sort(r.Controls)
			out = append(out, *r)
		}
	}
	return out
}

// SubjectOwners is who owns a subject: a control's owner, or an
// exception's owners. Nil when the subject is not in the report.
func SubjectOwners(s Subject, readings []Reading, exceptions []Exception) []string {
	kind, id, _ := strings.Cut(string(s), ":")
	switch kind {
	case "control":
		for _, r := range readings {
			if slices.Contains(r.Controls, id) {
				return []string{strings.ToLower(r.Owner.Email)}
			}
		}
	case "exception":
		for _, e := range exceptions {
			if strconv.Itoa(e.N) == id {
				return e.Owners
			}
		}
	}
	return nil
}
