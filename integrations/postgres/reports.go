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
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// ReportKey names one issued report (report.Key).
type ReportKey = report.Key

func reportArgs(k ReportKey) pgx.StrictNamedArgs {
	return pgx.StrictNamedArgs{"engagement_id": k.EngagementID, "framework": string(k.Framework), "certified_on": k.Date.String()}
}

// ErrNoReport means no report is recorded under the key.
var ErrNoReport = errors.New("no report is recorded for that certification")

// RecordReport records the report and its exceptions once, with its event.
// Recording it again (a retried activity) changes nothing.
func (s *Store) RecordReport(ctx context.Context, k ReportKey, r report.Report, by string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		f := compliance.Artifact{}
		if r.File != nil {
			f = *r.File
		}
		args := reportArgs(k)
		args["opinion"], args["period_start"], args["period_end"] = string(r.Opinion), dateOrNil(r.Period.Start), dateOrNil(r.Period.End)
		args["file_sha256"], args["file_name"], args["file_size"], args["file_type"] = f.SHA256, f.Filename, f.Size, f.ContentType
		args["recorded_by"], args["recorded_at"] = strings.ToLower(by), at
		tag, err := tx.Exec(ctx, `
			INSERT INTO reports (engagement_id, framework, certified_on, opinion, period_start, period_end,
				file_sha256, file_name, file_size, file_type, recorded_by, recorded_at)
			VALUES (@engagement_id, @framework, @certified_on, @opinion, @period_start, @period_end,
				@file_sha256, @file_name, @file_size, @file_type, @recorded_by, @recorded_at)
			ON CONFLICT DO NOTHING`, args)
		if err != nil {
			return fmt.Errorf("record report %s of %s: %w", k, k.EngagementID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		surprises := 0
		for _, e := range r.Exceptions {
			because, err := json.Marshal(e.Because)
			if err != nil {
				return fmt.Errorf("encode exception %d: %w", e.N, err)
			}
			a := reportArgs(k)
			a["n"], a["ref"], a["description"], a["management_response"] = e.N, e.Ref, e.Description, e.ManagementResponse
			a["controls"], a["owners"], a["origin"], a["because"] = nonNil(e.Controls), nonNil(e.Owners), string(e.Origin), string(because)
			if _, err := tx.Exec(ctx, `
				INSERT INTO report_exceptions (engagement_id, framework, certified_on, n, ref, description, management_response,
					controls, owners, origin, because)
				VALUES (@engagement_id, @framework, @certified_on, @n, @ref, @description, @management_response,
					@controls, @owners, @origin, @because)`, a); err != nil {
				return fmt.Errorf("record exception %d of report %s: %w", e.N, k, err)
			}
			if e.Origin == report.Surprise {
				surprises++
			}
		}
		if err := unsettleAnswers(ctx, tx, k.EngagementID, custreview.ReportChanged(k.String(), at)); err != nil {
			return err
		}
		return appendEvent(ctx, tx, Event{
			EngagementID: k.EngagementID, Kind: compliance.EventReportRecorded, Actor: strings.ToLower(by), Channel: ChannelWorkflow, At: at,
			Key:    "report-recorded/" + k.String(),
			Detail: map[string]any{"framework": k.Framework, "date": k.Date.String(), "opinion": r.Opinion, "exceptions": len(r.Exceptions), "surprises": surprises, "file": f.SHA256},
		})
	})
}

// RecordReadingsAsked records, per owner, what they were asked to read and
// the prompt asking them; an owner already recorded keeps their status.
func (s *Store) RecordReadingsAsked(ctx context.Context, k ReportKey, readings []report.Reading, promptIDs []string) error {
	if len(readings) != len(promptIDs) {
		return fmt.Errorf("record readings of %s: %d readings, %d prompts", k, len(readings), len(promptIDs))
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		for i, r := range readings {
			a := reportArgs(k)
			ex := r.Exceptions
			if ex == nil {
				ex = []int{}
			}
			a["owner_email"], a["controls"], a["exceptions"], a["prompt_id"] = strings.ToLower(r.Owner.Email), nonNil(r.Controls), ex, promptIDs[i]
			if _, err := tx.Exec(ctx, `
				INSERT INTO report_readings (engagement_id, framework, certified_on, owner_email, controls, exceptions, prompt_id, status)
				VALUES (@engagement_id, @framework, @certified_on, @owner_email, @controls, @exceptions, @prompt_id, 'asked')
				ON CONFLICT DO NOTHING`, a); err != nil {
				return fmt.Errorf("record reading of %s for %s: %w", k, r.Owner.Email, err)
			}
		}
		return nil
	})
}

// Reading statuses.
const (
	ReadingAsked     = "asked"
	ReadingRead      = "read"
	ReadingEscalated = "escalated"
)

// RecordReading records an owner's reading prompt's end: read (answered,
// by whom and when) or escalated (the ladder ran out), with its event.
func (s *Store) RecordReading(ctx context.Context, k ReportKey, owner, status, by, note string, at time.Time) error {
	if status != ReadingRead && status != ReadingEscalated {
		return fmt.Errorf("record reading: status %q", status)
	}
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		a := reportArgs(k)
		a["owner_email"], a["status"], a["read_by"], a["read_at"], a["note"] = strings.ToLower(owner), status, strings.ToLower(by), at, note
		tag, err := tx.Exec(ctx, `
			UPDATE report_readings SET status = @status, read_by = @read_by, read_at = @read_at, note = @note
			WHERE engagement_id = @engagement_id AND framework = @framework AND certified_on = @certified_on
				AND owner_email = @owner_email AND status = 'asked'`, a)
		if err != nil {
			return fmt.Errorf("record reading of %s by %s: %w", k, owner, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return appendEvent(ctx, tx, Event{EngagementID: k.EngagementID, Kind: compliance.EventReportRead, Actor: strings.ToLower(by),
			Channel: ChannelWorkflow, At: at, Key: "report-read/" + k.String() + "/" + strings.ToLower(owner),
			Detail: map[string]any{"owner": strings.ToLower(owner), "status": status}})
	})
}

// RecordExplanation stores an owner's explanation of a subject. A new
// wording replaces the old and clears its approval: the lead approves
// words, not a subject.
func (s *Store) RecordExplanation(ctx context.Context, k ReportKey, subject report.Subject, body, by, channel, key string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		a := reportArgs(k)
		a["subject"], a["body"], a["written_by"], a["written_at"] = string(subject), body, strings.ToLower(by), at
		tag, err := tx.Exec(ctx, `
			INSERT INTO report_explanations AS cur (engagement_id, framework, certified_on, subject, body, written_by, written_at)
			VALUES (@engagement_id, @framework, @certified_on, @subject, @body, @written_by, @written_at)
			ON CONFLICT (engagement_id, framework, certified_on, subject) DO UPDATE SET
				body = EXCLUDED.body, written_by = EXCLUDED.written_by, written_at = EXCLUDED.written_at, approved_by = '', approved_at = NULL
			WHERE cur.body IS DISTINCT FROM EXCLUDED.body`, a)
		if err != nil {
			return fmt.Errorf("record explanation of %s in %s: %w", subject, k, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return appendEvent(ctx, tx, Event{EngagementID: k.EngagementID, Kind: compliance.EventReportExplained, Actor: strings.ToLower(by),
			Channel: channel, At: at, Key: "report-explained/" + k.String() + "/" + key, Detail: map[string]any{"subject": subject}})
	})
}

// ApproveExplanation records the lead's approval of the current wording.
func (s *Store) ApproveExplanation(ctx context.Context, k ReportKey, subject report.Subject, by, channel, key string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		a := reportArgs(k)
		a["subject"], a["approved_by"], a["approved_at"] = string(subject), strings.ToLower(by), at
		tag, err := tx.Exec(ctx, `
			UPDATE report_explanations SET approved_by = @approved_by, approved_at = @approved_at
			WHERE engagement_id = @engagement_id AND framework = @framework AND certified_on = @certified_on
				AND subject = @subject AND approved_by = ''`, a)
		if err != nil {
			return fmt.Errorf("approve explanation of %s in %s: %w", subject, k, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		return appendEvent(ctx, tx, Event{EngagementID: k.EngagementID, Kind: compliance.EventExplanationApproved, Actor: strings.ToLower(by),
			Channel: channel, At: at, Key: "report-explanation-approved/" + k.String() + "/" + key, Detail: map[string]any{"subject": subject}})
	})
}
