package evidencepack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// AuditRequestsCSV and AuditRequestsJSON hold the auditor's requests
// answered during fieldwork. Open requests stay out: the pack is what the
// auditor was given, and an open request has given nothing yet.
const (
	AuditRequestsCSV  = "audit-requests.csv"
	AuditRequestsJSON = "audit-requests.json"
)

// AuditRow is one audit request as the CLI, the web and the pack show it.
type AuditRow struct {
	postgres.AuditRequest
	// Overdue: still open after its due time.
	Overdue bool `json:"overdue"`
	// AnsweredLate: answered, but after its due time.
	AnsweredLate bool `json:"answered_late"`
	// Files are the files given with the answer; in a pack each is under
	// ArtifactPath, so the manifest signs its hash.
	Files []postgres.AnswerFile `json:"files,omitempty"`
}

// AuditCSVHeader is the request list's CSV header.
var AuditCSVHeader = []string{"request_id", "control_id", "description", "owner", "due_at", "status", "overdue", "answered_late",
	"answer", "answer_link", "answer_note", "answered_by", "answered_at", "requested_by", "imported_from", "prompt_id", "files"}

// WriteAuditCSV writes rows with times in RFC 3339 in loc (the client's
// zone), for spreadsheets and the auditor's tools; every cell neutralised.
func WriteAuditCSV(w io.Writer, rows []AuditRow, loc *time.Location) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(AuditCSVHeader); err != nil {
		return err
	}
	yesNo := map[bool]string{true: "yes", false: "no"}
	for _, r := range rows {
		at := ""
		if r.AnsweredAt != nil {
			at = r.AnsweredAt.In(loc).Format(time.RFC3339)
		}
		err := cw.Write([]string{r.RequestID, r.ControlID, r.Description, r.Owner, r.DueAt.In(loc).Format(time.RFC3339), r.Status,
			yesNo[r.Overdue], yesNo[r.AnsweredLate], r.AnswerChoice, r.AnswerLink, r.AnswerNote, r.AnsweredBy, at,
			r.RequestedBy, r.ImportedFrom, r.PromptID, fileList(r.Files)})
		if err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// AuditRequestsPart writes audit-requests.csv and .json from the answered
// requests, header-only and [] when nothing was answered, so every pack
// has the same shape.
func AuditRequestsPart(rows []AuditRow, loc *time.Location) Part {
	return func(files map[string][]byte) error {
		for _, name := range []string{AuditRequestsCSV, AuditRequestsJSON} {
			if _, taken := files[name]; taken {
				return fmt.Errorf("%s is already in the pack", name)
			}
		}
		if rows == nil {
			rows = []AuditRow{}
		}
		if loc == nil {
			loc = time.UTC
		}
		var csvBuf bytes.Buffer
		if err := WriteAuditCSV(&csvBuf, rows, loc); err != nil {
			return fmt.Errorf("%s: %w", AuditRequestsCSV, err)
		}
		body, err := json.MarshalIndent(rows, "", "  ")
		if err != nil {
			return fmt.Errorf("%s: %w", AuditRequestsJSON, err)
		}
		files[AuditRequestsCSV], files[AuditRequestsJSON] = csvBuf.Bytes(), append(body, '\n')
		return nil
	}
}

// fileList is the CSV's files cell: each file as "name (sha256)", in the
// order given.
func fileList(fs []postgres.AnswerFile) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.Filename + " (" + f.SHA256 + ")"
	}
	return strings.Join(parts, "; ")
}
