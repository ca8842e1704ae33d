package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
)

// ErrNotFound means the record asked for does not exist (an engagement, a
// finding, a person, a remediation item); errors wrap it with what was
// looked for, so callers test it with errors.Is.
var ErrNotFound = errors.New("not found")

// EngagementSummary is one line of `starter list`.
type EngagementSummary struct {
	ID         string    `json:"id" db:"id"`
	Client     string    `json:"client" db:"client_name"`
	Phase      string    `json:"phase" db:"phase"`
	Revision   int       `json:"spec_revision" db:"spec_revision"`
	Frameworks []string  `json:"frameworks" db:"frameworks"`
	AuditDate  string    `json:"audit_date" db:"audit_date"`
	WorkflowID string    `json:"workflow_id" db:"workflow_id"`
	UpdatedAt  time.Time `json:"updated_at" db:"updated_at"`
}

// summariesSQL lists engagement summaries, most recently changed first: all
// of them, or the one named by @id.
const summariesSQL = `
	SELECT e.id, e.client_name, e.phase, e.spec_revision,
	       coalesce(array_agg(f.framework ORDER BY f.framework) FILTER (WHERE f.framework IS NOT NULL), '{}') AS frameworks,
	       e.audit_date::text AS audit_date, e.workflow_id, e.updated_at
	FROM engagements e LEFT JOIN engagement_frameworks f ON f.engagement_id = e.id
	WHERE @id = '' OR e.id = @id
	GROUP BY e.id ORDER BY e.updated_at DESC, e.id`

// ListEngagements returns every engagement, most recently changed first.
func (s *Store) ListEngagements(ctx context.Context) ([]EngagementSummary, error) {
	rows, err := s.q.Query(ctx, summariesSQL, pgx.StrictNamedArgs{"id": ""})
	if err != nil {
		return nil, fmt.Errorf("list engagements: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[EngagementSummary])
	if err != nil {
		return nil, fmt.Errorf("list engagements: %w", err)
	}
	return out, nil
}

// Engagement reads one engagement's summary; ErrNotFound when none has id.
func (s *Store) Engagement(ctx context.Context, id string) (EngagementSummary, error) {
	if id == "" {
		return EngagementSummary{}, fmt.Errorf("engagement with no ID: %w", ErrNotFound)
	}
	rows, err := s.q.Query(ctx, summariesSQL, pgx.StrictNamedArgs{"id": id})
	if err != nil {
		return EngagementSummary{}, fmt.Errorf("read engagement %s: %w", id, err)
	}
	e, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[EngagementSummary])
	if errors.Is(err, pgx.ErrNoRows) {
		return EngagementSummary{}, fmt.Errorf("engagement %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return EngagementSummary{}, fmt.Errorf("read engagement %s: %w", id, err)
	}
	return e, nil
}

// ScopeRisks lists the findings recorded for one spec revision.
func (s *Store) ScopeRisks(ctx context.Context, id string, revision int) ([]compliance.ScopeRisk, error) {
	rows, err := s.q.Query(ctx, `
		SELECT rule, severity, systems, message FROM scope_risks
		WHERE engagement_id = $1 AND spec_revision = $2
		ORDER BY CASE severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, rule, systems_key`, id, revision)
	if err != nil {
		return nil, fmt.Errorf("list scope risks of %s: %w", id, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (compliance.ScopeRisk, error) {
		var r compliance.ScopeRisk
		err := row.Scan(&r.Rule, &r.Severity, &r.Systems, &r.Message)
		return r, err
	})
}

// PersonRoles returns the roles of a person in an engagement.
func (s *Store) PersonRoles(ctx context.Context, engagementID, email string) ([]string, error) {
	var roles []string
	err := s.q.QueryRow(ctx, `SELECT roles FROM people WHERE engagement_id = $1 AND email = lower($2)`, engagementID, email).Scan(&roles)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s in %s: %w", email, engagementID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read roles of %s: %w", email, err)
	}
	return roles, nil
}

// SpecAndPlan reads an engagement's current spec and the plan of its
// current revision.
func (s *Store) SpecAndPlan(ctx context.Context, id string) (compliance.Spec, compliance.Plan, error) {
	var spec compliance.Spec
	var plan compliance.Plan
	var specJSON, planJSON []byte
	err := s.q.QueryRow(ctx, `
		SELECT e.spec, p.plan FROM engagements e
		JOIN plans p ON p.engagement_id = e.id AND p.spec_revision = e.spec_revision
		WHERE e.id = $1`, id).Scan(&specJSON, &planJSON)
	if errors.Is(err, pgx.ErrNoRows) {
		return spec, plan, fmt.Errorf("engagement %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return spec, plan, fmt.Errorf("read spec of %s: %w", id, err)
	}
	if err := json.Unmarshal(specJSON, &spec); err != nil {
		return spec, plan, fmt.Errorf("decode spec of %s: %w", id, err)
	}
	if err := json.Unmarshal(planJSON, &plan); err != nil {
		return spec, plan, fmt.Errorf("decode plan of %s: %w", id, err)
	}
	return spec, plan, nil
}
