package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
)

// PopulationCount is the source's count of a control's events in a period.
type PopulationCount = compliance.PopulationCount

// RecordPopulationCount keeps the source's count of a period; a re-import
// of the same period replaces it with the newer count.
func (s *Store) RecordPopulationCount(ctx context.Context, c PopulationCount) error {
	_, err := s.q.Exec(ctx, `
		INSERT INTO population_counts (engagement_id, control_id, source, period_from, period_to, source_count, counted_at)
		VALUES (@engagement_id, @control_id, @source, @from, @to, @count, @at)
		ON CONFLICT (engagement_id, control_id, source, period_from, period_to)
		DO UPDATE SET source_count = EXCLUDED.source_count, counted_at = EXCLUDED.counted_at`,
		pgx.StrictNamedArgs{"engagement_id": c.EngagementID, "control_id": c.ControlID, "source": c.Source,
			"from": c.From, "to": c.To, "count": c.Count, "at": c.CountedAt})
	if err != nil {
		return fmt.Errorf("record the %s count of %s: %w", c.Source, c.ControlID, err)
	}
	return nil
}

// PopulationCounts lists an engagement's source counts, latest first.
func (s *Store) PopulationCounts(ctx context.Context, engagementID string) ([]PopulationCount, error) {
	rows, err := s.q.Query(ctx, `
		SELECT engagement_id, control_id, source, period_from, period_to, source_count, counted_at
		FROM population_counts WHERE engagement_id = @engagement_id ORDER BY counted_at DESC, control_id`,
		pgx.StrictNamedArgs{"engagement_id": engagementID})
	if err != nil {
		return nil, fmt.Errorf("list population counts of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PopulationCount, error) {
		var c PopulationCount
		err := r.Scan(&c.EngagementID, &c.ControlID, &c.Source, &c.From, &c.To, &c.Count, &c.CountedAt)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("list population counts of %s: %w", engagementID, err)
	}
	return out, nil
}
