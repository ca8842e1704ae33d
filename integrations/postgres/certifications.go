package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// CertificationRow is a report or certificate the engagement obtained: a
// SOC 2 report with its period, an ISO 27001 certificate or a PCI DSS
// attestation of compliance. Its fields mirror postcert.Certification.
type CertificationRow struct {
	EngagementID string                 `json:"engagement_id"`
	Framework    compliance.FrameworkID `json:"framework"`
	CertifiedOn  compliance.Date        `json:"certified_on"`
	// ReportPeriod is a SOC 2 report's period; zero when there is none.
	ReportPeriod compliance.Span `json:"report_period"`
	Reference    string          `json:"reference,omitempty"`
	RecordedBy   string          `json:"recorded_by"`
	RecordedAt   time.Time       `json:"recorded_at"`
}

// certificationConstraints names what the certifications table's checks
// protect (migration 00008).
var certificationConstraints = map[string]string{
	"certifications_check":  "the report period needs both a start and an end",
	"certifications_check1": "the report period ends before it starts",
}

// RecordCertification records a certification once per framework and date.
// Recording the same one again changes nothing; recording it with a
// corrected period or reference replaces those, and both are logged.
func (s *Store) RecordCertification(ctx context.Context, c CertificationRow) error {
	p := c.ReportPeriod
	// The key must be there; what makes a certification whole is
	// postcert.Certification.Validate, held by the table's checks.
	if c.EngagementID == "" || c.Framework == "" || c.CertifiedOn.IsZero() {
		return fmt.Errorf("record certification: engagement, framework and date are required: %w", postcert.ErrInvalidCertification)
	}
	by := strings.ToLower(strings.TrimSpace(c.RecordedBy))
	return pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO certifications AS cur (engagement_id, framework, certified_on, report_period_start, report_period_end,
				reference, recorded_by, recorded_at)
			VALUES (@engagement_id, @framework, @certified_on, @report_period_start, @report_period_end,
				@reference, @recorded_by, @recorded_at)
			ON CONFLICT (engagement_id, framework, certified_on) DO UPDATE SET
				report_period_start = EXCLUDED.report_period_start, report_period_end = EXCLUDED.report_period_end,
				reference = EXCLUDED.reference, recorded_by = EXCLUDED.recorded_by, recorded_at = EXCLUDED.recorded_at
			WHERE (cur.report_period_start, cur.report_period_end, cur.reference)
				IS DISTINCT FROM (EXCLUDED.report_period_start, EXCLUDED.report_period_end, EXCLUDED.reference)`,
			pgx.StrictNamedArgs{"engagement_id": c.EngagementID, "framework": string(c.Framework),
				"certified_on": c.CertifiedOn.String(), "report_period_start": dateOrNil(p.Start),
				"report_period_end": dateOrNil(p.End), "reference": c.Reference, "recorded_by": by, "recorded_at": c.RecordedAt})
		if err != nil {
			return fmt.Errorf("record certification of %s on %s: %w", c.Framework, c.CertifiedOn,
				refused(err, "certifications", certificationConstraints, postcert.ErrInvalidCertification, string(c.Framework)))
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		// The key carries the period and reference so a correction is
		// logged as well as the first record.
		return appendEvent(ctx, tx, Event{
			EngagementID: c.EngagementID, Kind: EventCertified, Actor: by, Channel: ChannelCLI, At: c.RecordedAt,
			Key: fmt.Sprintf("certified/%s/%s/%s/%s", c.Framework, c.CertifiedOn, p, c.Reference),
			Detail: map[string]any{"framework": c.Framework, "certified_on": c.CertifiedOn.String(),
				"report_period_start": p.Start.String(), "report_period_end": p.End.String(), "reference": c.Reference},
		})
	})
}

// Certifications lists an engagement's certifications, oldest first.
func (s *Store) Certifications(ctx context.Context, engagementID string) ([]CertificationRow, error) {
	rows, err := s.q.Query(ctx, `
		SELECT engagement_id, framework, certified_on::text, coalesce(report_period_start::text, ''),
			coalesce(report_period_end::text, ''), reference, recorded_by, recorded_at
		FROM certifications WHERE engagement_id = $1 ORDER BY certified_on, framework`, engagementID)
	if err != nil {
		return nil, fmt.Errorf("list certifications of %s: %w", engagementID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (CertificationRow, error) {
		var c CertificationRow
		var fw, on, start, end string
		if err := row.Scan(&c.EngagementID, &fw, &on, &start, &end, &c.Reference, &c.RecordedBy, &c.RecordedAt); err != nil {
			return c, err
		}
		c.Framework = compliance.FrameworkID(fw)
		var err error
		if c.CertifiedOn, err = compliance.ParseDate(on); err != nil {
			return c, err
		}
		if start != "" {
			if c.ReportPeriod.Start, err = compliance.ParseDate(start); err != nil {
				return c, err
			}
			if c.ReportPeriod.End, err = compliance.ParseDate(end); err != nil {
				return c, err
			}
		}
		return c, nil
	})
	if err != nil {
		return nil, fmt.Errorf("list certifications of %s: %w", engagementID, err)
	}
	return out, nil
}

func dateOrNil(d compliance.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}
