package postgres

import (
	"time"

	"github.com/jackc/pgx/v5"

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

type evidenceRow struct {
	ID             int64      `db:"id"`
	EngagementID   string     `db:"engagement_id"`
	ControlID      string     `db:"control_id"`
	OccurrenceKey  string     `db:"occurrence_key"`
	PeriodStart    time.Time  `db:"period_start"`
	PeriodEnd      time.Time  `db:"period_end"`
	DueAt          time.Time  `db:"due_at"`
	SubmittedAt    time.Time  `db:"submitted_at"`
	SubmittedBy    string     `db:"submitted_by"`
	Channel        string     `db:"channel"`
	Kind           string     `db:"kind"`
	Value          string     `db:"value"`
	ValueSHA256    string     `db:"value_sha256"`
	Corrects       *int64     `db:"corrects"`
	SubmissionKey  string     `db:"submission_key"`
	PerformedAt    *time.Time `db:"performed_at"`
	CoversStart    *time.Time `db:"covers_start"`
	CoversEnd      *time.Time `db:"covers_end"`
	ArtifactSHA256 string     `db:"artifact_sha256"`
	ArtifactSize   int64      `db:"artifact_size"`
	ContentType    string     `db:"content_type"`
	Filename       string     `db:"filename"`
}

type auditRequestRow struct {
	EngagementID string     `db:"engagement_id"`
	RequestID    string     `db:"request_id"`
	ControlID    string     `db:"control_id"`
	Description  string     `db:"description"`
	Owner        string     `db:"owner"`
	DueAt        time.Time  `db:"due_at"`
	RequestedBy  string     `db:"requested_by"`
	ImportedFrom string     `db:"imported_from"`
	PromptID     string     `db:"prompt_id"`
	Status       string     `db:"status"`
	PromptStatus string     `db:"prompt_status"`
	PromptLevel  string     `db:"prompt_level"`
	AnswerChoice string     `db:"answer_choice"`
	AnswerLink   string     `db:"answer_link"`
	AnswerNote   string     `db:"answer_note"`
	AnsweredBy   string     `db:"answered_by"`
	AnsweredAt   *time.Time `db:"answered_at"`
	CreatedAt    time.Time  `db:"created_at"`
}

// collectAs reads every row into R by column name and converts each to T.
func collectAs[R any, T any](rows pgx.Rows, conv func(R) T) ([]T, error) {
	read, err := pgx.CollectRows(rows, pgx.RowToStructByName[R])
	if err != nil {
		return nil, err
	}
	out := make([]T, len(read))
	for i, r := range read {
		out[i] = conv(r)
	}
	return out, nil
}
