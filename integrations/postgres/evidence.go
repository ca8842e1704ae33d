package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance/custreview"
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
				submitted_by, channel, kind, value, value_sha256, corrects, submission_key,
				performed_at, covers_start, covers_end, artifact_sha256, artifact_size, content_type, filename)
			VALUES (@engagement_id, @control_id, @occurrence_key, @period_start, @period_end, @due_at, @submitted_at,
				@submitted_by, @channel, @kind, @value, @value_sha256, @corrects, @submission_key,
				@performed_at, @covers_start::date, @covers_end::date, @artifact_sha256, @artifact_size, @content_type, @filename)
			ON CONFLICT (engagement_id, submission_key) DO NOTHING
			RETURNING id`,
			pgx.StrictNamedArgs{"engagement_id": e.EngagementID, "control_id": e.ControlID, "occurrence_key": e.OccurrenceKey,
				"period_start": e.PeriodStart.Format("2006-01-02"), "period_end": e.PeriodEnd.Format("2006-01-02"),
				"due_at": e.DueAt, "submitted_at": e.SubmittedAt, "submitted_by": strings.ToLower(e.SubmittedBy),
				"channel": e.Channel, "kind": e.Kind, "value": e.Value, "value_sha256": valueHash(e),
				"corrects": e.Corrects, "submission_key": e.SubmissionKey,
				"performed_at": e.PerformedAt, "covers_start": timeDateOrNil(e.CoversStart), "covers_end": timeDateOrNil(e.CoversEnd),
				"artifact_sha256": e.ArtifactSHA256, "artifact_size": e.ArtifactSize, "content_type": e.ContentType, "filename": e.Filename}).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return tx.QueryRow(ctx, `SELECT id FROM evidence WHERE engagement_id = $1 AND submission_key = $2`, e.EngagementID, e.SubmissionKey).Scan(&id)
		}
		if err != nil {
			return fmt.Errorf("add evidence for %s: %w", e.OccurrenceKey, err)
		}
		if err := unsettleAnswers(ctx, tx, e.EngagementID, custreview.EvidenceChanged(e.ControlID, e.OccurrenceKey, e.SubmittedAt)); err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: e.EngagementID, Key: "evidence/" + e.SubmissionKey, Kind: "evidence-added",
			Actor: strings.ToLower(e.SubmittedBy), Channel: e.Channel, At: e.SubmittedAt,
			Detail: map[string]any{"control": e.ControlID, "occurrence": e.OccurrenceKey, "kind": e.Kind, "sha256": valueHash(e)},
		})
	})
	return id, err
}

// EvidenceFor lists an engagement's evidence, oldest first.
func (s *Store) EvidenceFor(ctx context.Context, engagementID string) ([]Evidence, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, engagement_id, control_id, occurrence_key, period_start::timestamptz AS period_start,
			period_end::timestamptz AS period_end, due_at, submitted_at, submitted_by, channel, kind, value, value_sha256,
			corrects, submission_key, performed_at, covers_start::timestamptz AS covers_start, covers_end::timestamptz AS covers_end,
			artifact_sha256, artifact_size, content_type, filename
		FROM evidence WHERE engagement_id = @engagement_id ORDER BY submitted_at, id`,
		pgx.StrictNamedArgs{"engagement_id": engagementID})
	if err != nil {
		return nil, fmt.Errorf("list evidence of %s: %w", engagementID, err)
	}
	out, err := collectAs(rows, func(r evidenceRow) Evidence { return Evidence(r) })
	if err != nil {
		return nil, fmt.Errorf("list evidence of %s: %w", engagementID, err)
	}
	return out, nil
}

// valueHash is what the row's value_sha256 holds: the artifact's own hash
// for a file (the bytes are the evidence), the hash of the value otherwise.
func valueHash(e Evidence) string {
	if e.ArtifactSHA256 != "" {
		return e.ArtifactSHA256
	}
	return HashValue(e.Value)
}

func timeDateOrNil(t *time.Time) any {
	if t == nil || t.IsZero() {
		return nil
	}
	return t.Format("2006-01-02")
}

// EvidenceRow is one evidence row of an engagement by ID; another
// engagement's row is ErrNotFound, exactly as a row that does not exist.
func (s *Store) EvidenceRow(ctx context.Context, engagementID string, id int64) (Evidence, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, engagement_id, control_id, occurrence_key, period_start::timestamptz AS period_start,
			period_end::timestamptz AS period_end, due_at, submitted_at, submitted_by, channel, kind, value, value_sha256,
			corrects, submission_key, performed_at, covers_start::timestamptz AS covers_start, covers_end::timestamptz AS covers_end,
			artifact_sha256, artifact_size, content_type, filename
		FROM evidence WHERE engagement_id = @engagement_id AND id = @id`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "id": id})
	if err != nil {
		return Evidence{}, fmt.Errorf("evidence %d of %s: %w", id, engagementID, err)
	}
	out, err := collectAs(rows, func(r evidenceRow) Evidence { return Evidence(r) })
	if err != nil {
		return Evidence{}, fmt.Errorf("evidence %d of %s: %w", id, engagementID, err)
	}
	if len(out) == 0 {
		return Evidence{}, fmt.Errorf("evidence %d of %s: %w", id, engagementID, ErrNotFound)
	}
	return out[0], nil
}
