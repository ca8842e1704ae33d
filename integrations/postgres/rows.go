package postgres

import (
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// Rows as the store reads them. The records themselves live in compliance,
// which knows nothing of columns; each row type here has the same fields in
// the same order as its record, plus the column each comes from, so
// pgx.RowToStructByName fills it by column name and a plain conversion
// (compliance.Prompt(row)) turns it into the record. A field added to a
// record without its column here fails to compile, not to scan.

type promptRow struct {
	ID             string                    `db:"id"`
	EngagementID   string                    `db:"engagement_id"`
	Key            string                    `db:"prompt_key"`
	Kind           string                    `db:"kind"`
	Subject        string                    `db:"subject"`
	Question       string                    `db:"question"`
	Why            string                    `db:"why"`
	Choices        []compliance.PromptChoice `db:"choices"`
	NoteRequired   bool                      `db:"note_required"`
	LinkRequired   bool                      `db:"link_required"`
	AddresseeEmail string                    `db:"addressee_email"`
	AddresseeName  string                    `db:"addressee_name"`
	Status         string                    `db:"status"`
	Level          string                    `db:"level"`
	DueAt          time.Time                 `db:"due_at"`
	CreatedAt      time.Time                 `db:"created_at"`
	AnswerChoice   string                    `db:"answer_choice"`
	AnswerNote     string                    `db:"answer_note"`
	AnswerLink     string                    `db:"answer_link"`
	AnsweredBy     string                    `db:"answered_by"`
	AnsweredVia    string                    `db:"answered_via"`
	AnsweredAt     *time.Time                `db:"answered_at"`
	UpdateID       string                    `db:"answer_update_id"`
}

type assessmentRow struct {
	EngagementID   string     `db:"engagement_id"`
	ControlID      string     `db:"control_id"`
	OwnerEmail     string     `db:"owner_email"`
	PromptID       string     `db:"prompt_id"`
	Status         string     `db:"status"`
	EvidenceExists bool       `db:"evidence_exists"`
	Sampleable     bool       `db:"sampleable"`
	Choice         string     `db:"choice"`
	Note           string     `db:"note"`
	Link           string     `db:"link"`
	AnsweredBy     string     `db:"answered_by"`
	AnsweredVia    string     `db:"answered_via"`
	AnsweredAt     *time.Time `db:"answered_at"`
	Unanswered     bool       `db:"unanswered"`
}
