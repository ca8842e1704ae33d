package postcert

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/compliance"
)

func TestCertificationValidate(t *testing.T) {
	day := func(s string) compliance.Date {
		d, err := compliance.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ok := Certification{Framework: compliance.SOC2, Date: day("2028-02-28"),
		ReportPeriod: compliance.Span{Start: day("2027-01-01"), End: day("2027-12-31")}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("a whole certification is valid: %v", err)
	}
	for name, spoil := range map[string]func(*Certification){
		"no date":       func(c *Certification) { c.Date = compliance.Date{} },
		"no framework":  func(c *Certification) { c.Framework = "" },
		"half a period": func(c *Certification) { c.ReportPeriod.End = compliance.Date{} },
		"period backwards": func(c *Certification) {
			c.ReportPeriod.Start, c.ReportPeriod.End = c.ReportPeriod.End, c.ReportPeriod.Start
		},
	} {
		c := ok
		spoil(&c)
		if err := c.Validate(); !errors.Is(err, ErrInvalidCertification) {
			t.Errorf("%s: got %v, want ErrInvalidCertification", name, err)
		}
	}
}

func TestCheckRecordNeedsThePeriodOver(t *testing.T) {
	spec := &compliance.Spec{ID: "brightlane", Frameworks: []compliance.Framework{{ID: compliance.SOC2, Report: compliance.Type2}}}
	today := compliance.Date{Year: 2026, Month: 12, Day: 4}
	period := compliance.Span{Start: compliance.Date{Year: 2027, Month: 3, Day: 1}, End: compliance.Date{Year: 2027, Month: 8, Day: 31}}
	// issue 15: a report dated 2026-12-03 for 2027-03-01..2027-08-31 was taken.
	early := Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2026, Month: 12, Day: 3}, ReportPeriod: period}
	assert.ErrorContains(t, early.CheckRecord(spec, today), "the date must be after the report period ends (2027-08-31)")
	onEnd := Certification{Framework: compliance.SOC2, Date: period.End, ReportPeriod: period}
	assert.ErrorContains(t, onEnd.CheckRecord(spec, compliance.Date{Year: 2027, Month: 10, Day: 1}), "must be after the report period ends")
	future := Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}, ReportPeriod: period}
	assert.ErrorContains(t, future.CheckRecord(spec, today), "is in the future")
	assert.NoError(t, future.CheckRecord(spec, compliance.Date{Year: 2027, Month: 10, Day: 2}))
}
