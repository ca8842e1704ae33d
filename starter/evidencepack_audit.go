package main

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// The pack's audit-request files.
const (
	packAuditCSV  = evidencepack.AuditRequestsCSV
	packAuditJSON = evidencepack.AuditRequestsJSON
)

// packAudit is the audit-support part of a pack: the requests answered
// during fieldwork. Open requests stay out: the pack is what the auditor
// was given, and an open request has given nothing yet.
type packAudit struct {
	rows []auditRow
	loc  *time.Location
}

func loadAnsweredAuditRequests(ctx context.Context, store *postgres.Store, engagementID string) (packAudit, error) {
	spec, _, err := store.SpecAndPlan(ctx, engagementID)
	if err != nil {
		return packAudit{}, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return packAudit{}, fmt.Errorf("calendar of %s: %w", engagementID, err)
	}
	reqs, err := store.AuditRequests(ctx, engagementID, postgres.AuditRequestFilter{Status: postgres.AuditAnswered})
	if err != nil {
		return packAudit{}, err
	}
	return packAudit{rows: auditRows(reqs, time.Now()), loc: cal.Location}, nil
}

// part writes audit-requests.csv and .json (evidencepack.AuditRequestsPart).
func (a packAudit) part() packPart { return evidencepack.AuditRequestsPart(a.rows, a.loc) }
