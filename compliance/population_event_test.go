package compliance

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestPopulationEventValidate(t *testing.T) {
	at := time.Date(2027, 3, 4, 10, 0, 0, 0, time.UTC)
	good := PopulationEvent{EngagementID: "e", ControlID: "CHG-01", EventKey: "SEC-1", OccurredAt: at,
		Source: PopulationSourceJira, RecordedBy: "steadfast"}
	if err := good.Validate(); err != nil {
		t.Fatalf("a complete event is valid: %v", err)
	}
	approved := good
	approved.ApprovedBy, approved.ApprovedAt = "cab@client.example", at
	if err := approved.Validate(); err != nil {
		t.Fatalf("a complete approval is valid: %v", err)
	}
	bad := map[string]func(*PopulationEvent){
		"no control":             func(e *PopulationEvent) { e.ControlID = " " },
		"no event key":           func(e *PopulationEvent) { e.EventKey = "" },
		"no time it occurred":    func(e *PopulationEvent) { e.OccurredAt = time.Time{} },
		`source "slack"`:         func(e *PopulationEvent) { e.Source = "slack" },
		"no recorder":            func(e *PopulationEvent) { e.RecordedBy = "" },
		"both who approved":      func(e *PopulationEvent) { e.ApprovedBy = "cab@client.example" },
		"both who approved and ": func(e *PopulationEvent) { e.ApprovedAt = at },
	}
	for want, spoil := range bad {
		e := good
		spoil(&e)
		err := e.Validate()
		if !errors.Is(err, ErrInvalidPopulationEvent) {
			t.Errorf("%s: got %v, want ErrInvalidPopulationEvent", want, err)
			continue
		}
		if got := err.Error(); !strings.Contains(got, want) {
			t.Errorf("error %q does not say %q", got, want)
		}
	}
}
