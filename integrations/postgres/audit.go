package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// RequestedByAuditor is requested_by when nobody said who entered the
// request: it came from the auditor's list as given.
const RequestedByAuditor = "auditor"

// AddAuditRequest records a request unless one with the same ID is already
// recorded for the engagement. It returns the row as stored and whether
// this call created it: a re-imported request keeps what was first routed.
// An empty RequestedBy is recorded as RequestedByAuditor, a zero CreatedAt
// as now.
func (s *Store) AddAuditRequest(ctx context.Context, r AuditRequest) (AuditRequest, bool, error) {
	var stored AuditRequest
	created := false
	err := pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		by := strings.ToLower(strings.TrimSpace(r.RequestedBy))
		if by == "" {
			by = RequestedByAuditor
		}
		at := r.CreatedAt
		if at.IsZero() {
			at = time.Now()
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO audit_requests (engagement_id, request_id, control_id, description, owner, due_at,
				requested_by, imported_from, prompt_id, created_at)
			VALUES (@engagement_id, @request_id, NULLIF(@control_id, ''), @description, lower(@owner), @due_at,
				@requested_by, @imported_from, @prompt_id, @created_at)
			ON CONFLICT (engagement_id, request_id) DO NOTHING`,
			pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "request_id": r.RequestID, "control_id": r.ControlID,
				"description": r.Description, "owner": r.Owner, "due_at": r.DueAt, "requested_by": by,
				"imported_from": r.ImportedFrom, "prompt_id": r.PromptID, "created_at": at})
		if err != nil {
			return fmt.Errorf("insert audit request %s/%s: %w", r.EngagementID, r.RequestID, err)
		}
		if created = tag.RowsAffected() == 1; created {
			err = appendEvent(ctx, tx, Event{
				EngagementID: r.EngagementID, Key: "audit-request/" + r.RequestID + "/added", Kind: EventAuditRequestAdded,
				Actor: by, Channel: ChannelCLI, At: at,
				Detail: map[string]any{"request": r.RequestID, "control": r.ControlID, "owner": strings.ToLower(r.Owner),
					"due_at": r.DueAt, "prompt": r.PromptID, "imported_from": r.ImportedFrom},
			})
			if err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, auditRequestsSQL, pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "request_id": r.RequestID, "status": ""})
		if err != nil {
			return fmt.Errorf("read audit request %s/%s: %w", r.EngagementID, r.RequestID, err)
		}
		row, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[auditRequestRow])
		if err != nil {
			return fmt.Errorf("read audit request %s/%s: %w", r.EngagementID, r.RequestID, err)
		}
		stored = AuditRequest(row)
		return nil
	})
	return stored, created, err
}

// ErrNoAuditRequest means no audit request is routed through the prompt.
var ErrNoAuditRequest = errors.New("no audit request for that prompt")

// RecordAuditAnswer copies a prompt's accepted answer onto the request it
// asks about. Recording the same answer again is a no-op; a request already
// answered differently keeps its first answer and fails with
// ErrPromptClosed, like the prompt itself.
func (s *Store) RecordAuditAnswer(ctx context.Context, a PromptAnswer) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		by := strings.ToLower(a.By)
		var requestID string
		err := tx.QueryRow(ctx, `
			UPDATE audit_requests SET status = 'answered', answer_choice = @choice, answer_link = @link, answer_note = @note,
				answered_by = @by, answered_at = @at
			WHERE prompt_id = @prompt_id AND status = 'open'
			RETURNING request_id`,
			pgx.StrictNamedArgs{"prompt_id": a.PromptID, "choice": a.Choice, "link": a.Link, "note": a.Note, "by": by, "at": a.At}).Scan(&requestID)
		if errors.Is(err, pgx.ErrNoRows) {
			var status, choice, answeredBy string
			err := tx.QueryRow(ctx, `SELECT request_id, status, answer_choice, answered_by FROM audit_requests WHERE prompt_id = $1`,
				a.PromptID).Scan(&requestID, &status, &choice, &answeredBy)
			if errors.Is(err, pgx.ErrNoRows) {
				return fmt.Errorf("%w: %s", ErrNoAuditRequest, a.PromptID)
			}
			if err != nil {
				return fmt.Errorf("read audit request of %s: %w", a.PromptID, err)
			}
			if status == AuditAnswered && choice == a.Choice && answeredBy == by {
				return nil // a retried activity
			}
			return fmt.Errorf("%w: audit request %s is %s", ErrPromptClosed, requestID, status)
		}
		if err != nil {
			return fmt.Errorf("record answer to audit request of %s: %w", a.PromptID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: a.EngagementID, Key: "audit-request/" + requestID + "/answered", Kind: EventAuditRequestAnswered,
			Actor: by, Channel: a.Via, At: a.At,
			Detail: map[string]any{"request": requestID, "prompt": a.PromptID, "choice": a.Choice, "link": a.Link, "note": a.Note},
		})
	})
}

// auditRequestsSQL reads an engagement's requests (one, when @request_id is
// set; those in @status, when set) with their prompt's state. A request whose
// own row is still open but whose prompt was answered shows the prompt's
// answer: the prompt is where the answer is first recorded, so the listing
// is right even before (or without) the copy onto the request row.
const auditRequestsSQL = `
	SELECT * FROM (SELECT a.engagement_id, a.request_id, coalesce(a.control_id, '') AS control_id, a.description, a.owner, a.due_at,
		a.requested_by, a.imported_from, a.prompt_id,
		CASE WHEN a.status = 'open' AND p.status = 'answered' THEN 'answered'
		     WHEN a.status = 'open' AND p.status = 'withdrawn' THEN 'withdrawn'
		     ELSE a.status END AS status,
		coalesce(p.status, '') AS prompt_status, coalesce(p.level, '') AS prompt_level,
		CASE WHEN a.status = 'open' AND p.status = 'answered' THEN p.answer_choice ELSE a.answer_choice END AS answer_choice,
		CASE WHEN a.status = 'open' AND p.status = 'answered' THEN p.answer_link ELSE a.answer_link END AS answer_link,
		CASE WHEN a.status = 'open' AND p.status = 'answered' THEN p.answer_note ELSE a.answer_note END AS answer_note,
		CASE WHEN a.status = 'open' AND p.status = 'answered' THEN p.answered_by ELSE a.answered_by END AS answered_by,
		CASE WHEN a.status = 'open' AND p.status = 'answered' THEN p.answered_at ELSE a.answered_at END AS answered_at,
		a.created_at
	FROM audit_requests a LEFT JOIN prompts p ON p.id = a.prompt_id
		WHERE a.engagement_id = @engagement_id AND (@request_id = '' OR a.request_id = @request_id)) r
	WHERE (@status = '' OR r.status = @status)
	ORDER BY r.due_at, r.request_id`

// AuditRequests lists an engagement's audit requests by due date, then ID.
func (s *Store) AuditRequests(ctx context.Context, engagementID string, f AuditRequestFilter) ([]AuditRequest, error) {
	rows, err := s.q.Query(ctx, auditRequestsSQL, pgx.StrictNamedArgs{"engagement_id": engagementID, "request_id": "", "status": f.Status})
	if err != nil {
		return nil, fmt.Errorf("list audit requests of %s: %w", engagementID, err)
	}
	out, err := collectAs(rows, func(r auditRequestRow) AuditRequest { return AuditRequest(r) })
	if err != nil {
		return nil, fmt.Errorf("list audit requests of %s: %w", engagementID, err)
	}
	return out, nil
}
