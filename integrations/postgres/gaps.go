package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordAssessment upserts a control's assessment and logs it once.
func (s *Store) RecordAssessment(ctx context.Context, a ControlAssessment) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO control_assessments (engagement_id, control_id, owner_email, prompt_id, status, evidence_exists,
				sampleable, choice, note, link, answered_by, answered_via, answered_at, unanswered)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (engagement_id, control_id) DO UPDATE SET
				owner_email = EXCLUDED.owner_email, prompt_id = EXCLUDED.prompt_id, status = EXCLUDED.status,
				evidence_exists = EXCLUDED.evidence_exists, sampleable = EXCLUDED.sampleable, choice = EXCLUDED.choice,
				note = EXCLUDED.note, link = EXCLUDED.link, answered_by = EXCLUDED.answered_by,
				answered_via = EXCLUDED.answered_via, answered_at = EXCLUDED.answered_at, unanswered = EXCLUDED.unanswered`,
			a.EngagementID, a.ControlID, strings.ToLower(a.OwnerEmail), a.PromptID, a.Status, a.EvidenceExists, a.Sampleable,
			a.Choice, a.Note, a.Link, strings.ToLower(a.AnsweredBy), a.AnsweredVia, a.AnsweredAt, a.Unanswered); err != nil {
			return fmt.Errorf("record assessment of %s: %w", a.ControlID, err)
		}
		actor, at := a.AnsweredBy, time.Now()
		if a.AnsweredAt != nil {
			at = *a.AnsweredAt
		}
		if actor == "" {
			actor = "steadfast"
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: a.EngagementID, Key: "assessed/" + a.ControlID, Kind: EventControlAssessed,
			Actor: strings.ToLower(actor), Channel: orWorkflow(a.AnsweredVia), At: at,
			Detail: map[string]any{"control": a.ControlID, "status": a.Status, "choice": a.Choice, "unanswered": a.Unanswered,
				"evidence_exists": a.EvidenceExists, "sampleable": a.Sampleable},
		})
	})
}

func orWorkflow(c string) string {
	if c == "" {
		return ChannelWorkflow
	}
	return c
}

// Assessments lists an engagement's control assessments by control.
func (s *Store) Assessments(ctx context.Context, engagementID string) ([]ControlAssessment, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT engagement_id, control_id, owner_email, prompt_id, status, evidence_exists, sampleable, choice, note, link,
			answered_by, answered_via, answered_at, unanswered
		FROM control_assessments WHERE engagement_id = $1 ORDER BY control_id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list assessments of %s: %w", engagementID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[ControlAssessment])
}

// GapEntry is one row of the ranked register.
type GapEntry struct {
	ControlID      string     `json:"control_id"`
	Rank           int        `json:"rank"`
	Score          int        `json:"score"`
	Gap            bool       `json:"gap"`
	Status         string     `json:"status"`
	Title          string     `json:"title"`
	Domain         string     `json:"domain"`
	OwnerEmail     string     `json:"owner"`
	Frequency      string     `json:"frequency"`
	SampleSize     int        `json:"sample_size"`
	Frameworks     []string   `json:"frameworks"`
	Requirements   int        `json:"requirements"`
	Automated      bool       `json:"automated"`
	Reasons        []string   `json:"reasons"`
	OverrideRank   *int       `json:"override_rank,omitempty"`
	OverrideReason string     `json:"override_reason,omitempty"`
	Accepted       bool       `json:"accepted"`
	AcceptReason   string     `json:"accept_reason,omitempty"`
	DecidedBy      string     `json:"decided_by,omitempty"`
	DecidedAt      *time.Time `json:"decided_at,omitempty"`
}

// ReplaceRegister stores a freshly ranked register. Overrides and
// acceptances already recorded for a control are kept.
func (s *Store) ReplaceRegister(ctx context.Context, engagementID string, entries []GapEntry, at time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, e := range entries {
			if _, err := tx.Exec(ctx, `
				INSERT INTO gap_register (engagement_id, control_id, rank, score, gap, status, title, domain, owner_email,
					frequency, sample_size, frameworks, requirements, automated, reasons, built_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
				ON CONFLICT (engagement_id, control_id) DO UPDATE SET
					rank = EXCLUDED.rank, score = EXCLUDED.score, gap = EXCLUDED.gap, status = EXCLUDED.status,
					title = EXCLUDED.title, domain = EXCLUDED.domain, owner_email = EXCLUDED.owner_email,
					frequency = EXCLUDED.frequency, sample_size = EXCLUDED.sample_size, frameworks = EXCLUDED.frameworks,
					requirements = EXCLUDED.requirements, automated = EXCLUDED.automated, reasons = EXCLUDED.reasons,
					built_at = EXCLUDED.built_at`,
				engagementID, e.ControlID, e.Rank, e.Score, e.Gap, e.Status, e.Title, e.Domain, strings.ToLower(e.OwnerEmail),
				e.Frequency, e.SampleSize, nonNil(e.Frameworks), e.Requirements, e.Automated, nonNil(e.Reasons), at); err != nil {
				return fmt.Errorf("store register entry %s: %w", e.ControlID, err)
			}
		}
		gaps := 0
		for _, e := range entries {
			if e.Gap {
				gaps++
			}
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: engagementID, Key: "register-built/" + at.UTC().Format(time.RFC3339Nano), Kind: EventRegisterBuilt,
			Actor: "steadfast", Channel: ChannelWorkflow, At: at,
			Detail: map[string]any{"controls": len(entries), "gaps": gaps},
		})
	})
}

// Register lists the ranked register, effective rank first (an override
// wins over the computed rank).
func (s *Store) Register(ctx context.Context, engagementID string) ([]GapEntry, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT control_id, rank, score, gap, status, title, domain, owner_email, frequency, sample_size, frameworks,
			requirements, automated, reasons, override_rank, override_reason, accepted, accept_reason, decided_by, decided_at
		FROM gap_register WHERE engagement_id = $1
		ORDER BY coalesce(override_rank, rank), rank, control_id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read gap register of %s: %w", engagementID, err)
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[GapEntry])
}

// GapDecision is the lead overriding a rank or accepting a gap.
type GapDecision struct {
	EngagementID string
	ControlID    string
	OverrideRank int // 0: not an override
	Accept       bool
	Reason       string
	By           string
	UpdateID     string
	At           time.Time
}

// RecordGapDecision stores an override or an acceptance and logs it.
func (s *Store) RecordGapDecision(ctx context.Context, d GapDecision) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var tag interface{ RowsAffected() int64 }
		var err error
		kind := EventGapOverridden
		if d.Accept {
			kind = EventGapAccepted
			tag, err = tx.Exec(ctx, `UPDATE gap_register SET accepted = true, accept_reason = $3, decided_by = $4, decided_at = $5
				WHERE engagement_id = $1 AND control_id = $2`, d.EngagementID, d.ControlID, d.Reason, strings.ToLower(d.By), d.At)
		} else {
			tag, err = tx.Exec(ctx, `UPDATE gap_register SET override_rank = $3, override_reason = $4, decided_by = $5, decided_at = $6
				WHERE engagement_id = $1 AND control_id = $2`, d.EngagementID, d.ControlID, d.OverrideRank, d.Reason, strings.ToLower(d.By), d.At)
		}
		if err != nil {
			return fmt.Errorf("record %s of %s: %w", kind, d.ControlID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("record %s: control %s is not in the register of %s: %w", kind, d.ControlID, d.EngagementID, ErrNotFound)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: d.EngagementID, Key: kind + "/" + d.ControlID + "/" + d.UpdateID, Kind: kind,
			Actor: strings.ToLower(d.By), Channel: ChannelCLI, At: d.At,
			Detail: map[string]any{"control": d.ControlID, "rank": d.OverrideRank, "reason": d.Reason},
		})
	})
}

// GapAcceptance reports whether the lead accepted a gap, and who did.
func (s *Store) GapAcceptance(ctx context.Context, engagementID, controlID string) (accepted bool, by, reason string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT accepted, decided_by, accept_reason FROM gap_register WHERE engagement_id = $1 AND control_id = $2`,
		engagementID, controlID).Scan(&accepted, &by, &reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, "", "", nil
	}
	if err != nil {
		return false, "", "", fmt.Errorf("read acceptance of %s: %w", controlID, err)
	}
	return accepted, by, reason, nil
}
