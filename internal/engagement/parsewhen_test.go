package engagement

import (
	"testing"
	"time"
)

func FuzzParseWhen(f *testing.F) {
	for _, s := range []string{"2027-03-04", "2027-03-04T15:30:00Z", "2027-03-04T15:30:00+05:45", " 2027-02-29 ", "0001-01-01T00:00:00Z", "9999-12-31", "", "4 March"} {
		f.Add(s)
	}
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseWhen(s, loc)
		if err != nil {
			if !got.IsZero() {
				t.Fatalf("error with a time: %v", got)
			}
			return
		}
		if got.Year() < 1969 || got.Year() > 10000 {
			t.Fatalf("%q parsed to an implausible %v", s, got)
		}
		// What is accepted survives a round trip through its RFC 3339 form,
		// as it does through Postgres.
		again, err := ParseWhen(got.Format(time.RFC3339Nano), loc)
		if err != nil || !again.Equal(got) {
			t.Fatalf("%q → %v does not round-trip: %v, %v", s, got, again, err)
		}
	})
}
