package compliance

import (
	"fmt"
	"time"
)

// Phase lengths in business days. The gap assessment takes weeks 1–2 and
// remediation weeks 2–4 (overlapping in week 2, as owners start fixing
// what they have already assessed); the readiness review sits two to three
// weeks before the audit, leaving a week to fix what it finds.
const (
	GapAssessmentDays    = 10
	RemediationStartDay  = 5 // remediation starts on the sixth business day
	RemediationDays      = 15
	ReadinessLeadDays    = 15 // readiness starts this many business days before the audit
	ReadinessDays        = 10
	FieldworkDays        = 10
	MinISORunUpDays      = 60 // ISO: internal audit and management review need a run of operation
	MinTypeIIWindowMonth = 3
)

// Span is a run of dates, both inclusive.
type Span struct {
	Start Date `json:"start"`
	End   Date `json:"end"`
}

func (s Span) String() string { return s.Start.String() + " → " + s.End.String() }

// Plan is the engagement's phase plan, worked backwards from the audit date.
type Plan struct {
	TimeZone      string `json:"time_zone"`
	Start         Date   `json:"start"`
	LatestStart   Date   `json:"latest_start"`
	GapAssessment Span   `json:"gap_assessment"`
	Remediation   Span   `json:"remediation"`
	// Operating is the Type II observation window, or for ISO 27001 and a
	// Type I the run-up in which controls operate before the audit.
	Operating Span `json:"operating"`
	Readiness Span `json:"readiness"`
	Fieldwork Span `json:"fieldwork"`
	AuditDate Date `json:"audit_date"`
	// Fits is false when the phases cannot fit before the audit date;
	// Problems says why in words. An unfit plan is a scope risk, not an error.
	Fits     bool     `json:"fits"`
	Problems []string `json:"problems,omitempty"`
}

// PlanEngagement works the plan backwards from the audit date. today is the
// instant scoping runs; it is turned into a date in the client's zone.
func PlanEngagement(s *Spec, today time.Time) (Plan, error) {
	cal, err := NewCalendar(s.Reminders)
	if err != nil {
		return Plan{}, fmt.Errorf("plan engagement %s: %w", s.ID, err)
	}
	p := Plan{TimeZone: s.Reminders.TimeZone, AuditDate: s.AuditDate, Fits: true}
	audit := cal.NextBusinessDay(s.AuditDate)

	// Backwards from the audit: fieldwork, then readiness.
	p.Fieldwork = Span{audit, cal.AddBusinessDays(audit, FieldworkDays-1)}
	readStart := cal.AddBusinessDays(audit, -ReadinessLeadDays)
	p.Readiness = Span{readStart, cal.AddBusinessDays(readStart, ReadinessDays-1)}

	// The operating period must start once remediation is done. Its start
	// is fixed by a Type II window; otherwise it is the latest run-up that
	// leaves ISO enough operation before readiness.
	var opStart, opEnd Date
	soc2 := s.Framework(SOC2)
	switch {
	case soc2 != nil && soc2.Report == Type2 && soc2.Window != nil:
		opStart, opEnd = soc2.Window.Start, soc2.Window.End
	case soc2 != nil && soc2.Report == Type1 && !s.HasFramework(ISO27001) && !s.HasFramework(PCIDSS):
		// A Type I tests design at a date: controls need only be in place.
		opStart, opEnd = cal.AddBusinessDays(readStart, -1), cal.AddBusinessDays(readStart, -1)
	default:
		opEnd = cal.AddBusinessDays(readStart, -1)
		opStart = cal.AddBusinessDays(opEnd, -MinISORunUpDays)
	}
	p.Operating = Span{opStart, opEnd}

	// Latest start: gap assessment and remediation must end the business
	// day before the operating period begins.
	remEnd := cal.AddBusinessDays(cal.NextBusinessDay(opStart), -1)
	p.LatestStart = cal.AddBusinessDays(remEnd, -(RemediationStartDay + RemediationDays - 1))

	start := cal.NextBusinessDay(cal.Today(today))
	p.Start = start
	p.GapAssessment = Span{start, cal.AddBusinessDays(start, GapAssessmentDays-1)}
	remStart := cal.AddBusinessDays(start, RemediationStartDay)
	p.Remediation = Span{remStart, cal.AddBusinessDays(remStart, RemediationDays-1)}

	if start.After(p.LatestStart) {
		short := cal.BusinessDaysBetween(p.LatestStart, start)
		p.problem("remediation would end %s, after the operating period starts %s: the plan is %d business days short; move the audit date or start the window later",
			p.Remediation.End, opStart, short)
	}
	if !s.AuditDate.After(cal.Today(today)) {
		p.problem("the audit date %s is not in the future", s.AuditDate)
	}
	if opEnd.After(p.Readiness.End) {
		p.problem("the operating period ends %s, after the readiness review should finish (%s)", opEnd, p.Readiness.End)
	}
	return p, nil
}

func (p *Plan) problem(format string, args ...any) {
	p.Fits = false
	p.Problems = append(p.Problems, fmt.Sprintf(format, args...))
}

// Months is the length of a span in whole calendar months (a window from
// 1 March to 31 August is 6).
func (s Span) Months() int {
	end := s.End.AddDays(1)
	m := (end.Year-s.Start.Year)*12 + int(end.Month) - int(s.Start.Month)
	if end.Day < s.Start.Day {
		m--
	}
	return m
}
