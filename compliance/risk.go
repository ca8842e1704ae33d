package compliance

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// RiskTreatment is what the client decided to do about a risk.
type RiskTreatment string

const (
	TreatMitigate RiskTreatment = "mitigate"
	TreatAccept   RiskTreatment = "accept"
	TreatTransfer RiskTreatment = "transfer"
	TreatAvoid    RiskTreatment = "avoid"
)

var RiskTreatments = []RiskTreatment{TreatMitigate, TreatAccept, TreatTransfer, TreatAvoid}

// Risk is one entry of the risk register. Controls names the ISO 27001
// Annex A controls (A.8.13) the treatment relies on: they are what make a
// line of the Statement of Applicability "included because of a risk".
type Risk struct {
	ID        string        `yaml:"id" json:"id"`
	Title     string        `yaml:"title" json:"title"`
	Owner     string        `yaml:"owner" json:"owner"`
	Treatment RiskTreatment `yaml:"treatment" json:"treatment"`
	Controls  []string      `yaml:"controls" json:"controls,omitempty"`
}

// AnnexAExclusion is an Annex A control left out of the Statement of
// Applicability, with the justification ISO 27001 clause 6.1.3 d) asks for.
type AnnexAExclusion struct {
	Control       string `yaml:"control" json:"control"`
	Justification string `yaml:"justification" json:"justification"`
}

var (
	riskIDPattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]{0,31}$`)
	// annexAPattern is an ISO 27001:2022 Annex A control ID.
	annexAPattern = regexp.MustCompile(`^A\.[5-8]\.[0-9]{1,2}$`)
)

// IsAnnexAID reports whether id has the form of an Annex A control (A.8.13).
// Whether it exists is the catalog's question.
func IsAnnexAID(id string) bool { return annexAPattern.MatchString(id) }

// Excluded returns the exclusion of an Annex A control, or nil.
func (f *Framework) Excluded(annexA string) *AnnexAExclusion {
	if f == nil {
		return nil
	}
	for i := range f.Exclusions {
		if f.Exclusions[i].Control == annexA {
			return &f.Exclusions[i]
		}
	}
	return nil
}

// RisksFor lists the IDs of the register's risks that rely on an Annex A
// control, in register order.
func (s *Spec) RisksFor(annexA string) []string {
	var out []string
	for _, r := range s.Risks {
		for _, c := range r.Controls {
			if c == annexA {
				out = append(out, r.ID)
				break
			}
		}
	}
	return out
}

// riskColumns are the CSV header's names, in any order; controls are
// separated by spaces, commas or semicolons inside their cell.
var riskColumns = []string{"id", "title", "owner", "treatment", "controls"}

// MaxRiskRows bounds an imported register; a real one has tens of rows.
const MaxRiskRows = 5000

// ParseRiskCSV reads a risk register exported from a spreadsheet: a header
// row naming the columns id, title, owner, treatment, controls (any order,
// any case), then one risk a row. Every bad row is reported by its line,
// all at once, as SpecErrors; nothing is returned then.
func ParseRiskCSV(name string, data []byte) ([]Risk, error) {
	if len(data) > MaxSpecBytes {
		return nil, SpecErrors{{File: name, Msg: fmt.Sprintf("file is %d bytes; a risk register may be at most %d", len(data), MaxSpecBytes)}}
	}
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1 // short rows get a message naming the line, not csv's
	header, err := r.Read()
	if errors.Is(err, io.EOF) {
		return nil, SpecErrors{{File: name, Msg: "risk register is empty; the first row must name the columns " + strings.Join(riskColumns, ", ")}}
	}
	if err != nil {
		return nil, SpecErrors{csvError(name, err)}
	}
	col := map[string]int{}
	var errs SpecErrors
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		if !contains(riskColumns, h) {
			errs = append(errs, SpecError{File: name, Line: 1, Column: i + 1, Field: h, Msg: "unknown column" + suggest(h, riskColumns)})
			continue
		}
		col[h] = i
	}
	for _, c := range riskColumns {
		if _, ok := col[c]; !ok && c != "controls" {
			errs = append(errs, SpecError{File: name, Line: 1, Column: 1, Field: c, Msg: "column is missing from the header"})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	var out []Risk
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, csvError(name, err))
			break
		}
		line, _ := r.FieldPos(0)
		if len(out) >= MaxRiskRows {
			errs = append(errs, SpecError{File: name, Line: line, Column: 1, Msg: fmt.Sprintf("more than %d risks", MaxRiskRows)})
			break
		}
		cell := func(c string) string {
			if i, ok := col[c]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		bad := func(c, format string, args ...any) {
			column := 1
			if i, ok := col[c]; ok && i < len(rec) {
				_, column = r.FieldPos(i)
			}
			errs = append(errs, SpecError{File: name, Line: line, Column: column, Field: c, Msg: fmt.Sprintf(format, args...)})
		}
		if strings.Join(rec, "") == "" {
			continue // a blank row a spreadsheet left behind
		}
		risk := Risk{ID: cell("id"), Title: cell("title"), Owner: cell("owner"), Treatment: RiskTreatment(cell("treatment"))}
		risk.Controls = append(risk.Controls, strings.FieldsFunc(cell("controls"), func(r rune) bool { return r == ',' || r == ';' || r == ' ' })...)
		for _, p := range checkRisk(risk) {
			bad(p.field, "%s", p.msg)
		}
		if j, dup := seen[risk.ID]; dup && risk.ID != "" {
			bad("id", "risk %s is already on line %d", risk.ID, j)
		}
		seen[risk.ID] = line
		out = append(out, risk)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return out, nil
}

func csvError(name string, err error) SpecError {
	e := SpecError{File: name, Msg: "invalid CSV: " + err.Error()}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		e.Line, e.Column, e.Msg = pe.Line, pe.Column, "invalid CSV: "+pe.Err.Error()
	}
	return e
}

type riskProblem struct{ field, msg string }

// checkRisk holds the checks one risk needs wherever it was written, so the
// spec and the CSV import say the same thing.
func checkRisk(r Risk) []riskProblem {
	var out []riskProblem
	switch {
	case r.ID == "":
		out = append(out, riskProblem{"id", "is required"})
	case !riskIDPattern.MatchString(r.ID):
		out = append(out, riskProblem{"id", fmt.Sprintf("%q is not a risk ID (letters, digits, dashes, like R-07)", r.ID)})
	}
	if r.Title == "" {
		out = append(out, riskProblem{"title", "is required"})
	}
	if r.Owner == "" {
		out = append(out, riskProblem{"owner", "is required: the person accountable for the treatment"})
	}
	switch {
	case r.Treatment == "":
		out = append(out, riskProblem{"treatment", "is required" + suggest("", stringsOf(RiskTreatments))})
	case !contains(stringsOf(RiskTreatments), string(r.Treatment)):
		out = append(out, riskProblem{"treatment", fmt.Sprintf("unknown risk treatment %q%s", r.Treatment, suggest(string(r.Treatment), stringsOf(RiskTreatments)))})
	}
	for _, c := range r.Controls {
		if !IsAnnexAID(c) {
			out = append(out, riskProblem{"controls", fmt.Sprintf("%q is not an Annex A control ID (like A.8.13)", c)})
		}
	}
	if r.Treatment == TreatMitigate && len(r.Controls) == 0 {
		out = append(out, riskProblem{"controls", "a mitigated risk names the Annex A controls that treat it"})
	}
	return out
}
