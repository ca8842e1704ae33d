package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// ErrNoQuestion means the review has no such question.
var ErrNoQuestion = errors.New("no such customer question")

// ErrRefused wraps a rule's refusal from compliance/custreview, so the
// activity can fail without retrying.
var ErrRefused = errors.New("refused")

// unsettleAnswers takes the approved answers the change puts in doubt out
// of the library (compliance/custreview decides which), in the
// transaction recording the change, so no answer is offered after it.
func unsettleAnswers(ctx context.Context, tx pgx.Tx, engagementID string, c custreview.LibraryChange) error {
	rows, err := tx.Query(ctx, `
		SELECT review_id, question_id, controls, approved_at FROM customer_questions
		WHERE engagement_id = $1 AND status = 'approved' AND reconfirm_why = ''`, engagementID)
	if err != nil {
		return fmt.Errorf("read the answer library of %s: %w", engagementID, err)
	}
	type key struct{ review, question string }
	var hit []key
	for rows.Next() {
		var k key
		var controls []string
		var at time.Time
		if err := rows.Scan(&k.review, &k.question, &controls, &at); err != nil {
			rows.Close()
			return fmt.Errorf("read the answer library of %s: %w", engagementID, err)
		}
		if c.Unsettles(controls, at) {
			hit = append(hit, k)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the answer library of %s: %w", engagementID, err)
	}
	for _, k := range hit {
		if _, err := tx.Exec(ctx, `
			UPDATE customer_questions SET reconfirm_why = $4, reconfirm_since = $5, reconfirmed_by = ''
			WHERE engagement_id = $1 AND review_id = $2 AND question_id = $3`, engagementID, k.review, k.question, c.Why, c.At); err != nil {
			return fmt.Errorf("unsettle answer %s of %s: %w", k.question, k.review, err)
		}
		if err := appendEvent(ctx, tx, Event{EngagementID: engagementID, Kind: compliance.EventCustomerAnswerUnsettled, Actor: "steadfast",
			Channel: ChannelWorkflow, At: c.At, Key: fmt.Sprintf("%s/%s/%s/%d", compliance.EventCustomerAnswerUnsettled, k.review, k.question, c.At.UnixNano()),
			Detail: map[string]any{"review": k.review, "question": k.question, "why": c.Why}}); err != nil {
			return err
		}
	}
	return nil
}

// UnsettleAnswers applies a change outside another record (a test, or a
// change recorded elsewhere).
func (s *Store) UnsettleAnswers(ctx context.Context, engagementID string, c custreview.LibraryChange) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error { return unsettleAnswers(ctx, tx, engagementID, c) })
}

// LibraryStep is the owner re-confirming an unsettled answer (Rewrite
// optionally replacing its text and Evidence its reference), or the lead
// approving it back into the library (Approve).
type LibraryStep struct {
	EngagementID, ReviewID, QuestionID string
	By                                 string
	Approve                            bool
	Rewrite, Evidence                  string
	Spec                               *compliance.Spec
	At                                 time.Time
	Key                                string
}

// StepAnswer applies one re-confirmation step under the rules of
// compliance/custreview, read and written in one transaction. A step
// retried with the same key after it landed changes nothing.
func (s *Store) StepAnswer(ctx context.Context, st LibraryStep) (CustomerQuestion, error) {
	var out CustomerQuestion
	kind := compliance.EventCustomerAnswerReconfirmed
	if st.Approve {
		kind = compliance.EventCustomerAnswerReapproved
	}
	evKey := kind + "/" + st.ReviewID + "/" + st.QuestionID + "/" + st.Key
	err := pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		var done bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM engagement_events WHERE engagement_id = $1 AND event_key = $2)`, st.EngagementID, evKey).Scan(&done); err != nil {
			return fmt.Errorf("look up %s: %w", evKey, err)
		}
		q, err := questionTx(ctx, tx, st.EngagementID, st.ReviewID, st.QuestionID)
		if err != nil {
			return err
		}
		if done {
			out = q
			return nil
		}
		by := strings.ToLower(st.By)
		if st.Approve {
			if err := custreview.CheckReapprove(st.Spec, by, q.Reconfirm()); err != nil {
				return fmt.Errorf("%w: %w", ErrRefused, err)
			}
			_, err = tx.Exec(ctx, `
				UPDATE customer_questions SET approved_by = $4, approved_at = $5, reconfirm_why = '', reconfirm_since = NULL, reconfirmed_by = ''
				WHERE engagement_id = $1 AND review_id = $2 AND question_id = $3`, st.EngagementID, st.ReviewID, st.QuestionID, by, st.At)
		} else {
			if err := custreview.CheckReconfirm(q.Owner, by, q.Reconfirm(), st.Rewrite); err != nil {
				return fmt.Errorf("%w: %w", ErrRefused, err)
			}
			answer, evidence := q.Answer, q.Evidence
			if strings.TrimSpace(st.Rewrite) != "" {
				answer = st.Rewrite
			}
			if strings.TrimSpace(st.Evidence) != "" {
				evidence = st.Evidence
			}
			_, err = tx.Exec(ctx, `
				UPDATE customer_questions SET reconfirmed_by = $4, answer = $5, evidence = $6
				WHERE engagement_id = $1 AND review_id = $2 AND question_id = $3`, st.EngagementID, st.ReviewID, st.QuestionID, by, answer, evidence)
		}
		if err != nil {
			return fmt.Errorf("%s %s of %s: %w", kind, st.QuestionID, st.ReviewID, err)
		}
		if err := appendEvent(ctx, tx, Event{EngagementID: st.EngagementID, Kind: kind, Actor: by, Channel: ChannelWorkflow, At: st.At, Key: evKey,
			Detail: map[string]any{"review": st.ReviewID, "question": st.QuestionID, "rewritten": st.Rewrite != ""}}); err != nil {
			return err
		}
		out, err = questionTx(ctx, tx, st.EngagementID, st.ReviewID, st.QuestionID)
		return err
	})
	return out, err
}

const questionColumns = `question_id, seq, question, ref, source_where, controls, owner_email, status, prompt_id, answer, evidence,
	answered_by, answered_at, approved_by, approved_at, reconfirm_why, reconfirm_since, reconfirmed_by,
	returned_reason, returned_by, returned_at, returns`

func questionTx(ctx context.Context, tx pgx.Tx, engagementID, reviewID, questionID string) (CustomerQuestion, error) {
	rows, err := tx.Query(ctx, `SELECT `+questionColumns+` FROM customer_questions
		WHERE engagement_id = $1 AND review_id = $2 AND question_id = $3 FOR UPDATE`, engagementID, reviewID, questionID)
	if err != nil {
		return CustomerQuestion{}, fmt.Errorf("read question %s of %s: %w", questionID, reviewID, err)
	}
	q, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[CustomerQuestion])
	if errors.Is(err, pgx.ErrNoRows) {
		return q, fmt.Errorf("%w: %s has no question %q", ErrNoQuestion, reviewID, questionID)
	}
	if err != nil {
		return q, fmt.Errorf("read question %s of %s: %w", questionID, reviewID, err)
	}
	return q, nil
}

// Unsettled lists the engagement's approved answers out of the library,
// waiting on their owners or on the lead, oldest first.
func (s *Store) Unsettled(ctx context.Context, engagementID string) ([]UnsettledAnswer, error) {
	rows, err := s.q.Query(ctx, `SELECT review_id, `+questionColumns+` FROM customer_questions
		WHERE engagement_id = $1 AND reconfirm_why <> '' ORDER BY reconfirm_since, review_id, seq`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("unsettled answers of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[UnsettledAnswer])
	if err != nil {
		return nil, fmt.Errorf("unsettled answers of %s: %w", engagementID, err)
	}
	return out, nil
}

// UnsettledAnswer is an approved answer waiting to be re-confirmed, with
// its review.
type UnsettledAnswer struct {
	ReviewID string `json:"review_id" db:"review_id"`
	CustomerQuestion
}
