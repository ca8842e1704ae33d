package main

import (
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// auditRow is one audit request as the CLI and the evidence pack show it.
type auditRow = engagement.AuditRow

// The request list's CSV is the evidence pack's (one writer).
var (
	auditCSVHeader = evidencepack.AuditCSVHeader
	writeAuditCSV  = evidencepack.WriteAuditCSV
)

// writeAuditTable is the terminal view: one line per request.
func writeAuditTable(w io.Writer, engagementID string, rows []auditRow, loc *time.Location) error {
	if len(rows) == 0 {
		_, err := fmt.Fprintf(w, "%s has no audit requests (add them with `starter audit import %s FILE.csv`).\n", engagementID, engagementID)
		return err
	}
	open, overdue := 0, 0
	for _, r := range rows {
		if r.Status == postgres.AuditOpen {
			open++
		}
		if r.Overdue {
			overdue++
		}
	}
	fmt.Fprintf(w, "%s: %d audit requests, %d open, %d overdue\n", engagementID, len(rows), open, overdue)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "REQUEST\tCONTROL\tOWNER\tDUE\tSTATUS\tOVERDUE\tANSWER\tLINK\tDESCRIPTION")
	for _, r := range rows {
		control, answer := r.ControlID, r.AnswerChoice
		if control == "" {
			control = "-"
		}
		if r.Status == postgres.AuditOpen && r.PromptStatus != "" && r.PromptStatus != postgres.PromptOpen {
			answer = "(prompt " + r.PromptStatus + ")"
		}
		overdue := ""
		switch {
		case r.Overdue:
			overdue = "OVERDUE"
		case r.AnsweredLate:
			overdue = "late"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.RequestID, control, r.Owner,
			r.DueAt.In(loc).Format("2006-01-02 15:04 MST"), r.Status, overdue, answer, r.AnswerLink, shorten(r.Description, 60))
	}
	return tw.Flush()
}
