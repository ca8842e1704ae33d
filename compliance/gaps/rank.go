package gaps

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
)

// Input is a gap assessment to rank.
type Input struct {
	// Applicability is the engagement's scope: only its controls are
	// ranked, and only its applicable requirements count towards breadth.
	Applicability *catalog.Applicability
	// Assessments are the owners' answers. An applicable control with no
	// assessment is ranked as unknown.
	Assessments []Assessment
	// CustomerRelied lists, per framework, requirement IDs the client's
	// customers rely on (from questionnaires and contracts). Nil uses
	// DefaultCustomerRelied.
	CustomerRelied map[compliance.FrameworkID][]string
	// Risk sizes the auditor's sample; empty means moderate.
	Risk sampling.Risk
	// ControlRisk is a control's own risk level from the spec, which wins
	// over Risk for that control (the same sizing the readiness review
	// uses, so the register and the review plan one sample).
	ControlRisk map[string]sampling.Risk
}

// DefaultCustomerRelied are the requirements customers' security reviews
// most often ask about: access, encryption, vulnerability management,
// logging, change and incident response, and vendor risk.
var DefaultCustomerRelied = map[compliance.FrameworkID][]string{
	compliance.SOC2:     {"CC6.1", "CC6.2", "CC6.3", "CC6.6", "CC6.7", "CC7.2", "CC7.3", "CC7.4", "CC8.1", "CC9.2"},
	compliance.ISO27001: {"A.5.15", "A.5.18", "A.5.24", "A.5.26", "A.8.5", "A.8.8", "A.8.13", "A.8.15", "A.8.24", "A.8.32"},
	compliance.PCIDSS:   {"3.5.1", "6.4.3", "7.2.4", "8.4.2", "10.4.1", "11.3.2", "11.4.3", "12.10.1"},
}

// Entry is one control in the ranked register.
type Entry struct {
	Rank         int                      `json:"rank"`
	ControlID    string                   `json:"control_id"`
	Title        string                   `json:"title"`
	Owner        string                   `json:"owner"`
	Domain       compliance.Domain        `json:"domain"`
	Status       Status                   `json:"status"`
	Auditability Auditability             `json:"auditability"`
	Frequency    compliance.Frequency     `json:"frequency"`
	SampleSize   int                      `json:"sample_size"`
	Frameworks   []compliance.FrameworkID `json:"frameworks"`
	Requirements int                      `json:"requirements"`
	// CustomerRelied lists the framework:ID references customers rely on.
	CustomerRelied []string `json:"customer_relied,omitempty"`
	Automated      bool     `json:"automated"`
	// Gap is false for controls implemented with auditable evidence; they
	// rank last with a score of zero.
	Gap bool `json:"gap"`
	// Score is the audit impact in thousandths; higher fails first.
	Score   int      `json:"score"`
	Reasons []string `json:"reasons"`
}

// Register is the ranked gap register.
type Register struct {
	Entries []Entry `json:"entries"`
}

// Gaps returns only the entries that are gaps, in rank order.
func (r Register) Gaps() []Entry {
	var out []Entry
	for _, e := range r.Entries {
		if e.Gap {
			out = append(out, e)
		}
	}
	return out
}

// Rank scores and orders every applicable control. The score is
// severity × impact, where severity comes from the status (plus an
// auditability penalty for controls that exist but cannot be evidenced)
// and impact adds up sampling exposure, breadth, customer reliance and
// manual evidence. Ties break by severity, then breadth, then control ID.
func Rank(in Input) (Register, error) {
	a := in.Applicability
	if a == nil {
		return Register{}, errors.New("rank gaps: no applicability (the engagement's scope) given")
	}
	risk := in.Risk
	if risk == "" {
		risk = sampling.RiskModerate
	}
	relied := in.CustomerRelied
	if relied == nil {
		relied = DefaultCustomerRelied
	}
	byID := map[string]Assessment{}
	var errs []error
	for _, as := range in.Assessments {
		if !slices.Contains(Statuses, as.Status) {
			errs = append(errs, fmt.Errorf("control %s: status %q is not one of %v", as.ControlID, as.Status, Statuses))
		}
		if _, dup := byID[as.ControlID]; dup {
			errs = append(errs, fmt.Errorf("control %s: assessed twice", as.ControlID))
		}
		if a.Control(as.ControlID) == nil && as.Status != NotApplicable {
			errs = append(errs, fmt.Errorf("control %s: not an applicable control of this engagement", as.ControlID))
		}
		byID[as.ControlID] = as
	}
	if len(errs) > 0 {
		return Register{}, fmt.Errorf("rank gaps: %w", errors.Join(errs...))
	}

	type scored struct {
		Entry
		score, severity float64
	}
	var all []scored
	for _, ac := range a.Controls {
		as, assessed := byID[ac.Control.ID]
		if !assessed {
			as = Assessment{ControlID: ac.Control.ID, Status: Unknown}
		}
		if as.Status == NotApplicable {
			continue
		}
		e, score, sev, err := score(in, ac, as, assessed, risk, relied)
		if err != nil {
			return Register{}, fmt.Errorf("rank gaps: %w", err)
		}
		all = append(all, scored{e, score, sev})
	}
	slices.SortFunc(all, func(x, y scored) int {
		switch {
		case x.Score != y.Score:
			return y.Score - x.Score
		case x.severity != y.severity:
			if x.severity > y.severity {
				return -1
			}
			return 1
		case x.Requirements != y.Requirements:
			return y.Requirements - x.Requirements
		}
		return strings.Compare(x.ControlID, y.ControlID)
	})
	reg := Register{Entries: make([]Entry, len(all))}
	for i, s := range all {
		s.Entry.Rank = i + 1
		reg.Entries[i] = s.Entry
	}
	return reg, nil
}

func score(in Input, ac catalog.ApplicableControl, as Assessment, assessed bool, risk sampling.Risk, relied map[compliance.FrameworkID][]string) (Entry, float64, float64, error) {
	c := ac.Control
	size, _, err := sampling.SizeFor(PlannedSizing(*c, in.ControlRisk[c.ID]), risk)
	if err != nil {
		return Entry{}, 0, 0, fmt.Errorf("control %s: %w", c.ID, err)
	}
	e := Entry{
		ControlID: c.ID, Title: c.Title, Owner: c.Owner, Domain: c.Domain,
		Status: as.Status, Auditability: as.Auditability, Frequency: c.Frequency,
		SampleSize: size, Automated: c.Automated,
	}
	for _, fw := range compliance.FrameworkIDs {
		ids := ac.Covers[fw]
		if len(ids) == 0 {
			continue
		}
		e.Frameworks = append(e.Frameworks, fw)
		e.Requirements += len(ids)
		for _, id := range ids {
			if slices.Contains(relied[fw], id) {
				e.CustomerRelied = append(e.CustomerRelied, string(fw)+":"+id)
			}
		}
	}

	severity := as.Status.severity()
	if as.Status == Implemented || as.Status == Partial {
		severity += as.Auditability.penalty()
	}
	e.Gap = severity > 0
	if !e.Gap {
		e.Reasons = []string{"implemented, with evidence that covers the whole period"}
		return e, 0, 0, nil
	}

	// Impact: each term is on a comparable scale of roughly 0-5.
	exposure := math.Log2(1 + float64(size))
	breadth := 0.75*float64(len(e.Frameworks)) + 0.1*float64(min(e.Requirements, 20))
	customer := 0.75 * float64(min(len(e.CustomerRelied), 4))
	manual := 0.0
	if !c.Automated {
		manual = 1
	}
	impact := exposure + breadth + customer + manual
	s := severity * impact
	e.Score = int(math.Round(s * 1000))

	e.Reasons = append(e.Reasons, statusReason(as, assessed))
	e.Reasons = append(e.Reasons, fmt.Sprintf("operates %s: the auditor samples %d occurrence%s across the period, so %s",
		c.Frequency, size, plural(size), exposureWords(size)))
	e.Reasons = append(e.Reasons, fmt.Sprintf("satisfies %d requirement%s across %d framework%s (%s)",
		e.Requirements, plural(e.Requirements), len(e.Frameworks), plural(len(e.Frameworks)), frameworkList(ac)))
	if len(e.CustomerRelied) > 0 {
		e.Reasons = append(e.Reasons, "customers rely on "+strings.Join(e.CustomerRelied, ", "))
	}
	if !c.Automated {
		e.Reasons = append(e.Reasons, "evidence is produced by hand, so missed occurrences are likely unless chased")
	} else {
		e.Reasons = append(e.Reasons, "evidence can be collected automatically")
	}
	return e, s, severity, nil
}

func statusReason(as Assessment, assessed bool) string {
	switch {
	case !assessed:
		return "not yet assessed: treated as unknown, which auditors usually find missing or undocumented"
	case as.Status == Missing:
		return "missing: the auditor will find no control operating"
	case as.Status == Unknown:
		return "unknown: the owner could not say whether it operates, which auditors usually find missing"
	}
	s := string(as.Status)
	switch {
	case !as.Auditability.EvidenceExists:
		return s + " but without evidence: the auditor cannot see that it operated"
	case !as.Auditability.Sampleable:
		return s + " but its evidence does not cover the whole period: samples from the gaps will fail"
	case as.Status == Partial:
		return "partial: some occurrences or systems are not covered, so some samples will fail"
	}
	return s
}

func exposureWords(size int) string {
	switch {
	case size >= 20:
		return "a single lapse is very likely to be sampled"
	case size >= 5:
		return "lapses in any month are likely to be sampled"
	case size >= 2:
		return "a lapse in any quarter can be sampled"
	}
	return "the one occurrence decides the test"
}

func frameworkList(ac catalog.ApplicableControl) string {
	var parts []string
	for _, fw := range compliance.FrameworkIDs {
		ids := ac.Covers[fw]
		if len(ids) == 0 {
			continue
		}
		shown := ids
		if len(shown) > 4 {
			shown = shown[:4]
		}
		p := string(fw) + " " + strings.Join(shown, ", ")
		if len(ids) > len(shown) {
			p += fmt.Sprintf(" and %d more", len(ids)-len(shown))
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// PlannedSizing is what sizes a control's full-period sample: its
// frequency, own risk, whether a system performs it and the count its
// description names. The gap register, the readiness review and the
// evidence pack all size through it, so they plan one figure.
func PlannedSizing(c catalog.Control, risk sampling.Risk) sampling.ControlSizing {
	return sampling.ControlSizing{Frequency: c.Frequency, Risk: risk, Automated: c.Automated, Description: c.Description}
}
