package reports

import (
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// reviewKind is the prompts table's kind for a quarterly control review
// (workflows.PromptKindReview; repeated here so reports need no workflows).
const reviewKind = "review"

// Reviews summarises the quarterly control reviews asked so far: the prompt
// record is the review record (who confirmed, when, through which channel).
type Reviews struct {
	Asked int `json:"asked"`
	// Done were confirmed by the owner or the lead by their deadline;
	// DoneLate after it.
	Done     int `json:"done"`
	DoneLate int `json:"done_late"`
	// Overdue are still open past their deadline, with how far up the
	// ladder each has gone; Changed were answered "something changed" and
	// need the lead's attention.
	Overdue []ReviewItem `json:"overdue"`
	Changed []ReviewItem `json:"changed"`
}

// ReviewItem is one review in the report.
type ReviewItem struct {
	Key       string    `json:"key"`
	ControlID string    `json:"control_id"`
	Owner     string    `json:"owner"`
	Due       time.Time `json:"due"`
	Status    string    `json:"status"`
	// Told is how far the ladder has climbed (owner, lead, sponsor).
	Told string `json:"told,omitempty"`
	Note string `json:"note,omitempty"`
}

// SummariseReviews reads the review prompts as of now (answers given later
// are not yet given).
func SummariseReviews(prompts []postgres.Prompt, now time.Time) Reviews {
	var r Reviews
	for _, p := range prompts {
		if p.Kind != reviewKind || p.CreatedAt.After(now) {
			continue
		}
		r.Asked++
		item := ReviewItem{Key: p.Key, ControlID: reviewControl(p.Key), Owner: p.AddresseeEmail, Due: p.DueAt, Status: p.Status, Told: p.Level}
		answered := p.AnsweredAt != nil && !p.AnsweredAt.After(now)
		switch {
		case answered && p.AnswerChoice == "changed":
			item.Note = p.AnswerNote
			r.Changed = append(r.Changed, item)
			fallthrough
		case answered:
			if p.AnsweredAt.After(p.DueAt) {
				r.DoneLate++
			} else {
				r.Done++
			}
		case now.After(p.DueAt):
			r.Overdue = append(r.Overdue, item)
		}
	}
	slices.SortFunc(r.Overdue, func(a, b ReviewItem) int { return a.Due.Compare(b.Due) })
	return r
}

// reviewControl takes the control ID out of "review/ACC-04/2027-Q1".
func reviewControl(key string) string {
	parts := strings.Split(key, "/")
	if len(parts) == 3 {
		return parts[1]
	}
	return key
}
