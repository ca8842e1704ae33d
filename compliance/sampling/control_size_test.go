package sampling_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
)

func TestSizeForSaysWhy(t *testing.T) {
	cases := []struct {
		name string
		c    sampling.ControlSizing
		want int
		why  string
	}{
		{"monthly, review's moderate", sampling.ControlSizing{Frequency: compliance.FreqMonthly}, 4, "moderate review's risk, monthly range 2–5"},
		{"monthly, the control's high", sampling.ControlSizing{Frequency: compliance.FreqMonthly, Risk: sampling.RiskHigh}, 5, "high control's risk"},
		{"weekly, the control's low", sampling.ControlSizing{Frequency: compliance.FreqWeekly, Risk: sampling.RiskLow}, 5, "low control's risk, weekly range 5–15"},
		{"quarterly scans named four a year", sampling.ControlSizing{Frequency: compliance.FreqQuarterly,
			Description: "External vulnerability scans are run by an approved vendor, four in a year."}, 4, "names 4 a year"},
		{"semi-annual twice a year", sampling.ControlSizing{Frequency: compliance.FreqSemiAnnual, Description: "reviewed twice a year"}, 2, "range 1–2"},
		{"automated continuous", sampling.ControlSizing{Frequency: compliance.FreqContinuous, Automated: true}, 1, "change management"},
		{"automated but monthly is sampled as monthly", sampling.ControlSizing{Frequency: compliance.FreqMonthly, Automated: true}, 4, "monthly range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, why, err := sampling.SizeFor(c.c, "")
			require.NoError(t, err)
			assert.Equal(t, c.want, n)
			assert.Contains(t, why, c.why)
		})
	}
	assert.Equal(t, 0, sampling.NamedCount("reviewed after every significant change"))
	assert.Equal(t, 12, sampling.NamedCount("run 12 times a year"))
}
