package custreview

import (
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// A review's export carries references to the evidence an answer rests on
// (the control, the occurrence, the file's name and hash), never the files
// themselves: the evidence is the client's, and a customer's security team
// passes questionnaires around. The lead may decide that one customer gets
// the files too; that decision is recorded once per review, with who made
// it and when, and the export with files is refused without it.

// MayAllowFiles reports whether email may let a review's export carry the
// evidence files: the lead or a lead delegate, who decide what the client
// discloses (the consultant runs the engagement but does not decide that).
func MayAllowFiles(spec *compliance.Spec, email string) error {
	if !spec.MayDecide(email) {
		return fmt.Errorf("%s may not allow evidence files in a customer's export: only the lead or a lead delegate", email)
	}
	return nil
}

// FilesAllowance is the lead's recorded decision for one review; the zero
// value is "references only".
type FilesAllowance struct {
	By string     `json:"by,omitempty"`
	At *time.Time `json:"at,omitempty"`
}

// Allowed reports whether the export may carry files.
func (f FilesAllowance) Allowed() bool { return f.By != "" }

// CheckExportWithFiles refuses an export with files the lead has not
// allowed, with the sentence that says how to get it.
func CheckExportWithFiles(reviewID string, f FilesAllowance) error {
	if !f.Allowed() {
		return fmt.Errorf("the lead has not allowed evidence files in review %s's export: it carries references only "+
			"(the lead allows files with `starter customer-review allow-files ENGAGEMENT %s --as LEAD`, or on the engagement page)", reviewID, reviewID)
	}
	return nil
}

// FilesOf picks the evidence files an approved answer rests on: for each
// of its controls, the newest file recorded up to the approval (what the
// lead saw when approving). Links and text are references in the sheet
// already; evidence given after the approval unsettles the answer instead
// (LibraryChange) and is not the customer's. evidence is oldest first.
func FilesOf(controls []string, approvedAt time.Time, evidence []compliance.Evidence) []compliance.Evidence {
	var out []compliance.Evidence
	for _, c := range controls {
		var newest *compliance.Evidence
		for i, e := range evidence {
			if e.ControlID == c && e.ArtifactSHA256 != "" && !e.SubmittedAt.After(approvedAt) {
				newest = &evidence[i]
			}
		}
		if newest != nil {
			out = append(out, *newest)
		}
	}
	return out
}
