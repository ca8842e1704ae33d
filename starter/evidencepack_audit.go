package main

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
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
	rows, err := engagement.AuditRowsWithFiles(ctx, store, engagementID, postgres.AuditAnswered, time.Now())
	if err != nil {
		return packAudit{}, err
	}
	return packAudit{rows: rows, loc: cal.Location}, nil
}

// part writes audit-requests.csv and .json (evidencepack.AuditRequestsPart).
func (a packAudit) part() packPart { return evidencepack.AuditRequestsPart(a.rows, a.loc) }

// files copies the files the answers carried into the pack
// (evidencepack.AnswerFilesPart), so the manifest signs their hashes.
func (a packAudit) files(ctx context.Context, blobs blob.Store) packPart {
	return evidencepack.AnswerFilesPart(ctx, blobs, a.rows)
}
