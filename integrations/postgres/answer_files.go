package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotLinkable is an evidence row an answer may not carry: not of the
// answer's engagement, or not a stored file. A raw workflow client naming
// another engagement's row meets it here, inside the answer's transaction,
// so the answer is not recorded.
var ErrNotLinkable = errors.New("evidence cannot be attached to this answer")

// AnswerFile is one file of an answer to an auditor's request, as stored.
type AnswerFile struct {
	PromptID     string    `db:"prompt_id"`
	Seq          int       `db:"seq"`
	EngagementID string    `db:"engagement_id"`
	RequestID    string    `db:"request_id"`
	SHA256       string    `db:"sha256"`
	Size         int64     `db:"size"`
	ContentType  string    `db:"content_type"`
	Filename     string    `db:"filename"`
	EvidenceID   *int64    `db:"evidence_id"`
	AddedBy      string    `db:"added_by"`
	Channel      string    `db:"channel"`
	AddedAt      time.Time `db:"added_at"`
}

// addAnswerFiles records an answer's files in the answer's transaction,
// numbered in the order given. A linked evidence row must be of the
// answer's engagement and hold a file; its hash, size, type and name are
// copied from the row, never taken from the request.
func addAnswerFiles(ctx context.Context, tx pgx.Tx, a PromptAnswer) error {
	for i, f := range a.Files {
		args := pgx.StrictNamedArgs{"prompt_id": a.PromptID, "seq": i + 1, "engagement_id": a.EngagementID,
			"by": a.By, "channel": a.Via, "at": a.At}
		if f.Artifact != nil {
			args["sha256"], args["size"], args["content_type"], args["filename"] =
				f.Artifact.SHA256, f.Artifact.Size, f.Artifact.ContentType, f.Artifact.Filename
			if _, err := tx.Exec(ctx, `
				INSERT INTO answer_files (prompt_id, seq, engagement_id, sha256, size, content_type, filename,
					evidence_id, added_by, channel, added_at)
				VALUES (@prompt_id, @seq, @engagement_id, @sha256, @size, @content_type, @filename,
					NULL, lower(@by), @channel, @at)`, args); err != nil {
				return fmt.Errorf("record file %d of the answer to %s: %w", i+1, a.PromptID, err)
			}
			continue
		}
		args["evidence_id"] = f.EvidenceID
		tag, err := tx.Exec(ctx, `
			INSERT INTO answer_files (prompt_id, seq, engagement_id, sha256, size, content_type, filename,
				evidence_id, added_by, channel, added_at)
			SELECT @prompt_id, @seq, e.engagement_id, e.artifact_sha256, e.artifact_size, e.content_type, e.filename,
				e.id, lower(@by), @channel, @at
			FROM evidence e
			WHERE e.id = @evidence_id AND e.engagement_id = @engagement_id AND e.artifact_sha256 <> ''`, args)
		if err != nil {
			return fmt.Errorf("attach evidence %d to the answer to %s: %w", f.EvidenceID, a.PromptID, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("%w: evidence %d is not a stored file of engagement %s", ErrNotLinkable, f.EvidenceID, a.EngagementID)
		}
	}
	return nil
}

// answerFilesSQL reads the files of an engagement's answered requests (of
// one request when @request_id is set), by request then order given.
const answerFilesSQL = `
	SELECT f.prompt_id, f.seq, f.engagement_id, a.request_id, f.sha256, f.size, f.content_type, f.filename,
		f.evidence_id, f.added_by, f.channel, f.added_at
	FROM answer_files f JOIN audit_requests a ON a.prompt_id = f.prompt_id AND a.engagement_id = f.engagement_id
	WHERE f.engagement_id = @engagement_id AND (@request_id = '' OR a.request_id = @request_id)
	ORDER BY a.request_id, f.seq`

// AnswerFiles lists the files given with answers to an engagement's audit
// requests (one request's, when requestID is set).
func (s *Store) AnswerFiles(ctx context.Context, engagementID, requestID string) ([]AnswerFile, error) {
	rows, err := s.q.Query(ctx, answerFilesSQL, pgx.StrictNamedArgs{"engagement_id": engagementID, "request_id": requestID})
	if err != nil {
		return nil, fmt.Errorf("list answer files of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AnswerFile])
	if err != nil {
		return nil, fmt.Errorf("list answer files of %s: %w", engagementID, err)
	}
	return out, nil
}
