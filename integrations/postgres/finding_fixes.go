package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// FindingFix is the owner's evidence that a finding was fixed.
type FindingFix struct {
	FindingID string    `json:"finding_id" db:"finding_id"`
	Evidence  string    `json:"evidence" db:"evidence"`
	FixedBy   string    `json:"fixed_by" db:"fixed_by"`
	FixedAt   time.Time `json:"fixed_at" db:"fixed_at"`
}

// SetFindingRemediation records the ticket (or remediation item) opened to
// fix a finding. An unknown finding is ErrNotFound.
func (s *Store) SetFindingRemediation(ctx context.Context, engagementID, findingID, item string) error {
	tag, err := s.q.Exec(ctx, `UPDATE readiness_findings SET remediation_item = $3
		WHERE engagement_id = $1 AND finding_id = $2`, engagementID, findingID, item)
	if err != nil {
		return fmt.Errorf("record remediation of finding %s: %w", findingID, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finding %s of %s: %w", findingID, engagementID, ErrNotFound)
	}
	return nil
}

// ResolveFinding records the evidence that a finding was fixed, once: the
// first evidence recorded stands (a retried answer is the same evidence).
func (s *Store) ResolveFinding(ctx context.Context, engagementID, findingID, evidence, by string, at time.Time) error {
	_, err := s.q.Exec(ctx, `INSERT INTO finding_fixes (engagement_id, finding_id, evidence, fixed_by, fixed_at)
		VALUES (@engagement_id, @finding_id, @evidence, lower(@fixed_by), @fixed_at) ON CONFLICT (engagement_id, finding_id) DO NOTHING`,
		pgx.StrictNamedArgs{"engagement_id": engagementID, "finding_id": findingID, "evidence": evidence, "fixed_by": by, "fixed_at": at})
	if err != nil {
		return fmt.Errorf("record the fix of finding %s: %w", findingID, err)
	}
	return nil
}

// FindingFixes lists the fixes recorded for an engagement's findings.
func (s *Store) FindingFixes(ctx context.Context, engagementID string) (map[string]FindingFix, error) {
	rows, err := s.q.Query(ctx, `SELECT finding_id, evidence, fixed_by, fixed_at FROM finding_fixes
		WHERE engagement_id = $1`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list finding fixes of %s: %w", engagementID, err)
	}
	fixes, err := pgx.CollectRows(rows, pgx.RowToStructByName[FindingFix])
	if err != nil {
		return nil, fmt.Errorf("list finding fixes of %s: %w", engagementID, err)
	}
	out := make(map[string]FindingFix, len(fixes))
	for _, f := range fixes {
		out[f.FindingID] = f
	}
	return out, nil
}
