package postcert

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// Milestone kinds.
const (
	// KindType2Window is the next SOC 2 Type II observation window: Start is
	// the window's first day, Due the audit date after it (see Window).
	KindType2Window = "type2-window"
	// KindSurveillance1 and KindSurveillance2 are the ISO 27001
	// surveillance audits in the certificate's first and second years.
	KindSurveillance1 = "surveillance-1"
	KindSurveillance2 = "surveillance-2"
	// KindRecertification is the ISO 27001 recertification audit before
	// the certificate expires, or the PCI DSS annual reassessment (a new
	// ROC or SAQ and attestation of compliance).
	KindRecertification = "recertification"
	// KindAnnualRefresh compares the framework versions in use with the
	// control library's (see RefreshDelta) and opens the work for changes.
	KindAnnualRefresh = "annual-refresh"
	// KindQuarterlyReview is an engagement-wide quarterly control review.
	KindQuarterlyReview = "quarterly-review"
)

// Timings in business days of the client's calendar.
const (
	// MonthBusinessDays is "a month" counted in working days: 21 is the
	// average month of five-day weeks. Audits are planned a month before
	// they are due, and a SOC 2 audit falls a month after its window.
	MonthBusinessDays = 21
	// QuarterlyReviews is how many quarterly reviews PlanNext schedules;
	// the post-certification workflow plans again as they pass.
	QuarterlyReviews = 4
	// ISOCycleYears is the life of an ISO 27001 certificate.
	ISOCycleYears = 3
)

// Milestone is one dated piece of post-certification work.
type Milestone struct {
	// Framework is the framework the milestone belongs to; empty for the
	// engagement-wide annual refresh and quarterly reviews, which cover the
	// controls every framework shares.
	Framework compliance.FrameworkID `json:"framework,omitempty"`
	Kind      string                 `json:"kind"`
	// Start is when the work starts (planning an audit, asking for a
	// review), Due when it must be done. Both are business days, except a
	// Type II window's Start: the window begins the calendar day after the
	// last report period ended, because a gap between periods is one more
	// thing customers ask for a bridge letter about.
	Start compliance.Date `json:"start"`
	Due   compliance.Date `json:"due"`
	Note  string          `json:"note"`
}

// Window is the span a milestone covers: for a Type II window the twelve-
// month observation period itself; for every other kind Start to Due.
func (m Milestone) Window() compliance.Span {
	if m.Kind == KindType2Window {
		return compliance.Span{Start: m.Start, End: yearAfter(m.Start.AddDays(-1))}
	}
	return compliance.Span{Start: m.Start, End: m.Due}
}

// PlanNext plans the next cycle of a certified engagement from its
// certifications, on business days of the client's calendar:
//
//   - SOC 2: the next Type II window, starting the day after the last report
//     period ended (or a Type I's as-of date) and running twelve months, with
//     its audit due a month of business days after it ends.
//   - ISO 27001: surveillance audits due no later than the first and second
//     anniversaries of the certification (moved back to a business day),
//     planned a month before; recertification due a month before the
//     certificate expires on the day before its third anniversary, so the
//     certification body can decide in time.
//   - PCI DSS: the annual reassessment (ROC or SAQ) due by the anniversary
//     of the attestation, planned a month before.
//   - An annual refresh per year of the longest cycle planned (three for an
//     ISO 27001 certificate, else one), finishing a month before each
//     anniversary of the latest certification so what changed is assessed
//     before that year's audit work.
//   - The next four quarterly control reviews after the latest
//     certification, asked and due as compliance/cadence asks them.
//
// Only the latest certification of each framework counts; frameworks with no
// certification yet get no milestones. The milestones are sorted by due
// date. It returns an error for a certification it cannot plan from: no
// date, a framework the spec does not include, or a SOC 2 Type II without a
// usable report period.
func PlanNext(spec *compliance.Spec, certs []Certification, cal *compliance.Calendar) ([]Milestone, error) {
	if spec == nil {
		return nil, errors.New("plan next cycle: no spec")
	}
	if cal == nil {
		return nil, fmt.Errorf("plan next cycle of %s: no calendar", spec.ID)
	}
	for _, c := range certs {
		if err := c.check(spec); err != nil {
			return nil, fmt.Errorf("plan next cycle of %s: %w", spec.ID, err)
		}
	}
	byFW := latest(certs)
	if len(byFW) == 0 {
		return nil, nil
	}
	var out []Milestone
	var anchor compliance.Date // the latest certification of any framework
	years := 1
	for _, fw := range compliance.FrameworkIDs {
		c, ok := byFW[fw]
		if !ok {
			continue
		}
		if c.Date.After(anchor) {
			anchor = c.Date
		}
		switch fw {
		case compliance.SOC2:
			out = append(out, soc2Window(c, cal))
		case compliance.ISO27001:
			out = append(out, isoCycle(c, cal)...)
			years = ISOCycleYears
		case compliance.PCIDSS:
			out = append(out, pciReassessment(spec.Framework(fw), c, cal))
		}
	}
	out = append(out, annualRefreshes(anchor, years, cal)...)
	out = append(out, quarterlyReviews(anchor, cal)...)
	slices.SortStableFunc(out, compareMilestones)
	return out, nil
}

func soc2Window(c Certification, cal *compliance.Calendar) Milestone {
	prevEnd := c.socPeriodEnd()
	w := compliance.Span{Start: prevEnd.AddDays(1), End: yearAfter(prevEnd)}
	audit := cal.AddBusinessDays(w.End, MonthBusinessDays)
	return Milestone{
		Framework: compliance.SOC2, Kind: KindType2Window, Start: w.Start, Due: audit,
		Note: fmt.Sprintf("next Type II window %s (12 months, continuing from the report period that ended %s); audit by %s, a month after it ends",
			w, prevEnd, audit),
	}
}

func isoCycle(c Certification, cal *compliance.Calendar) []Milestone {
	var out []Milestone
	for i, kind := range []string{KindSurveillance1, KindSurveillance2} {
		year := i + 1
		anniv := anniversary(c.Date, year)
		due := cal.PrevBusinessDay(anniv)
		out = append(out, Milestone{
			Framework: compliance.ISO27001, Kind: kind, Start: cal.AddBusinessDays(due, -MonthBusinessDays), Due: due,
			Note: fmt.Sprintf("year-%d surveillance audit, due no later than the certificate's anniversary %s", year, anniv),
		})
	}
	expiry := anniversary(c.Date, ISOCycleYears).AddDays(-1)
	due := cal.AddBusinessDays(expiry, -MonthBusinessDays)
	out = append(out, Milestone{
		Framework: compliance.ISO27001, Kind: KindRecertification, Start: cal.AddBusinessDays(due, -MonthBusinessDays), Due: due,
		Note: fmt.Sprintf("recertification audit, a month before the certificate expires on %s so the certification body can decide in time", expiry),
	})
	return out
}

func pciReassessment(f *compliance.Framework, c Certification, cal *compliance.Calendar) Milestone {
	anniv := anniversary(c.Date, 1)
	due := cal.PrevBusinessDay(anniv)
	what := "ROC"
	if f.Assessment == compliance.SAQ {
		what = "SAQ " + string(f.SAQ)
	}
	return Milestone{
		Framework: compliance.PCIDSS, Kind: KindRecertification, Start: cal.AddBusinessDays(due, -MonthBusinessDays), Due: due,
		Note: fmt.Sprintf("annual PCI DSS reassessment (%s and attestation of compliance), due by the anniversary %s", what, anniv),
	}
}

func annualRefreshes(anchor compliance.Date, years int, cal *compliance.Calendar) []Milestone {
	out := make([]Milestone, 0, years)
	for y := 1; y <= years; y++ {
		anniv := anniversary(anchor, y)
		due := cal.AddBusinessDays(anniv, -MonthBusinessDays)
		out = append(out, Milestone{
			Kind: KindAnnualRefresh, Start: cal.AddBusinessDays(due, -MonthBusinessDays), Due: due,
			Note: fmt.Sprintf("annual refresh %d: compare the framework versions in use with the control library's and open the work for what changed, before the audit work for %s", y, anniv),
		})
	}
	return out
}

// quarterlyReviews follows compliance/cadence: a quarter's review is asked on
// the first business day of the quarter's last month and due
// cadence.ReviewDueDays business days later. The first is the first quarter
// whose review is asked after the certification.
func quarterlyReviews(anchor compliance.Date, cal *compliance.Calendar) []Milestone {
	q := compliance.Date{Year: anchor.Year, Month: ((anchor.Month-1)/3)*3 + 1, Day: 1}
	var out []Milestone
	for len(out) < QuarterlyReviews {
		ask := cal.NextBusinessDay(addMonths(q, 2))
		if ask.After(anchor) {
			label := fmt.Sprintf("%d-Q%d", q.Year, (q.Month-1)/3+1)
			out = append(out, Milestone{
				Kind: KindQuarterlyReview, Start: ask, Due: cal.AddBusinessDays(ask, cadence.ReviewDueDays),
				Note: fmt.Sprintf("%s quarterly control review: owners confirm each control still operates as designed and its scope has not changed", label),
			})
		}
		q = addMonths(q, 3)
	}
	return out
}

// compareMilestones orders by due date, then start, then framework (in the
// usual framework order, engagement-wide last) and kind, so equal plans
// print identically.
func compareMilestones(a, b Milestone) int {
	if c := compareDates(a.Due, b.Due); c != 0 {
		return c
	}
	if c := compareDates(a.Start, b.Start); c != 0 {
		return c
	}
	if c := frameworkOrder(a.Framework) - frameworkOrder(b.Framework); c != 0 {
		return c
	}
	return strings.Compare(a.Kind, b.Kind)
}

func frameworkOrder(fw compliance.FrameworkID) int {
	if i := slices.Index(compliance.FrameworkIDs, fw); i >= 0 {
		return i
	}
	return len(compliance.FrameworkIDs)
}

func compareDates(a, b compliance.Date) int {
	switch {
	case a.Before(b):
		return -1
	case a.After(b):
		return 1
	}
	return 0
}
