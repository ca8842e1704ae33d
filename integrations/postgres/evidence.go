package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// HashValue is the SHA-256 of the evidence exactly as given, so a link
// edited after the fact shows.
func HashValue(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// AddEvidence appends evidence once per submission key and returns its ID.
func (s *Store) AddEvidence(ctx context.Context, e Evidence) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO evidence (engagement_id, control_id, occurrence_key, period_start, period_end, due_at, submitted_at,
				submitted_by, channel, kind, value, value_sha256, corrects, submission_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (engagement_id, submission_key) DO NOTHING
			RETURNING id`,
			e.EngagementID, e.ControlID, e.OccurrenceKey, e.PeriodStart.Format("2006-01-02"), e.PeriodEnd.Format("2006-01-02"),
			e.DueAt, e.SubmittedAt, strings.ToLower(e.SubmittedBy), e.Channel, e.Kind, e.Value, HashValue(e.Value), e.Corrects,
			e.SubmissionKey).Scan(&id)
		if err == pgx.ErrNoRows {
			return tx.QueryRow(ctx, `SELECT id FROM evidence WHERE engagement_id = $1 AND submission_key = $2`, e.EngagementID, e.SubmissionKey).Scan(&id)
		}
		if err != nil {
			return fmt.Errorf("add evidence for %s: %w", e.OccurrenceKey, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: e.EngagementID, Key: "evidence/" + e.SubmissionKey, Kind: "evidence-added",
			Actor: strings.ToLower(e.SubmittedBy), Channel: e.Channel, At: e.SubmittedAt,
			Detail: map[string]any{"control": e.ControlID, "occurrence": e.OccurrenceKey, "kind": e.Kind, "sha256": HashValue(e.Value)},
		})
	})
	return id, err
}

// EvidenceFor lists an engagement's evidence, oldest first.
func (s *Store) EvidenceFor(ctx context.Context, engagementID string) ([]Evidence, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, engagement_id, control_id, occurrence_key, period_start::timestamptz, period_end::timestamptz, due_at,
			submitted_at, submitted_by, channel, kind, value, value_sha256, corrects, submission_key
		FROM evidence WHERE engagement_id = $1 ORDER BY submitted_at, id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list evidence of %s: %w", engagementID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[Evidence])
}
