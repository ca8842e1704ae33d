package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// EngagementAuditors lists the invitations into one engagement's
// auditor's room still open on day.
func (s *Store) EngagementAuditors(ctx context.Context, engagementID string, day time.Time) ([]AuditorInvite, error) {
	rows, err := s.q.Query(ctx, `SELECT engagement_id, email, until_day, invited_by, invited_at FROM web_auditor_invites
		WHERE engagement_id = @engagement_id AND until_day >= @day::date ORDER BY email`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "day": day.Format("2006-01-02")})
	if err != nil {
		return nil, fmt.Errorf("list auditors of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditorInvite])
	if err != nil {
		return nil, fmt.Errorf("list auditors of %s: %w", engagementID, err)
	}
	return out, nil
}
