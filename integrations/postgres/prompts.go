package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// OpenPrompt records a new prompt and its "sent" event. Opening the same
// prompt again (a retried activity) changes nothing.
func (s *Store) OpenPrompt(ctx context.Context, p Prompt) error {
	choices, err := json.Marshal(p.Choices)
	if err != nil {
		return fmt.Errorf("encode choices: %w", err)
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `
			INSERT INTO prompts (id, engagement_id, prompt_key, kind, subject, question, why, choices, note_required,
				link_required, addressee_email, addressee_name, status, due_at, created_at)
			VALUES (@id, @engagement_id, @prompt_key, @kind, @subject, @question, @why, @choices, @note_required,
				@link_required, @addressee_email, @addressee_name, 'open', @due_at, @created_at)
			ON CONFLICT (id) DO NOTHING`,
			pgx.StrictNamedArgs{"id": p.ID, "engagement_id": p.EngagementID, "prompt_key": p.Key, "kind": p.Kind,
				"subject": p.Subject, "question": p.Question, "why": p.Why, "choices": choices, "note_required": p.NoteRequired,
				"link_required": p.LinkRequired, "addressee_email": strings.ToLower(p.AddresseeEmail),
				"addressee_name": p.AddresseeName, "due_at": p.DueAt, "created_at": p.CreatedAt}); err != nil {
			return fmt.Errorf("insert prompt %s: %w", p.ID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: p.EngagementID, Key: p.ID + "/sent", Kind: EventPromptSent, Actor: "steadfast",
			Channel: ChannelWorkflow, At: p.CreatedAt,
			Detail: map[string]any{"prompt": p.ID, "to": strings.ToLower(p.AddresseeEmail), "kind": p.Kind, "due_at": p.DueAt},
		})
	})
}

// ErrPromptClosed means the prompt already has a different answer or has
// expired; the workflow's validator should have refused the answer.
var ErrPromptClosed = errors.New("prompt is already closed")

// RecordPromptAnswer stores the answer once: the same answer again is a
// no-op, a different one fails with ErrPromptClosed.
func (s *Store) RecordPromptAnswer(ctx context.Context, a PromptAnswer) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			UPDATE prompts SET status = 'answered', answer_choice = @choice, answer_note = @note, answer_link = @link,
				answered_by = @by, answered_via = @via, answered_at = @at, answer_update_id = @update_id
			WHERE id = @id AND status = 'open'`,
			pgx.StrictNamedArgs{"id": a.PromptID, "choice": a.Choice, "note": a.Note, "link": a.Link,
				"by": strings.ToLower(a.By), "via": a.Via, "at": a.At, "update_id": a.UpdateID})
		if err != nil {
			return fmt.Errorf("record answer to %s: %w", a.PromptID, err)
		}
		if tag.RowsAffected() == 1 {
			if err := addAnswerFiles(ctx, tx, a); err != nil {
				return err
			}
		}
		if tag.RowsAffected() == 0 {
			var status, updateID string
			if err := tx.QueryRow(ctx, `SELECT status, answer_update_id FROM prompts WHERE id = $1`, a.PromptID).Scan(&status, &updateID); err != nil {
				return fmt.Errorf("read prompt %s: %w", a.PromptID, err)
			}
			if status != PromptAnswered || updateID != a.UpdateID {
				return fmt.Errorf("%w: %s is %s", ErrPromptClosed, a.PromptID, status)
			}
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: a.EngagementID, Key: a.PromptID + "/answered", Kind: EventPromptAnswered,
			Actor: strings.ToLower(a.By), Channel: a.Via, At: a.At,
			Detail: map[string]any{"prompt": a.PromptID, "choice": a.Choice, "note": a.Note, "link": a.Link, "update_id": a.UpdateID},
		})
	})
}

// PromptStep is one rung of the ladder: a reminder, an escalation or the
// expiry.
type PromptStep struct {
	PromptID     string
	EngagementID string
	Step         string // e.g. remind-1, lead, sponsor, expire
	Level        string
	Told         []string
	Channel      string
	// Closes is the status the step leaves the prompt in: expired or
	// withdrawn; empty keeps it open.
	Closes string
	At     time.Time
}

// RecordPromptStep moves the prompt up its ladder and logs the step once.
func (s *Store) RecordPromptStep(ctx context.Context, st PromptStep) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		status := PromptOpen
		if st.Closes != "" {
			status = st.Closes
		}
		if _, err := tx.Exec(ctx, `UPDATE prompts SET level = $2, status = $3 WHERE id = $1 AND status = 'open'`,
			st.PromptID, st.Level, status); err != nil {
			return fmt.Errorf("record step %s of %s: %w", st.Step, st.PromptID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: st.EngagementID, Key: st.PromptID + "/step/" + st.Step, Kind: EventPromptStep,
			Actor: "steadfast", Channel: st.Channel, At: st.At,
			Detail: map[string]any{"prompt": st.PromptID, "step": st.Step, "level": st.Level, "told": st.Told},
		})
	})
}

// ReassignPrompt changes the addressee and logs who did it.
func (s *Store) ReassignPrompt(ctx context.Context, r Reassignment) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE prompts SET addressee_email = $2, addressee_name = $3, level = 'sent' WHERE id = $1 AND status = 'open'`,
			r.PromptID, strings.ToLower(r.To), r.ToName); err != nil {
			return fmt.Errorf("reassign %s: %w", r.PromptID, err)
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: r.EngagementID, Key: fmt.Sprintf("%s/reassigned/%d", r.PromptID, r.Seq), Kind: EventPromptReassigned,
			Actor: strings.ToLower(r.By), Channel: ChannelWorkflow, At: r.At,
			Detail: map[string]any{"prompt": r.PromptID, "from": strings.ToLower(r.From), "to": strings.ToLower(r.To)},
		})
	})
}

// Prompts lists prompts, oldest first.
func (s *Store) Prompts(ctx context.Context, f PromptFilter) ([]Prompt, error) {
	rows, err := s.q.Query(ctx, `
		SELECT id, engagement_id, prompt_key, kind, subject, question, why, choices, note_required, link_required,
			addressee_email, addressee_name, status, level, due_at, created_at, answer_choice, answer_note,
			answer_link, answered_by, answered_via, answered_at, answer_update_id
		FROM prompts
		WHERE (@engagement_id = '' OR engagement_id = @engagement_id)
			AND (@addressee = '' OR addressee_email = lower(@addressee))
			AND (@status = '' OR status = @status)
		ORDER BY created_at, id`,
		pgx.StrictNamedArgs{"engagement_id": f.EngagementID, "addressee": f.Addressee, "status": f.Status})
	if err != nil {
		return nil, fmt.Errorf("list prompts: %w", err)
	}
	out, err := collectAs(rows, func(r promptRow) Prompt { return Prompt(r) })
	if err != nil {
		return nil, fmt.Errorf("list prompts: %w", err)
	}
	return out, nil
}

// PersonBySlackID finds the email of the person with a Slack ID in an
// engagement, so a click can be attributed to someone the spec names.
func (s *Store) PersonBySlackID(ctx context.Context, engagementID, slackID string) (string, error) {
	var email string
	err := s.q.QueryRow(ctx, `SELECT email FROM people WHERE engagement_id = $1 AND slack_id = $2`, engagementID, slackID).Scan(&email)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("slack user %s in %s: %w", slackID, engagementID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("find slack user %s: %w", slackID, err)
	}
	return email, nil
}

// RememberSlackID stores a Slack ID found by email lookup, so later clicks
// from that user map back to the person.
func (s *Store) RememberSlackID(ctx context.Context, engagementID, email, slackID string) error {
	if _, err := s.q.Exec(ctx, `UPDATE people SET slack_id = $3 WHERE engagement_id = $1 AND email = lower($2) AND slack_id = ''`,
		engagementID, email, slackID); err != nil {
		return fmt.Errorf("remember slack id of %s: %w", email, err)
	}
	return nil
}
