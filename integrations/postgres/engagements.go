package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
)

// ScopeRecord is one assessed revision of an engagement's scope.
type ScopeRecord struct {
	EngagementID string
	WorkflowID   string
	Revision     int
	Spec         compliance.Spec
	Plan         compliance.Plan
	Risks        []compliance.ScopeRisk
	Phase        compliance.Phase
	RecordedBy   string
	At           time.Time
}

// RecordScope writes an engagement's spec, systems, people, plan and scope
// risks for one revision, in one transaction. Systems and people dropped by a
// revision are removed; everything else is upserted, so replaying the same
// record changes nothing.
func (s *Store) RecordScope(ctx context.Context, r ScopeRecord) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		spec, err := json.Marshal(r.Spec)
		if err != nil {
			return fmt.Errorf("encode spec: %w", err)
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO engagements (id, client_name, workflow_id, phase, spec_revision, spec, audit_date, time_zone)
			VALUES (@id, @client_name, @workflow_id, @phase, @spec_revision, @spec, @audit_date, @time_zone)
			ON CONFLICT (id) DO UPDATE SET
				client_name = EXCLUDED.client_name, workflow_id = EXCLUDED.workflow_id,
				phase = EXCLUDED.phase, spec_revision = EXCLUDED.spec_revision, spec = EXCLUDED.spec,
				audit_date = EXCLUDED.audit_date, time_zone = EXCLUDED.time_zone, updated_at = now()
			WHERE engagements.spec_revision <= EXCLUDED.spec_revision`,
			pgx.StrictNamedArgs{"id": r.EngagementID, "client_name": r.Spec.Client.Name, "workflow_id": r.WorkflowID,
				"phase": r.Phase, "spec_revision": r.Revision, "spec": spec, "audit_date": r.Spec.AuditDate.String(),
				"time_zone": r.Spec.Reminders.TimeZone})
		if err != nil {
			return fmt.Errorf("upsert engagement %s: %w", r.EngagementID, err)
		}
		if err := upsertFrameworks(ctx, tx, r); err != nil {
			return err
		}
		if err := upsertSystems(ctx, tx, r); err != nil {
			return err
		}
		if err := upsertPeople(ctx, tx, r); err != nil {
			return err
		}
		if err := upsertPlanAndRisks(ctx, tx, r); err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: r.EngagementID, Key: fmt.Sprintf("scope-assessed/%d", r.Revision),
			Kind: EventScopeAssessed, Actor: r.RecordedBy, Channel: ChannelWorkflow, At: r.At,
			Detail: map[string]any{"revision": r.Revision, "risks": len(r.Risks), "plan_fits": r.Plan.Fits},
		})
	})
}

func upsertFrameworks(ctx context.Context, tx Querier, r ScopeRecord) error {
	var ids []string
	for _, f := range r.Spec.Frameworks {
		details, err := json.Marshal(f)
		if err != nil {
			return fmt.Errorf("encode framework %s: %w", f.ID, err)
		}
		ids = append(ids, string(f.ID))
		if _, err := tx.Exec(ctx, `
			INSERT INTO engagement_frameworks (engagement_id, framework, version, details) VALUES ($1, $2, $3, $4)
			ON CONFLICT (engagement_id, framework) DO UPDATE SET version = EXCLUDED.version, details = EXCLUDED.details`,
			r.EngagementID, f.ID, f.Version, details); err != nil {
			return fmt.Errorf("upsert framework %s of %s: %w", f.ID, r.EngagementID, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM engagement_frameworks WHERE engagement_id = $1 AND NOT (framework = ANY($2))`, r.EngagementID, ids); err != nil {
		return fmt.Errorf("remove dropped frameworks of %s: %w", r.EngagementID, err)
	}
	return nil
}

func upsertSystems(ctx context.Context, tx Querier, r ScopeRecord) error {
	var names []string
	for _, sys := range r.Spec.Systems {
		names = append(names, sys.Name)
		if _, err := tx.Exec(ctx, `
			INSERT INTO systems (engagement_id, name, kind, environment, data_classes, scope, rationale, cde, cardholder_flow, connected_to)
			VALUES (@engagement_id, @name, @kind, @environment, @data_classes, @scope, @rationale, @cde, @cardholder_flow, @connected_to)
			ON CONFLICT (engagement_id, name) DO UPDATE SET
				kind = EXCLUDED.kind, environment = EXCLUDED.environment, data_classes = EXCLUDED.data_classes,
				scope = EXCLUDED.scope, rationale = EXCLUDED.rationale, cde = EXCLUDED.cde,
				cardholder_flow = EXCLUDED.cardholder_flow, connected_to = EXCLUDED.connected_to`,
			pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "name": sys.Name, "kind": sys.Kind, "environment": sys.Environment,
				"data_classes": strs(sys.Data), "scope": sys.Scope, "rationale": sys.Rationale, "cde": sys.CDE,
				"cardholder_flow": strs(sys.CardholderFlow), "connected_to": nonNil(sys.ConnectedTo)}); err != nil {
			return fmt.Errorf("upsert system %s of %s: %w", sys.Name, r.EngagementID, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM systems WHERE engagement_id = $1 AND NOT (name = ANY($2))`, r.EngagementID, nonNil(names)); err != nil {
		return fmt.Errorf("remove dropped systems of %s: %w", r.EngagementID, err)
	}
	return nil
}

func upsertPeople(ctx context.Context, tx Querier, r ScopeRecord) error {
	var emails []string
	for _, p := range r.Spec.People {
		email := strings.ToLower(p.Email)
		emails = append(emails, email)
		if _, err := tx.Exec(ctx, `
			INSERT INTO people (engagement_id, email, name, slack_id, roles, owns, time_zone)
			VALUES (@engagement_id, @email, @name, @slack_id, @roles, @owns, @time_zone)
			ON CONFLICT (engagement_id, email) DO UPDATE SET
				name = EXCLUDED.name, slack_id = EXCLUDED.slack_id, roles = EXCLUDED.roles,
				owns = EXCLUDED.owns, time_zone = EXCLUDED.time_zone`,
			pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "email": email, "name": p.Name, "slack_id": p.SlackID,
				"roles": strs(p.Roles), "owns": strs(p.Owns), "time_zone": p.TimeZone}); err != nil {
			return fmt.Errorf("upsert person %s of %s: %w", email, r.EngagementID, err)
		}
	}
	if _, err := tx.Exec(ctx, `DELETE FROM people WHERE engagement_id = $1 AND NOT (email = ANY($2))`, r.EngagementID, nonNil(emails)); err != nil {
		return fmt.Errorf("remove dropped people of %s: %w", r.EngagementID, err)
	}
	return nil
}

func upsertPlanAndRisks(ctx context.Context, tx Querier, r ScopeRecord) error {
	plan, err := json.Marshal(r.Plan)
	if err != nil {
		return fmt.Errorf("encode plan: %w", err)
	}
	p := r.Plan
	if _, err := tx.Exec(ctx, `
		INSERT INTO plans (engagement_id, spec_revision, fits, start_date, latest_start, operating_start, operating_end, readiness_start, audit_date, plan)
		VALUES (@engagement_id, @spec_revision, @fits, @start_date, @latest_start, @operating_start, @operating_end,
			@readiness_start, @audit_date, @plan)
		ON CONFLICT (engagement_id, spec_revision) DO UPDATE SET
			fits = EXCLUDED.fits, start_date = EXCLUDED.start_date, latest_start = EXCLUDED.latest_start,
			operating_start = EXCLUDED.operating_start, operating_end = EXCLUDED.operating_end,
			readiness_start = EXCLUDED.readiness_start, audit_date = EXCLUDED.audit_date, plan = EXCLUDED.plan`,
		pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "spec_revision": r.Revision, "fits": p.Fits,
			"start_date": p.Start.String(), "latest_start": p.LatestStart.String(), "operating_start": p.Operating.Start.String(),
			"operating_end": p.Operating.End.String(), "readiness_start": p.Readiness.Start.String(),
			"audit_date": p.AuditDate.String(), "plan": plan}); err != nil {
		return fmt.Errorf("upsert plan of %s: %w", r.EngagementID, err)
	}
	for _, risk := range r.Risks {
		if _, err := tx.Exec(ctx, `
			INSERT INTO scope_risks (engagement_id, spec_revision, rule, systems_key, systems, severity, message)
			VALUES (@engagement_id, @spec_revision, @rule, @systems_key, @systems, @severity, @message)
			ON CONFLICT (engagement_id, spec_revision, rule, systems_key) DO UPDATE SET
				severity = EXCLUDED.severity, message = EXCLUDED.message`,
			pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "spec_revision": r.Revision, "rule": risk.Rule,
				"systems_key": strings.Join(risk.Systems, ","), "systems": nonNil(risk.Systems), "severity": risk.Severity,
				"message": risk.Message}); err != nil {
			return fmt.Errorf("upsert scope risk %s of %s: %w", risk.Rule, r.EngagementID, err)
		}
	}
	return nil
}

// Decision is a lead's sign-off or rejection of one scope revision.
type Decision struct {
	EngagementID string
	Revision     int
	Approved     bool
	By           string
	Reason       string
	Channel      string
	UpdateID     string
	At           time.Time
}

// ErrConflictingDecision means a different decision is already recorded for
// the revision; the workflow's validator should have made this impossible.
var ErrConflictingDecision = errors.New("a different scope decision is already recorded")

// RecordDecision stores a scope decision and its event. Recording the same
// decision twice is a no-op; a different one for the same revision fails.
func (s *Store) RecordDecision(ctx context.Context, d Decision) error {
	decision := "rejected"
	kind := EventScopeRejected
	if d.Approved {
		decision, kind = "approved", EventScopeApproved
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO scope_decisions (engagement_id, spec_revision, decision, decided_by, reason, channel, update_id, decided_at)
			VALUES (@engagement_id, @spec_revision, @decision, @decided_by, @reason, @channel, @update_id, @decided_at)
			ON CONFLICT (engagement_id, spec_revision) DO NOTHING`,
			pgx.StrictNamedArgs{"engagement_id": d.EngagementID, "spec_revision": d.Revision, "decision": decision,
				"decided_by": d.By, "reason": d.Reason, "channel": d.Channel, "update_id": d.UpdateID, "decided_at": d.At})
		if err != nil {
			return fmt.Errorf("insert scope decision for %s: %w", d.EngagementID, err)
		}
		if tag.RowsAffected() == 0 {
			var existing, by string
			if err := tx.QueryRow(ctx, `SELECT decision, decided_by FROM scope_decisions WHERE engagement_id = $1 AND spec_revision = $2`,
				d.EngagementID, d.Revision).Scan(&existing, &by); err != nil {
				return fmt.Errorf("read scope decision for %s: %w", d.EngagementID, err)
			}
			if existing != decision || !strings.EqualFold(by, d.By) {
				return fmt.Errorf("%w: revision %d of %s was %s by %s", ErrConflictingDecision, d.Revision, d.EngagementID, existing, by)
			}
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: d.EngagementID, Key: fmt.Sprintf("scope-decision/%d", d.Revision),
			Kind: kind, Actor: d.By, Channel: d.Channel, At: d.At,
			Detail: map[string]any{"revision": d.Revision, "reason": d.Reason, "update_id": d.UpdateID},
		})
	})
}

// PhaseChange records that an engagement entered a phase.
type PhaseChange struct {
	EngagementID string
	Phase        compliance.Phase
	Revision     int
	Actor        string
	At           time.Time
}

// RecordPhase moves the engagement to a phase and logs the change once.
func (s *Store) RecordPhase(ctx context.Context, c PhaseChange) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE engagements SET phase = $2, updated_at = now() WHERE id = $1`, c.EngagementID, c.Phase); err != nil {
			return fmt.Errorf("set phase of %s: %w", c.EngagementID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: c.EngagementID, Key: fmt.Sprintf("phase/%s/%d", c.Phase, c.Revision),
			Kind: EventPhaseEntered, Actor: c.Actor, Channel: ChannelWorkflow, At: c.At,
			Detail: map[string]any{"phase": c.Phase, "revision": c.Revision},
		})
	})
}

func strs[T ~string](vs []T) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = string(v)
	}
	return out
}

func nonNil(vs []string) []string {
	if vs == nil {
		return []string{}
	}
	return vs
}
