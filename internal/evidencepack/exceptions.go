package evidencepack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// ExceptionsJSON and ExceptionsCSV hold the accepted exceptions: findings
// the lead chose to accept, each with its reason, who decided and when —
// qualifications the client chose, not ones it did not know about.
const (
	ExceptionsJSON = "accepted-exceptions.json"
	ExceptionsCSV  = "accepted-exceptions.csv"
)

// ExceptionsPart writes the accepted exceptions (header-only and [] when
// there are none, so every pack has the same shape).
func ExceptionsPart(fs []postgres.Finding) Part {
	return func(files map[string][]byte) error {
		for _, name := range []string{ExceptionsJSON, ExceptionsCSV} {
			if _, taken := files[name]; taken {
				return fmt.Errorf("%s is already in the pack", name)
			}
		}
		if fs == nil {
			fs = []postgres.Finding{}
		}
		body, err := json.MarshalIndent(fs, "", "  ")
		if err != nil {
			return fmt.Errorf("encode accepted exceptions: %w", err)
		}
		files[ExceptionsJSON] = append(body, '\n')
		var buf bytes.Buffer
		w := csvsafe.NewWriter(&buf)
		_ = w.Write([]string{"finding_id", "control_id", "occurrence_key", "test", "severity", "exception", "reason", "decided_by", "decided_at", "rank"})
		for _, f := range fs {
			at := ""
			if f.DecidedAt != nil {
				at = f.DecidedAt.UTC().Format(time.RFC3339)
			}
			_ = w.Write([]string{f.FindingID, f.ControlID, f.OccurrenceKey, f.Test, f.Severity, f.Exception, f.Reason, f.DecidedBy, at, strconv.Itoa(f.Rank)})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return fmt.Errorf("write accepted exceptions: %w", err)
		}
		files[ExceptionsCSV] = buf.Bytes()
		return nil
	}
}
