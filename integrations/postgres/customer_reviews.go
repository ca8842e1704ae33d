package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// CustomerReview is one customer's questionnaire, with its questions'
// progress counted.
type CustomerReview struct {
	EngagementID string          `json:"engagement_id" db:"engagement_id"`
	ReviewID     string          `json:"review_id" db:"review_id"`
	Customer     string          `json:"customer" db:"customer"`
	Due          compliance.Date `json:"due" db:"-"`
	Format       string          `json:"format" db:"format"`
	FileName     string          `json:"file_name" db:"file_name"`
	ImportedBy   string          `json:"imported_by" db:"imported_by"`
	ImportedAt   time.Time       `json:"imported_at" db:"imported_at"`
	// Counts by status (custreview.Status*).
	Counts map[string]int `json:"counts" db:"-"`
	// Files is the lead's decision to let the export carry the evidence
	// files (zero: references only).
	Files custreview.FilesAllowance `json:"files_allowed,omitzero" db:"-"`
}

// CustomerQuestion is one question with its routing, answer and approval.
type CustomerQuestion struct {
	QuestionID string     `json:"question_id" db:"question_id"`
	Seq        int        `json:"seq" db:"seq"`
	Question   string     `json:"question" db:"question"`
	Ref        string     `json:"ref,omitempty" db:"ref"`
	Where      string     `json:"where,omitempty" db:"source_where"`
	Controls   []string   `json:"controls" db:"controls"`
	Owner      string     `json:"owner,omitempty" db:"owner_email"`
	Status     string     `json:"status" db:"status"`
	PromptID   string     `json:"prompt_id,omitempty" db:"prompt_id"`
	Answer     string     `json:"answer,omitempty" db:"answer"`
	Evidence   string     `json:"evidence,omitempty" db:"evidence"`
	AnsweredBy string     `json:"answered_by,omitempty" db:"answered_by"`
	AnsweredAt *time.Time `json:"answered_at,omitempty" db:"answered_at"`
	ApprovedBy string     `json:"approved_by,omitempty" db:"approved_by"`
	ApprovedAt *time.Time `json:"approved_at,omitempty" db:"approved_at"`
	// An approved answer out of the library until re-confirmed
	// (custreview.Reconfirmation).
	ReconfirmWhy   string     `json:"reconfirm_why,omitempty" db:"reconfirm_why"`
	ReconfirmSince *time.Time `json:"reconfirm_since,omitempty" db:"reconfirm_since"`
	ReconfirmedBy  string     `json:"reconfirmed_by,omitempty" db:"reconfirmed_by"`
	// The lead's latest return of the answer to its owner, and how many
	// times it went back; kept once the owner answers again, so the
	// lead sees what the new answer replies to.
	ReturnedReason string     `json:"returned_reason,omitempty" db:"returned_reason"`
	ReturnedBy     string     `json:"returned_by,omitempty" db:"returned_by"`
	ReturnedAt     *time.Time `json:"returned_at,omitempty" db:"returned_at"`
	Returns        int        `json:"returns,omitempty" db:"returns"`
}

// Reconfirm is its standing in the library.
func (q CustomerQuestion) Reconfirm() custreview.Reconfirmation {
	return custreview.Reconfirmation{Why: q.ReconfirmWhy, Since: q.ReconfirmSince, ConfirmedBy: q.ReconfirmedBy}
}

// ImportCustomerReview records the review and its routed questions once;
// importing it again (a retried activity) changes nothing.
func (s *Store) ImportCustomerReview(ctx context.Context, r CustomerReview, qs []custreview.Routed) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO customer_reviews (engagement_id, review_id, customer, due_on, format, file_name, imported_by, imported_at)
			VALUES (@engagement_id, @review_id, @customer, @due_on, @format, @file_name, @imported_by, @imported_at)
			ON CONFLICT DO NOTHING`, pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "review_id": r.ReviewID, "customer": r.Customer,
			"due_on": r.Due.String(), "format": r.Format, "file_name": r.FileName, "imported_by": strings.ToLower(r.ImportedBy), "imported_at": r.ImportedAt})
		if err != nil {
			return fmt.Errorf("record customer review %s: %w", r.ReviewID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		unmapped := 0
		for i, q := range qs {
			status := custreview.StatusRouted
			if q.Unmapped() {
				status = custreview.StatusUnmapped
				unmapped++
			}
			if _, err := tx.Exec(ctx, `
				INSERT INTO customer_questions (engagement_id, review_id, question_id, seq, question, ref, source_where, controls, owner_email, status)
				VALUES (@engagement_id, @review_id, @question_id, @seq, @question, @ref, @source_where, @controls, @owner_email, @status)`,
				pgx.StrictNamedArgs{"engagement_id": r.EngagementID, "review_id": r.ReviewID, "question_id": q.ID, "seq": i + 1,
					"question": q.Text, "ref": q.Ref, "source_where": q.Where, "controls": nonNil(q.Controls), "owner_email": q.Owner,
					"status": status}); err != nil {
				return fmt.Errorf("record question %s of %s: %w", q.ID, r.ReviewID, err)
			}
		}
		return appendEvent(ctx, tx, Event{EngagementID: r.EngagementID, Kind: compliance.EventCustomerReviewImported,
			Actor: strings.ToLower(r.ImportedBy), Channel: ChannelWorkflow, At: r.ImportedAt, Key: "customer-review-imported/" + r.ReviewID,
			Detail: map[string]any{"customer": r.Customer, "due": r.Due.String(), "questions": len(qs), "unmapped": unmapped, "format": r.Format}})
	})
}

// QuestionChange is one step of a question (custreview.Change).
type QuestionChange = custreview.Change

// ChangeQuestion applies one step, guarded by the status it must come
// from, so a retried step changes nothing; each step is one event.
func (s *Store) ChangeQuestion(ctx context.Context, c QuestionChange) error {
	args := pgx.NamedArgs{"engagement_id": c.EngagementID, "review_id": c.ReviewID, "question_id": c.QuestionID, "at": c.At}
	where := ` WHERE engagement_id = @engagement_id AND review_id = @review_id AND question_id = @question_id`
	var sql, kind string
	detail := map[string]any{"review": c.ReviewID, "question": c.QuestionID}
	actor := "steadfast"
	switch {
	case c.PromptID != "":
		// A returned question is asked again in a new prompt.
		sql = `UPDATE customer_questions SET prompt_id = @prompt_id` + where + ` AND (prompt_id = '' OR status = 'returned')`
		args["prompt_id"] = c.PromptID
	case c.Map != nil:
		sql, kind, actor = `UPDATE customer_questions SET controls = @controls, owner_email = @owner, status = 'routed'`+where+` AND status = 'unmapped'`,
			compliance.EventCustomerQuestionMapped, strings.ToLower(c.Map.By)
		args["controls"], args["owner"] = c.Map.Controls, strings.ToLower(c.Map.Owner)
		detail["controls"], detail["owner"] = c.Map.Controls, strings.ToLower(c.Map.Owner)
	case c.Answer != nil:
		sql, kind, actor = `UPDATE customer_questions SET answer = @answer, evidence = @evidence, answered_by = @by, answered_at = @at, status = 'answered'`+
			where+` AND status IN ('routed', 'returned')`, compliance.EventCustomerAnswered, strings.ToLower(c.Answer.By)
		args["answer"], args["evidence"], args["by"] = c.Answer.Text, c.Answer.Evidence, actor
	case c.Unanswered:
		sql = `UPDATE customer_questions SET status = 'unanswered'` + where + ` AND status IN ('routed', 'returned')`
	case c.Returned != nil:
		// The owner's answer stays until their new one replaces it: the
		// lead reads what the new answer replies to.
		sql, kind, actor = `UPDATE customer_questions SET status = 'returned', returned_reason = @reason, returned_by = @by, returned_at = @at,
			returns = returns + 1`+where+` AND status = 'answered'`, compliance.EventCustomerAnswerReturned, strings.ToLower(c.Returned.By)
		args["reason"], args["by"] = strings.TrimSpace(c.Returned.Reason), actor
		detail["reason"] = strings.TrimSpace(c.Returned.Reason)
	case c.ApprovedBy != "":
		sql, kind, actor = `UPDATE customer_questions SET approved_by = @by, approved_at = @at, status = 'approved'`+where+` AND status = 'answered'`,
			compliance.EventCustomerApproved, strings.ToLower(c.ApprovedBy)
		args["by"] = actor
	default:
		return fmt.Errorf("change question %s: nothing to change", c.QuestionID)
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, sql, args)
		if err != nil {
			return fmt.Errorf("change question %s of %s: %w", c.QuestionID, c.ReviewID, err)
		}
		if tag.RowsAffected() == 0 || kind == "" {
			return nil
		}
		return appendEvent(ctx, tx, Event{EngagementID: c.EngagementID, Kind: kind, Actor: actor, Channel: ChannelWorkflow, At: c.At,
			Key: kind + "/" + c.ReviewID + "/" + c.QuestionID + "/" + c.Key, Detail: detail})
	})
}

// CustomerReviews lists an engagement's reviews, newest due last, with
// their questions counted by status.
func (s *Store) CustomerReviews(ctx context.Context, engagementID string) ([]CustomerReview, error) {
	rows, err := s.q.Query(ctx, `
		SELECT r.review_id, r.customer, r.due_on::text, r.format, r.file_name, r.imported_by, r.imported_at,
			r.files_allowed_by, r.files_allowed_at, q.status, count(q.question_id)
		FROM customer_reviews r LEFT JOIN customer_questions q USING (engagement_id, review_id)
		WHERE r.engagement_id = $1
		GROUP BY r.review_id, r.customer, r.due_on, r.format, r.file_name, r.imported_by, r.imported_at,
			r.files_allowed_by, r.files_allowed_at, q.status
		ORDER BY r.due_on, r.review_id`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list customer reviews of %s: %w", engagementID, err)
	}
	defer rows.Close()
	var out []CustomerReview
	for rows.Next() {
		var r CustomerReview
		var due string
		var status *string
		var n int
		if err := rows.Scan(&r.ReviewID, &r.Customer, &due, &r.Format, &r.FileName, &r.ImportedBy, &r.ImportedAt,
			&r.Files.By, &r.Files.At, &status, &n); err != nil {
			return nil, fmt.Errorf("list customer reviews of %s: %w", engagementID, err)
		}
		if len(out) == 0 || out[len(out)-1].ReviewID != r.ReviewID {
			r.EngagementID, r.Counts = engagementID, map[string]int{}
			if r.Due, err = compliance.ParseDate(due); err != nil {
				return nil, err
			}
			out = append(out, r)
		}
		if status != nil {
			out[len(out)-1].Counts[*status] = n
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list customer reviews of %s: %w", engagementID, err)
	}
	return out, nil
}

// CustomerQuestions lists one review's questions in the questionnaire's
// order.
func (s *Store) CustomerQuestions(ctx context.Context, engagementID, reviewID string) ([]CustomerQuestion, error) {
	rows, err := s.q.Query(ctx, `
		SELECT `+questionColumns+`
		FROM customer_questions WHERE engagement_id = $1 AND review_id = $2 ORDER BY seq`, engagementID, reviewID)
	if err != nil {
		return nil, fmt.Errorf("list questions of %s: %w", reviewID, err)
	}
	qs, err := pgx.CollectRows(rows, pgx.RowToStructByName[CustomerQuestion])
	if err != nil {
		return nil, fmt.Errorf("list questions of %s: %w", reviewID, err)
	}
	return qs, nil
}

// AnswerLibrary is every approved answer of the engagement that nothing
// has unsettled since: what later questions on the same controls are
// offered.
func (s *Store) AnswerLibrary(ctx context.Context, engagementID string) ([]custreview.Suggestion, error) {
	rows, err := s.q.Query(ctx, `
		SELECT review_id, question_id, question, answer, evidence, controls, approved_by, approved_at
		FROM customer_questions WHERE engagement_id = $1 AND status = 'approved' AND reconfirm_why = '' ORDER BY approved_at DESC`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("read the answer library of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (custreview.Suggestion, error) {
		var s custreview.Suggestion
		err := row.Scan(&s.ReviewID, &s.QuestionID, &s.Question, &s.Answer, &s.Evidence, &s.Controls, &s.ApprovedBy, &s.ApprovedAt)
		return s, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the answer library of %s: %w", engagementID, err)
	}
	return out, nil
}
