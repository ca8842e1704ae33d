package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
)

// The population event and its rule live in compliance.
type PopulationEvent = compliance.PopulationEvent

const (
	PopulationSourceJira     = compliance.PopulationSourceJira
	PopulationSourceRecorded = compliance.PopulationSourceRecorded
)

// ErrInvalidPopulationEvent is compliance's: the store returns it when the
// table's constraints refuse an event (see populationConstraint).
var ErrInvalidPopulationEvent = compliance.ErrInvalidPopulationEvent

// populationConstraints says, for each constraint on population_events,
// what an event it refuses lacks (migrations 00006 and 00011).
var populationConstraints = map[string]string{
	"population_events_source_check":      "source is not jira or recorded",
	"population_events_check":             "an approval needs both who approved and when",
	"population_events_control_id_check":  "no control",
	"population_events_event_key_check":   "no event key",
	"population_events_occurred_at_check": "no time it occurred",
	"population_events_recorded_by_check": "no recorder",
}

// populationConstraint turns a constraint the database enforced into
// ErrInvalidPopulationEvent naming the event; other errors pass unchanged.
func populationConstraint(e PopulationEvent, err error) error {
	return refused(err, "population_events", populationConstraints, ErrInvalidPopulationEvent, e.ControlID+"/"+e.EventKey)
}

// RecordPopulationEvents writes events in one transaction and returns how
// many were new. An event already recorded (same engagement, control and
// key) is not duplicated; a missing approval or evidence reference on it is
// filled in from the new one, and nothing else changes (see migration
// 00006). What an event must hold is compliance's rule
// (PopulationEvent.Validate), which callers apply first for a clear
// message; the table's constraints refuse what breaks it from any writer,
// and the store reports that as ErrInvalidPopulationEvent. The write is one
// transaction, so a bad event leaves nothing half-written. Each new row and
// each fill-in is logged in engagement_events.
func (s *Store) RecordPopulationEvents(ctx context.Context, events []PopulationEvent) (int, error) {
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
	// Half an approval is passed on as it is, for the table's check to refuse.
	var approvedBy *string
	var approvedAt *time.Time
	if by := strings.TrimSpace(e.ApprovedBy); by != "" {
		approvedBy = &by
	}
	if !e.ApprovedAt.IsZero() {
		approvedAt = &e.ApprovedAt
	}
	var inserted bool
	err := tx.QueryRow(ctx, `
		INSERT INTO population_events AS p (engagement_id, control_id, event_key, occurred_at, source, summary,
			approved_by, approved_at, evidence_ref, recorded_by, author, implementer)
		VALUES (@engagement_id, @control_id, @event_key, @occurred_at, @source, @summary,
			@approved_by, @approved_at, @evidence_ref, @recorded_by, @author, @implementer)
		ON CONFLICT (engagement_id, control_id, event_key) DO UPDATE SET
			approved_by  = COALESCE(p.approved_by, EXCLUDED.approved_by),
			approved_at  = CASE WHEN p.approved_by IS NULL THEN EXCLUDED.approved_at ELSE p.approved_at END,
			evidence_ref = CASE WHEN p.evidence_ref = '' THEN EXCLUDED.evidence_ref ELSE p.evidence_ref END
		WHERE (p.approved_by IS NULL AND EXCLUDED.approved_by IS NOT NULL)
			OR (p.evidence_ref = '' AND EXCLUDED.evidence_ref <> '')
		RETURNING xmax = 0`,
		pgx.StrictNamedArgs{"engagement_id": e.EngagementID, "control_id": e.ControlID, "event_key": e.EventKey,
			"occurred_at": e.OccurredAt, "source": e.Source, "summary": e.Summary, "approved_by": approvedBy,
			"approved_at": approvedAt, "evidence_ref": strings.TrimSpace(e.EvidenceRef), "recorded_by": e.RecordedBy,
			"author": strings.TrimSpace(e.Author), "implementer": strings.TrimSpace(e.Implementer)}).Scan(&inserted)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil // already recorded, nothing to fill in
	}
	if err != nil {
		return 0, fmt.Errorf("record population event %s/%s: %w", e.ControlID, e.EventKey, populationConstraint(e, err))
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
			approved_by, approved_at, evidence_ref, recorded_by, recorded_at, author, implementer
		FROM population_events
		WHERE engagement_id = @engagement_id AND (@control_id = '' OR control_id = @control_id)
			AND (@from::timestamptz IS NULL OR occurred_at >= @from)
			AND (@to::timestamptz IS NULL OR occurred_at < @to)
		ORDER BY control_id, occurred_at, event_key`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "control_id": controlID, "from": lo, "to": hi})
	if err != nil {
		return nil, fmt.Errorf("list population events of %s: %w", engagementID, err)
	}
	out, err := collectAs(rows, populationRow.event)
	if err != nil {
		return nil, fmt.Errorf("list population events of %s: %w", engagementID, err)
	}
	return out, nil
}

// populationRow is a population_events row; the approval columns are NULL
// when none is recorded.
type populationRow struct {
	ID           int64      `db:"id"`
	EngagementID string     `db:"engagement_id"`
	ControlID    string     `db:"control_id"`
	EventKey     string     `db:"event_key"`
	OccurredAt   time.Time  `db:"occurred_at"`
	Source       string     `db:"source"`
	Summary      string     `db:"summary"`
	ApprovedBy   *string    `db:"approved_by"`
	ApprovedAt   *time.Time `db:"approved_at"`
	EvidenceRef  string     `db:"evidence_ref"`
	RecordedBy   string     `db:"recorded_by"`
	RecordedAt   time.Time  `db:"recorded_at"`
	Author       string     `db:"author"`
	Implementer  string     `db:"implementer"`
}

func (r populationRow) event() PopulationEvent {
	e := PopulationEvent{ID: r.ID, EngagementID: r.EngagementID, ControlID: r.ControlID, EventKey: r.EventKey,
		OccurredAt: r.OccurredAt, Source: r.Source, Summary: r.Summary, EvidenceRef: r.EvidenceRef,
		RecordedBy: r.RecordedBy, RecordedAt: r.RecordedAt, Author: r.Author, Implementer: r.Implementer}
	if r.ApprovedBy != nil && r.ApprovedAt != nil {
		e.ApprovedBy, e.ApprovedAt = *r.ApprovedBy, *r.ApprovedAt
	}
	return e
}
