package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Where a population event came from.
const (
	PopulationSourceJira     = "jira"
	PopulationSourceRecorded = "recorded"
)

// ErrInvalidPopulationEvent marks an event the store refuses before writing
// anything (no key, no time, half an approval). Retrying cannot fix it.
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
	// EvidenceRef is where the auditor finds the event's record: the Jira
	// browse URL, a pull request, a log entry.
	EvidenceRef string    `json:"evidence_ref,omitempty"`
	RecordedBy  string    `json:"recorded_by"`
	RecordedAt  time.Time `json:"recorded_at"`
}

// Approved reports whether an approval is recorded.
func (e PopulationEvent) Approved() bool { return e.ApprovedBy != "" }

func (e PopulationEvent) validate() error {
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

// RecordPopulationEvents writes events in one transaction and returns how
// many were new. An event already recorded (same engagement, control and
// key) is not duplicated; a missing approval or evidence reference on it is
// filled in from the new one, and nothing else changes (see migration
// 00006). Every event is checked before anything is written, so a bad one
// leaves nothing half-written. Each new row and each fill-in is logged in
// engagement_events.
func (s *Store) RecordPopulationEvents(ctx context.Context, events []PopulationEvent) (int, error) {
	for _, e := range events {
		if err := e.validate(); err != nil {
			return 0, err
		}
	}
	inserted := 0
	err := pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		for _, e := range events {
			n, err := recordPopulationEvent(ctx, tx, e)
			if err != nil {
				return err
			}
			inserted += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return inserted, nil
}

func recordPopulationEvent(ctx context.Context, tx Querier, e PopulationEvent) (int, error) {
	var approvedBy *string
	var approvedAt *time.Time
	if by := strings.TrimSpace(e.ApprovedBy); by != "" {
		approvedBy, approvedAt = &by, &e.ApprovedAt
	}
	var inserted bool
	err := tx.QueryRow(ctx, `
		INSERT INTO population_events AS p (engagement_id, control_id, event_key, occurred_at, source, summary,
			approved_by, approved_at, evidence_ref, recorded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (engagement_id, control_id, event_key) DO UPDATE SET
			approved_by  = COALESCE(p.approved_by, EXCLUDED.approved_by),
			approved_at  = CASE WHEN p.approved_by IS NULL THEN EXCLUDED.approved_at ELSE p.approved_at END,
			evidence_ref = CASE WHEN p.evidence_ref = '' THEN EXCLUDED.evidence_ref ELSE p.evidence_ref END
		WHERE (p.approved_by IS NULL AND EXCLUDED.approved_by IS NOT NULL)
			OR (p.evidence_ref = '' AND EXCLUDED.evidence_ref <> '')
		RETURNING xmax = 0`,
		e.EngagementID, e.ControlID, e.EventKey, e.OccurredAt, e.Source, e.Summary,
		approvedBy, approvedAt, strings.TrimSpace(e.EvidenceRef), e.RecordedBy).Scan(&inserted)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil // already recorded, nothing to fill in
	}
	if err != nil {
		return 0, fmt.Errorf("record population event %s/%s: %w", e.ControlID, e.EventKey, err)
	}
	key, kind := "population/"+e.ControlID+"/"+e.EventKey, "population-event-recorded"
	detail := map[string]any{"control": e.ControlID, "event": e.EventKey, "source": e.Source, "occurred_at": e.OccurredAt}
	if approvedBy != nil {
		detail["approved_by"], detail["approved_at"] = *approvedBy, *approvedAt
	}
	if e.EvidenceRef != "" {
		detail["evidence_ref"] = e.EvidenceRef
	}
	if !inserted {
		// A fill-in: keyed by what it filled, so each distinct one is logged once.
		kind = "population-event-completed"
		key += "/filled/" + HashValue(fmt.Sprint(detail["approved_by"], "\x00", detail["evidence_ref"]))[:16]
	}
	if err := appendEvent(ctx, tx, Event{EngagementID: e.EngagementID, Key: key, Kind: kind,
		Actor: e.RecordedBy, Channel: channelOf(e.Source), At: time.Now().UTC(), Detail: detail}); err != nil {
		return 0, err
	}
	if inserted {
		return 1, nil
	}
	return 0, nil
}

// channelOf is how a population event reached the record: an import runs in
// a workflow or the CLI's import command, a recorded event is typed in.
func channelOf(source string) string {
	if source == PopulationSourceJira {
		return ChannelWorkflow
	}
	return ChannelCLI
}

// PopulationEvents lists an engagement's population events that occurred in
// [from, to), by control then time. An empty controlID means every control;
// a zero from or to leaves that end open.
func (s *Store) PopulationEvents(ctx context.Context, engagementID, controlID string, from, to time.Time) ([]PopulationEvent, error) {
	var lo, hi *time.Time
	if !from.IsZero() {
		lo = &from
	}
	if !to.IsZero() {
		hi = &to
	}
	rows, err := s.q.Query(ctx, `
		SELECT id, engagement_id, control_id, event_key, occurred_at, source, summary,
			approved_by, approved_at, evidence_ref, recorded_by, recorded_at
		FROM population_events
		WHERE engagement_id = $1 AND ($2 = '' OR control_id = $2)
			AND ($3::timestamptz IS NULL OR occurred_at >= $3)
			AND ($4::timestamptz IS NULL OR occurred_at < $4)
		ORDER BY control_id, occurred_at, event_key`, engagementID, controlID, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("list population events of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PopulationEvent, error) {
		var e PopulationEvent
		var by *string
		var at *time.Time
		err := r.Scan(&e.ID, &e.EngagementID, &e.ControlID, &e.EventKey, &e.OccurredAt, &e.Source, &e.Summary,
			&by, &at, &e.EvidenceRef, &e.RecordedBy, &e.RecordedAt)
		if by != nil && at != nil {
			e.ApprovedBy, e.ApprovedAt = *by, *at
		}
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("list population events of %s: %w", engagementID, err)
	}
	return out, nil
}
