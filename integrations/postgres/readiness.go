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

// Decisions the lead makes on a readiness finding (compliance's).
const (
	DecisionFix    = compliance.FindingFix
	DecisionAccept = compliance.FindingAccept
)

// findingDecisionConstraints names what finding_decisions' checks protect
// (migration 00008): compliance.CheckFindingDecision, held for any writer.
var findingDecisionConstraints = map[string]string{
	"finding_decisions_decision_check": "the decision is not fix or accept",
	"finding_decisions_check":          "accepting a finding as a known exception needs a reason",
}

// ReadinessReview is one readiness review (mock audit) and its findings.
type ReadinessReview struct {
	EngagementID string    `json:"engagement_id"`
	ReviewID     string    `json:"review_id"`
	AsOf         time.Time `json:"as_of"`
	// Seed drew the samples; it is stored as its 64 bits and read back
	// unchanged.
	Seed uint64 `json:"seed"`
	Risk string `json:"risk"`
	// Report is the readiness report as JSON; empty is stored as {}.
	Report   []byte    `json:"report"`
	Findings []Finding `json:"findings"`
}

// Finding is one readiness finding with the lead's latest decision on it.
type Finding struct {
	EngagementID string `json:"engagement_id" db:"engagement_id"`
	// ReviewID is the latest review that reported the finding.
	ReviewID string `json:"review_id" db:"review_id"`
	// FindingID is stable across reviews (see FindingID); empty on save
	// means derive it.
	FindingID     string `json:"finding_id" db:"finding_id"`
	ControlID     string `json:"control_id" db:"control_id"`
	OccurrenceKey string `json:"occurrence_key" db:"occurrence_key"`
	Test          string `json:"test" db:"test"`
	Severity      string `json:"severity" db:"severity"`
	Exception     string `json:"exception" db:"exception"`
	Rank          int    `json:"rank" db:"rank"`
	// Decision is DecisionFix, DecisionAccept or "" when undecided; the
	// other decision fields come from the same, latest, decision.
	Decision  string     `json:"decision,omitempty" db:"decision"`
	Reason    string     `json:"reason,omitempty" db:"reason"`
	DecidedBy string     `json:"decided_by,omitempty" db:"decided_by"`
	DecidedAt *time.Time `json:"decided_at,omitempty" db:"decided_at"`
	// RemediationItem is the remediation item (or ticket) opened for it.
	RemediationItem string `json:"remediation_item,omitempty" db:"remediation_item"`
}

// FindingDecision is the lead deciding to fix a finding or to accept it as a
// known exception.
type FindingDecision struct {
	EngagementID string
	FindingID    string
	Decision     string
	Reason       string
	By           string
	At           time.Time
	// Key identifies the command or update that made the decision: the
	// same key twice records one decision.
	Key string
}

// FindingID is the stable ID of a finding: its occurrence key and the test
// it failed ("ACC-04/2027-Q1/on-time"), with the control in front when the
// occurrence key does not already start with it. The same deviation found by
// a later review gets the same ID, so it keeps its decision.
func FindingID(controlID, occurrenceKey, test string) string {
	if !strings.HasPrefix(occurrenceKey, controlID+"/") {
		occurrenceKey = controlID + "/" + occurrenceKey
	}
	return occurrenceKey + "/" + test
}

// SaveReadinessReview records a review and its findings in one transaction.
// Saving a review already recorded changes nothing, except that a finding's
// remediation item learnt since is filled in where none was recorded. A
// finding reported again by a later review (by as_of) takes the later
// review's wording, severity and rank but keeps its decisions; an earlier
// review saved late does not overwrite a later one's findings.
func (s *Store) SaveReadinessReview(ctx context.Context, r ReadinessReview) error {
	if r.EngagementID == "" || r.ReviewID == "" {
		return errors.New("save readiness review: engagement and review IDs are required")
	}
	report := r.Report
	if len(report) == 0 {
		report = []byte("{}")
	}
	if !json.Valid(report) {
		return fmt.Errorf("save readiness review %s: the report is not valid JSON", r.ReviewID)
	}
	findings := make([]Finding, len(r.Findings))
	seen := map[string]bool{}
	for i, f := range r.Findings {
		if f.ControlID == "" || f.Test == "" {
			return fmt.Errorf("save readiness review %s: finding %d has no control or test", r.ReviewID, i)
		}
		if f.FindingID == "" {
			f.FindingID = FindingID(f.ControlID, f.OccurrenceKey, f.Test)
		}
		if seen[f.FindingID] {
			return fmt.Errorf("save readiness review %s: finding %s is listed twice", r.ReviewID, f.FindingID)
		}
		seen[f.FindingID] = true
		findings[i] = f
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO readiness_reviews (engagement_id, review_id, as_of, seed, risk, report)
			VALUES (@engagement_id, @review_id, @as_of, @seed, @risk, @report)
			ON CONFLICT (engagement_id, review_id) DO NOTHING`,
			pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "review_id": r.ReviewID, "as_of": r.AsOf,
				"seed": int64(r.Seed), // the bits; read back as uint64
				"risk": r.Risk, "report": report})
		if err != nil {
			return fmt.Errorf("save readiness review %s of %s: %w", r.ReviewID, r.EngagementID, err)
		}
		if tag.RowsAffected() == 0 {
			return fillRemediationItems(ctx, tx, r.EngagementID, findings)
		}
		b := &pgx.Batch{}
		for _, f := range findings {
			// The WHERE keeps a late-saved earlier review from rewriting
			// what a later review found.
			b.Queue(`
				INSERT INTO readiness_findings AS cur (engagement_id, review_id, finding_id, control_id, occurrence_key, test,
					severity, exception, rank, remediation_item)
				VALUES (@engagement_id, @review_id, @finding_id, @control_id, @occurrence_key, @test,
					@severity, @exception, @rank, NULLIF(@remediation_item, ''))
				ON CONFLICT (engagement_id, finding_id) DO UPDATE SET
					review_id = EXCLUDED.review_id, severity = EXCLUDED.severity, exception = EXCLUDED.exception,
					rank = EXCLUDED.rank, remediation_item = coalesce(cur.remediation_item, EXCLUDED.remediation_item)
				WHERE (SELECT as_of FROM readiness_reviews WHERE engagement_id = cur.engagement_id AND review_id = cur.review_id) <= @as_of`,
				pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "review_id": r.ReviewID, "finding_id": f.FindingID,
					"control_id": f.ControlID, "occurrence_key": f.OccurrenceKey, "test": f.Test, "severity": f.Severity,
					"exception": f.Exception, "rank": f.Rank, "remediation_item": f.RemediationItem, "as_of": r.AsOf})
		}
		if err := tx.SendBatch(ctx, b).Close(); err != nil {
			return fmt.Errorf("save findings of readiness review %s: %w", r.ReviewID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: r.EngagementID, Key: "readiness/" + r.ReviewID, Kind: EventReadinessReviewed,
			Actor: "steadfast", Channel: ChannelWorkflow, At: r.AsOf,
			Detail: map[string]any{"review": r.ReviewID, "seed": fmt.Sprint(r.Seed), "risk": r.Risk, "findings": len(findings)},
		})
	})
}

// fillRemediationItems records remediation items learnt since a review was
// first saved, without changing one already recorded.
func fillRemediationItems(ctx context.Context, tx Querier, engagementID string, findings []Finding) error {
	for _, f := range findings {
		if f.RemediationItem == "" {
			continue
		}
		if _, err := tx.Exec(ctx, `UPDATE readiness_findings SET remediation_item = $3
			WHERE engagement_id = $1 AND finding_id = $2 AND remediation_item IS NULL`,
			engagementID, f.FindingID, f.RemediationItem); err != nil {
			return fmt.Errorf("record remediation item of finding %s: %w", f.FindingID, err)
		}
	}
	return nil
}

// LatestReadinessReview returns the engagement's review with the latest
// as_of, with its findings as now decided; ErrNotFound when there is none.
func (s *Store) LatestReadinessReview(ctx context.Context, engagementID string) (ReadinessReview, error) {
	r := ReadinessReview{EngagementID: engagementID}
	var seed int64
	err := s.q.QueryRow(ctx, `
		SELECT review_id, as_of, seed, risk, report FROM readiness_reviews
		WHERE engagement_id = $1 ORDER BY as_of DESC, created_at DESC, review_id DESC LIMIT 1`, engagementID).
		Scan(&r.ReviewID, &r.AsOf, &seed, &r.Risk, &r.Report)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("readiness review of %s: %w", engagementID, ErrNotFound)
	}
	if err != nil {
		return r, fmt.Errorf("read readiness review of %s: %w", engagementID, err)
	}
	r.Seed = uint64(seed) // the stored bits are the uint64's
	r.Findings, err = s.findings(ctx, findingFilter{engagementID: engagementID, reviewID: r.ReviewID})
	return r, err
}

// ReadinessFindings lists every finding the engagement's reviews reported,
// each with its latest decision: the latest review's findings first, then
// by rank. Findings an earlier review reported and a later one did not are
// still listed (with their own review ID), so a decision is never lost.
func (s *Store) ReadinessFindings(ctx context.Context, engagementID string) ([]Finding, error) {
	return s.findings(ctx, findingFilter{engagementID: engagementID})
}

// AcceptedExceptions lists the findings whose latest decision is to accept
// them: the known exceptions the evidence pack declares.
func (s *Store) AcceptedExceptions(ctx context.Context, engagementID string) ([]Finding, error) {
	return s.findings(ctx, findingFilter{engagementID: engagementID, acceptedOnly: true})
}

// findingFilter narrows findings: one review's, or only the accepted.
type findingFilter struct {
	engagementID string
	reviewID     string // "" means every review
	acceptedOnly bool
}

// findings reads findings with the latest decision from finding_decisions
// itself, the record of truth, rather than the mirrored columns. One static
// statement serves every filter.
func (s *Store) findings(ctx context.Context, f findingFilter) ([]Finding, error) {
	engagementID := f.engagementID
	rows, err := s.q.Query(ctx, `
		SELECT f.engagement_id, f.review_id, f.finding_id, f.control_id, f.occurrence_key, f.test, f.severity, f.exception,
			f.rank, coalesce(d.decision, '') AS decision, coalesce(d.reason, '') AS reason,
			coalesce(d.decided_by, '') AS decided_by, d.decided_at,
			coalesce(f.remediation_item, '') AS remediation_item
		FROM readiness_findings f
		JOIN readiness_reviews r ON r.engagement_id = f.engagement_id AND r.review_id = f.review_id
		LEFT JOIN LATERAL (
			SELECT decision, reason, decided_by, decided_at FROM finding_decisions
			WHERE engagement_id = f.engagement_id AND finding_id = f.finding_id
			ORDER BY decided_at DESC, id DESC LIMIT 1
		) d ON true
		WHERE f.engagement_id = @engagement_id
			AND (@review_id = '' OR f.review_id = @review_id)
			AND (NOT @accepted_only OR d.decision = 'accept')
		ORDER BY r.as_of DESC, f.review_id, f.rank, f.finding_id`,
		pgx.StrictNamedArgs{"engagement_id": f.engagementID, "review_id": f.reviewID, "accepted_only": f.acceptedOnly})
	if err != nil {
		return nil, fmt.Errorf("read readiness findings of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Finding])
	if err != nil {
		return nil, fmt.Errorf("read readiness findings of %s: %w", engagementID, err)
	}
	return out, nil
}

// DecideFinding records the lead's decision on a finding. It refuses an
// unknown finding (ErrNotFound), and a decision that breaks
// compliance.CheckFindingDecision (the table's checks hold that rule; the
// refusal wraps compliance.ErrInvalidFindingDecision). The same Key twice
// records one decision; a new key with a different decision is a change of
// mind, and the latest (by At) counts.
func (s *Store) DecideFinding(ctx context.Context, d FindingDecision) error {
	d.By = strings.ToLower(strings.TrimSpace(d.By))
	switch {
	case d.Key == "" || d.By == "" || d.At.IsZero():
		return fmt.Errorf("decide finding %s: the key, who decided and when are required", d.FindingID)
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		var known bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM readiness_findings WHERE engagement_id = $1 AND finding_id = $2)`,
			d.EngagementID, d.FindingID).Scan(&known); err != nil {
			return fmt.Errorf("decide finding %s: %w", d.FindingID, err)
		}
		if !known {
			return fmt.Errorf("decide finding %s: no such finding in %s: %w", d.FindingID, d.EngagementID, ErrNotFound)
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO finding_decisions (engagement_id, finding_id, decision, reason, decided_by, decided_at, decision_key)
			VALUES (@engagement_id, @finding_id, @decision, @reason, @decided_by, @decided_at, @decision_key)
			ON CONFLICT (engagement_id, decision_key) DO NOTHING`,
			pgx.StrictNamedArgs{"engagement_id": d.EngagementID, "finding_id": d.FindingID, "decision": d.Decision,
				"reason": strings.TrimSpace(d.Reason), "decided_by": d.By, "decided_at": d.At, "decision_key": d.Key})
		if err != nil {
			return fmt.Errorf("decide finding %s: %w", d.FindingID,
				refused(err, "finding_decisions", findingDecisionConstraints, compliance.ErrInvalidFindingDecision, d.FindingID))
		}
		if tag.RowsAffected() == 0 {
			return nil // a retry of a decision already recorded
		}
		if _, err := tx.Exec(ctx, `
			UPDATE readiness_findings f SET decision = l.decision, reason = l.reason, decided_by = l.decided_by, decided_at = l.decided_at
			FROM (SELECT decision, reason, decided_by, decided_at FROM finding_decisions
				WHERE engagement_id = $1 AND finding_id = $2 ORDER BY decided_at DESC, id DESC LIMIT 1) l
			WHERE f.engagement_id = $1 AND f.finding_id = $2`, d.EngagementID, d.FindingID); err != nil {
			return fmt.Errorf("decide finding %s: mirror the latest decision: %w", d.FindingID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: d.EngagementID, Key: "finding-decision/" + d.Key, Kind: EventFindingDecided,
			Actor: d.By, Channel: ChannelCLI, At: d.At,
			Detail: map[string]any{"finding": d.FindingID, "decision": d.Decision, "reason": d.Reason},
		})
	})
}
