package main

import (
	"fmt"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
	"io"
	"text/tabwriter"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// auditRow is one audit request as the CLI and the evidence pack show it.
type auditRow = engagement.AuditRow

// auditRows judges requests as of now (the evidence pack's view).
func auditRows(reqs []postgres.AuditRequest, now time.Time) []auditRow {
	return engagement.AuditRows(reqs, now)
}

var auditCSVHeader = []string{"request_id", "control_id", "description", "owner", "due_at", "status", "overdue", "answered_late",
	"answer", "answer_link", "answer_note", "answered_by", "answered_at", "requested_by", "imported_from", "prompt_id"}

// writeAuditCSV writes rows with times in RFC 3339 in loc (the client's
// zone), for spreadsheets and the auditor's tools.
func writeAuditCSV(w io.Writer, rows []auditRow, loc *time.Location) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(auditCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		at := ""
		if r.AnsweredAt != nil {
			at = r.AnsweredAt.In(loc).Format(time.RFC3339)
		}
		err := cw.Write([]string{r.RequestID, r.ControlID, r.Description, r.Owner, r.DueAt.In(loc).Format(time.RFC3339), r.Status,
			yesNo(r.Overdue), yesNo(r.AnsweredLate), r.AnswerChoice, r.AnswerLink, r.AnswerNote, r.AnsweredBy, at,
			r.RequestedBy, r.ImportedFrom, r.PromptID})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

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
