// Package sampling plans the sample an auditor draws to test whether a
// control operated through a period: the population of occurrences for the
// control's frequency, the sample size practitioners use for that frequency
// and risk, and a sample spread across the whole period and reproducible
// from a seed. The readiness review draws the same sample before the
// auditor does.
package sampling

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Risk is how much reliance the auditor places on a control; higher risk
// means a larger sample within the frequency's range.
type Risk string

const (
	RiskLow      Risk = "low"
	RiskModerate Risk = "moderate"
	RiskHigh     Risk = "high"
)

// Risks lists every risk level from lowest to highest.
var Risks = []Risk{RiskLow, RiskModerate, RiskHigh}

// ParseRisk reads a risk level; empty means moderate.
func ParseRisk(s string) (Risk, error) {
	r := Risk(strings.ToLower(strings.TrimSpace(s)))
	if r == "" {
		return RiskModerate, nil
	}
	if !slices.Contains(Risks, r) {
		return "", fmt.Errorf("risk %q is not one of %v", s, Risks)
	}
	return r, nil
}

// SizeRange is the practitioner range of sample sizes for a frequency.
type SizeRange struct {
	Min, Max int
}

// Typical test-of-operating-effectiveness sample sizes by control frequency
// (practitioner convention, not an AICPA rule): annual 1, quarterly 2,
// monthly 2–5, weekly 5–15, daily 20–40, several a day or per event 25–60.
// Semi-annual sits between annual and quarterly. Continuous (automated)
// controls are sampled like per-event ones.
var sizeRanges = map[compliance.Frequency]SizeRange{
	compliance.FreqAnnual:     {1, 1},
	compliance.FreqSemiAnnual: {1, 2},
	compliance.FreqQuarterly:  {2, 2},
	compliance.FreqMonthly:    {2, 5},
	compliance.FreqWeekly:     {5, 15},
	compliance.FreqDaily:      {20, 40},
	compliance.FreqPerEvent:   {25, 60},
	compliance.FreqContinuous: {25, 60},
}

// Range returns the sample size range for a frequency.
func Range(f compliance.Frequency) (SizeRange, error) {
	r, ok := sizeRanges[f]
	if !ok {
		return SizeRange{}, fmt.Errorf("frequency %q is not one of %v", f, compliance.Frequencies)
	}
	return r, nil
}

// Size is the sample an auditor draws for a frequency and risk, before it is
// capped at the population: the range's minimum for low risk, its maximum
// for high, and the midpoint (rounded up) for moderate.
func Size(f compliance.Frequency, r Risk) (int, error) {
	rg, err := Range(f)
	if err != nil {
		return 0, err
	}
	switch r {
	case RiskLow:
		return rg.Min, nil
	case RiskHigh:
		return rg.Max, nil
	case RiskModerate, "":
		return (rg.Min + rg.Max + 1) / 2, nil
	}
	return 0, fmt.Errorf("risk %q is not one of %v", r, Risks)
}
