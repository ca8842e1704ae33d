package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// ReportView is one issued report with who has read what and the owners'
// explanations: what `starter report` shows.
type ReportView struct {
	Key        ReportKey     `json:"key"`
	Report     report.Report `json:"report"`
	RecordedBy string        `json:"recorded_by"`
	RecordedAt time.Time     `json:"recorded_at"`
	Readings   []ReadingRow  `json:"readings"`
	Explained  []Explanation `json:"explanations"`
}

// ReadingRow is one owner's reading of the report.
type ReadingRow struct {
	Owner      string     `json:"owner" db:"owner_email"`
	Controls   []string   `json:"controls" db:"controls"`
	Exceptions []int32    `json:"exceptions" db:"exceptions"`
	PromptID   string     `json:"prompt_id" db:"prompt_id"`
	Status     string     `json:"status" db:"status"`
	ReadBy     string     `json:"read_by,omitempty" db:"read_by"`
	ReadAt     *time.Time `json:"read_at,omitempty" db:"read_at"`
	Note       string     `json:"note,omitempty" db:"note"`
}

// Explanation is an owner's explanation of a control or an exception.
type Explanation struct {
	Subject    string     `json:"subject" db:"subject"`
	Body       string     `json:"body" db:"body"`
	WrittenBy  string     `json:"written_by" db:"written_by"`
	WrittenAt  time.Time  `json:"written_at" db:"written_at"`
	ApprovedBy string     `json:"approved_by,omitempty" db:"approved_by"`
	ApprovedAt *time.Time `json:"approved_at,omitempty" db:"approved_at"`
}

// Reports lists an engagement's issued reports, oldest first, each whole.
func (s *Store) Reports(ctx context.Context, engagementID string) ([]ReportView, error) {
	rows, err := s.q.Query(ctx, `
		SELECT framework, certified_on::text, opinion, coalesce(period_start::text, ''), coalesce(period_end::text, ''),
			file_sha256, file_name, file_size, file_type, recorded_by, recorded_at
		FROM reports WHERE engagement_id = $1 ORDER BY certified_on, framework`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list reports of %s: %w", engagementID, err)
	}
	views, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (ReportView, error) {
		var v ReportView
		var fw, on, opinion, ps, pe string
		var f compliance.Artifact
		if err := row.Scan(&fw, &on, &opinion, &ps, &pe, &f.SHA256, &f.Filename, &f.Size, &f.ContentType, &v.RecordedBy, &v.RecordedAt); err != nil {
			return v, err
		}
		d, err := compliance.ParseDate(on)
		if err != nil {
			return v, err
		}
		v.Key = ReportKey{EngagementID: engagementID, Framework: compliance.FrameworkID(fw), Date: d}
		v.Report = report.Report{Framework: v.Key.Framework, Date: d, Opinion: report.Opinion(opinion)}
		if ps != "" {
			if v.Report.Period.Start, err = compliance.ParseDate(ps); err != nil {
				return v, err
			}
			if v.Report.Period.End, err = compliance.ParseDate(pe); err != nil {
				return v, err
			}
		}
		if f.SHA256 != "" {
			v.Report.File = &f
		}
		return v, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list reports of %s: %w", engagementID, err)
	}
	for i := range views {
		if err := s.fillReport(ctx, &views[i]); err != nil {
			return nil, err
		}
	}
	return views, nil
}

func (s *Store) fillReport(ctx context.Context, v *ReportView) error {
	k := v.Key
	rows, err := s.q.Query(ctx, `
		SELECT n, ref, description, management_response, controls, owners, origin, because
		FROM report_exceptions WHERE engagement_id = @engagement_id AND framework = @framework AND certified_on = @certified_on
		ORDER BY n`, reportArgs(k))
	if err != nil {
		return fmt.Errorf("read exceptions of %s: %w", k, err)
	}
	v.Report.Exceptions, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (report.Exception, error) {
		var e report.Exception
		var because []byte
		var origin string
		if err := row.Scan(&e.N, &e.Ref, &e.Description, &e.ManagementResponse, &e.Controls, &e.Owners, &origin, &because); err != nil {
			return e, err
		}
		e.Origin = report.Origin(origin)
		return e, json.Unmarshal(because, &e.Because)
	})
	if err != nil {
		return fmt.Errorf("read exceptions of %s: %w", k, err)
	}
	rows, err = s.q.Query(ctx, `
		SELECT owner_email, controls, exceptions, prompt_id, status, read_by, read_at, note
		FROM report_readings WHERE engagement_id = @engagement_id AND framework = @framework AND certified_on = @certified_on
		ORDER BY owner_email`, reportArgs(k))
	if err != nil {
		return fmt.Errorf("read readings of %s: %w", k, err)
	}
	if v.Readings, err = pgx.CollectRows(rows, pgx.RowToStructByName[ReadingRow]); err != nil {
		return fmt.Errorf("read readings of %s: %w", k, err)
	}
	rows, err = s.q.Query(ctx, `
		SELECT subject, body, written_by, written_at, approved_by, approved_at
		FROM report_explanations WHERE engagement_id = @engagement_id AND framework = @framework AND certified_on = @certified_on
		ORDER BY subject`, reportArgs(k))
	if err != nil {
		return fmt.Errorf("read explanations of %s: %w", k, err)
	}
	if v.Explained, err = pgx.CollectRows(rows, pgx.RowToStructByName[Explanation]); err != nil {
		return fmt.Errorf("read explanations of %s: %w", k, err)
	}
	return nil
}
