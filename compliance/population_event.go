package compliance

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Where a population event came from.
const (
	PopulationSourceJira     = "jira"
	PopulationSourceRecorded = "recorded"
)

// ErrInvalidPopulationEvent marks an event that cannot be part of a
// population (no key, no time, half an approval). Retrying cannot fix it.
var ErrInvalidPopulationEvent = errors.New("invalid population event")

// PopulationEvent is one event in a per-event control's population: a
// change, a joiner, an incident. An empty ApprovedBy (and zero ApprovedAt)
// means no approval is recorded.
type PopulationEvent struct {
	ID           int64     `json:"id"`
	EngagementID string    `json:"engagement_id"`
	ControlID    string    `json:"control_id"`
	EventKey     string    `json:"event_key"`
	OccurredAt   time.Time `json:"occurred_at"`
	Source       string    `json:"source"`
	Summary      string    `json:"summary,omitempty"`
	ApprovedBy   string    `json:"approved_by,omitempty"`
	ApprovedAt   time.Time `json:"approved_at,omitzero"`
	// Author is who raised or requested the event (a ticket's reporter);
	// Implementer who carried it out (its assignee). Empty when unknown.
	Author      string `json:"author,omitempty"`
	Implementer string `json:"implementer,omitempty"`
	// EvidenceRef is where the auditor finds the event's record: the Jira
	// browse URL, a pull request, a log entry.
	EvidenceRef string    `json:"evidence_ref,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// Approved reports whether an approval is recorded.
func (e PopulationEvent) Approved() bool { return e.ApprovedBy != "" }

// Validate says why an event cannot be sampled by an auditor, or nil: it
// needs its control, its own key, when it occurred, where it came from and
// who recorded it, and an approval is both who approved and when (one
// without the other cannot be tested). Errors wrap
// ErrInvalidPopulationEvent.
func (e PopulationEvent) Validate() error {
	var problem string
	switch {
	case e.EngagementID == "":
		problem = "no engagement"
	case strings.TrimSpace(e.ControlID) == "":
		problem = "no control"
	case strings.TrimSpace(e.EventKey) == "":
		problem = "no event key"
	case e.OccurredAt.IsZero():
		problem = "no time it occurred"
	case e.Source != PopulationSourceJira && e.Source != PopulationSourceRecorded:
		problem = fmt.Sprintf("source %q is not jira or recorded", e.Source)
	case strings.TrimSpace(e.RecordedBy) == "":
		problem = "no recorder"
	case (strings.TrimSpace(e.ApprovedBy) == "") != e.ApprovedAt.IsZero():
		problem = "an approval needs both who approved and when"
	default:
		return nil
	}
	return fmt.Errorf("%w %s/%s: %s", ErrInvalidPopulationEvent, e.ControlID, e.EventKey, problem)
}

// PopulationCount is the source's own count of a control's events in a
// period, taken when the period was imported.
type PopulationCount struct {
	EngagementID string    `json:"engagement_id"`
	ControlID    string    `json:"control_id"`
	Source       string    `json:"source"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Count        int       `json:"count"`
	CountedAt    time.Time `json:"counted_at"`
}
