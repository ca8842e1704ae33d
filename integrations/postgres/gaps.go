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
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO control_assessments (engagement_id, control_id, owner_email, prompt_id, status, evidence_exists,
				sampleable, choice, note, link, answered_by, answered_via, answered_at, unanswered)
			VALUES (@engagement_id, @control_id, @owner_email, @prompt_id, @status, @evidence_exists,
				@sampleable, @choice, @note, @link, @answered_by, @answered_via, @answered_at, @unanswered)
			ON CONFLICT (engagement_id, control_id) DO UPDATE SET
				owner_email = EXCLUDED.owner_email, prompt_id = EXCLUDED.prompt_id, status = EXCLUDED.status,
				evidence_exists = EXCLUDED.evidence_exists, sampleable = EXCLUDED.sampleable, choice = EXCLUDED.choice,
				note = EXCLUDED.note, link = EXCLUDED.link, answered_by = EXCLUDED.answered_by,
				answered_via = EXCLUDED.answered_via, answered_at = EXCLUDED.answered_at, unanswered = EXCLUDED.unanswered`,
			pgx.StrictNamedArgs{"engagement_id": a.EngagementID, "control_id": a.ControlID, "owner_email": strings.ToLower(a.OwnerEmail),
				"prompt_id": a.PromptID, "status": a.Status, "evidence_exists": a.EvidenceExists, "sampleable": a.Sampleable,
				"choice": a.Choice, "note": a.Note, "link": a.Link, "answered_by": strings.ToLower(a.AnsweredBy),
				"answered_via": a.AnsweredVia, "answered_at": a.AnsweredAt, "unanswered": a.Unanswered}); err != nil {
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
	rows, err := s.q.Query(ctx, `
		SELECT engagement_id, control_id, owner_email, prompt_id, status, evidence_exists, sampleable, choice, note, link,
			answered_by, answered_via, answered_at, unanswered
		FROM control_assessments WHERE engagement_id = @engagement_id ORDER BY control_id`,
		pgx.StrictNamedArgs{"engagement_id": engagementID})
	if err != nil {
		return nil, fmt.Errorf("list assessments of %s: %w", engagementID, err)
	}
	out, err := collectAs(rows, func(r assessmentRow) ControlAssessment { return ControlAssessment(r) })
	if err != nil {
		return nil, fmt.Errorf("list assessments of %s: %w", engagementID, err)
	}
	return out, nil
}

// GapEntry is one row of the ranked register.
type GapEntry struct {
	ControlID      string     `json:"control_id" db:"control_id"`
	Rank           int        `json:"rank" db:"rank"`
	Score          int        `json:"score" db:"score"`
	Gap            bool       `json:"gap" db:"gap"`
	Status         string     `json:"status" db:"status"`
	Title          string     `json:"title" db:"title"`
	Domain         string     `json:"domain" db:"domain"`
	OwnerEmail     string     `json:"owner" db:"owner_email"`
	Frequency      string     `json:"frequency" db:"frequency"`
	SampleSize     int        `json:"sample_size" db:"sample_size"`
	Frameworks     []string   `json:"frameworks" db:"frameworks"`
	Requirements   int        `json:"requirements" db:"requirements"`
	Automated      bool       `json:"automated" db:"automated"`
	Reasons        []string   `json:"reasons" db:"reasons"`
	OverrideRank   *int       `json:"override_rank,omitempty" db:"override_rank"`
	OverrideReason string     `json:"override_reason,omitempty" db:"override_reason"`
	Accepted       bool       `json:"accepted" db:"accepted"`
	AcceptReason   string     `json:"accept_reason,omitempty" db:"accept_reason"`
	DecidedBy      string     `json:"decided_by,omitempty" db:"decided_by"`
	DecidedAt      *time.Time `json:"decided_at,omitempty" db:"decided_at"`
}

// ReplaceRegister stores a freshly ranked register. Overrides and
// acceptances already recorded for a control are kept.
func (s *Store) ReplaceRegister(ctx context.Context, engagementID string, entries []GapEntry, at time.Time) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		for _, e := range entries {
			if _, err := tx.Exec(ctx, `
				INSERT INTO gap_register (engagement_id, control_id, rank, score, gap, status, title, domain, owner_email,
					frequency, sample_size, frameworks, requirements, automated, reasons, built_at)
				VALUES (@engagement_id, @control_id, @rank, @score, @gap, @status, @title, @domain, @owner_email,
					@frequency, @sample_size, @frameworks, @requirements, @automated, @reasons, @built_at)
				ON CONFLICT (engagement_id, control_id) DO UPDATE SET
					rank = EXCLUDED.rank, score = EXCLUDED.score, gap = EXCLUDED.gap, status = EXCLUDED.status,
					title = EXCLUDED.title, domain = EXCLUDED.domain, owner_email = EXCLUDED.owner_email,
					frequency = EXCLUDED.frequency, sample_size = EXCLUDED.sample_size, frameworks = EXCLUDED.frameworks,
					requirements = EXCLUDED.requirements, automated = EXCLUDED.automated, reasons = EXCLUDED.reasons,
					built_at = EXCLUDED.built_at`,
				pgx.StrictNamedArgs{"engagement_id": engagementID, "control_id": e.ControlID, "rank": e.Rank, "score": e.Score,
					"gap": e.Gap, "status": e.Status, "title": e.Title, "domain": e.Domain, "owner_email": strings.ToLower(e.OwnerEmail),
					"frequency": e.Frequency, "sample_size": e.SampleSize, "frameworks": nonNil(e.Frameworks),
					"requirements": e.Requirements, "automated": e.Automated, "reasons": nonNil(e.Reasons), "built_at": at}); err != nil {
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
	rows, err := s.q.Query(ctx, `
		SELECT control_id, rank, score, gap, status, title, domain, owner_email, frequency, sample_size, frameworks,
			requirements, automated, reasons, override_rank, override_reason, accepted, accept_reason, decided_by, decided_at
		FROM gap_register WHERE engagement_id = @engagement_id
		ORDER BY coalesce(override_rank, rank), rank, control_id`, pgx.StrictNamedArgs{"engagement_id": engagementID})
	if err != nil {
		return nil, fmt.Errorf("read gap register of %s: %w", engagementID, err)
	}
	entries, err := pgx.CollectRows(rows, pgx.RowToStructByName[GapEntry])
	if err != nil {
		return nil, fmt.Errorf("read gap register of %s: %w", engagementID, err)
	}
	return entries, nil
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
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		var tag interface{ RowsAffected() int64 }
		var err error
		kind := EventGapOverridden
		if d.Accept {
			kind = EventGapAccepted
			tag, err = tx.Exec(ctx, `UPDATE gap_register SET accepted = true, accept_reason = @reason, decided_by = @by, decided_at = @at
				WHERE engagement_id = @engagement_id AND control_id = @control_id`, pgx.StrictNamedArgs{
				"engagement_id": d.EngagementID, "control_id": d.ControlID, "reason": d.Reason, "by": strings.ToLower(d.By), "at": d.At})
		} else {
			tag, err = tx.Exec(ctx, `UPDATE gap_register SET override_rank = @rank, override_reason = @reason, decided_by = @by, decided_at = @at
				WHERE engagement_id = @engagement_id AND control_id = @control_id`, pgx.StrictNamedArgs{
				"engagement_id": d.EngagementID, "control_id": d.ControlID, "rank": d.OverrideRank, "reason": d.Reason,
				"by": strings.ToLower(d.By), "at": d.At})
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
	err = s.q.QueryRow(ctx, `SELECT accepted, decided_by, accept_reason FROM gap_register WHERE engagement_id = $1 AND control_id = $2`,
		engagementID, controlID).Scan(&accepted, &by, &reason)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, "", "", nil
	}
	if err != nil {
		return false, "", "", fmt.Errorf("read acceptance of %s: %w", controlID, err)
	}
	return accepted, by, reason, nil
}
