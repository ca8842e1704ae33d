package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// The pack's audit-request files.
const (
	packAuditCSV  = "audit-requests.csv"
	packAuditJSON = "audit-requests.json"
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

// part writes audit-requests.csv and .json, header-only and [] when
// nothing was answered, so every pack has the same shape.
func (a packAudit) part() packPart {
	return func(files map[string][]byte) error {
		for _, name := range []string{packAuditCSV, packAuditJSON} {
			if _, taken := files[name]; taken {
				return fmt.Errorf("%s is already in the pack", name)
			}
		}
		rows := a.rows
		if rows == nil {
			rows = []auditRow{}
		}
		loc := a.loc
		if loc == nil {
			loc = time.UTC
		}
		var csvBuf bytes.Buffer
		if err := writeAuditCSV(&csvBuf, rows, loc); err != nil {
			return fmt.Errorf("%s: %w", packAuditCSV, err)
		}
		body, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", packAuditJSON, err)
		}
		files[packAuditCSV], files[packAuditJSON] = csvBuf.Bytes(), append(body, '\n')
		return nil
	}
}
