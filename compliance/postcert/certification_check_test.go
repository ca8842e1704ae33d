package postcert

import (
	"errors"
	"testing"

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
