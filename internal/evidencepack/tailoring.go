package evidencepack

import (
	"bytes"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// TailoringCSV lists how the engagement departs from the control library:
// every override, not-applicable and inherited control and custom control,
// with the client's justification — what an auditor reads before asking
// "why is this control missing or different?".
const TailoringCSV = "tailoring.csv"

// TailoringHeader is tailoring.csv's header row.
var TailoringHeader = []string{"control_id", "title", "change", "library", "tailored", "justification"}

// TailoringPart writes tailoring.csv for the spec (header only when the spec
// tailors nothing, so every pack has the same shape).
func TailoringPart(spec *compliance.Spec) Part {
	return func(files map[string][]byte) error {
		if _, taken := files[TailoringCSV]; taken {
			return fmt.Errorf("%s is already in the pack", TailoringCSV)
		}
		var buf bytes.Buffer
		w := csvsafe.NewWriter(&buf)
		_ = w.Write(TailoringHeader)
		for _, r := range catalog.Default().TailoringRows(spec) {
			_ = w.Write([]string{r.ControlID, r.Title, r.Change, r.Library, r.Tailored, r.Justification})
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return fmt.Errorf("write %s: %w", TailoringCSV, err)
		}
		files[TailoringCSV] = buf.Bytes()
		return nil
	}
}
