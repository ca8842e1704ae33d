package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

func TestSummariseReviews(t *testing.T) {
	due := time.Date(2027, 3, 12, 17, 0, 0, 0, time.UTC)
	asked := due.Add(-10 * 24 * time.Hour)
	at := func(d time.Duration) *time.Time { t := due.Add(d); return &t }
	prompts := []postgres.Prompt{
		{Key: "review/ACC-04/2027-Q1", Kind: "review", AddresseeEmail: "a@x", DueAt: due, CreatedAt: asked, Status: "answered", AnswerChoice: "operates", AnsweredAt: at(-time.Hour)},
		{Key: "review/ACC-05/2027-Q1", Kind: "review", AddresseeEmail: "a@x", DueAt: due, CreatedAt: asked, Status: "answered", AnswerChoice: "changed", AnswerNote: "new IdP", AnsweredAt: at(time.Hour)},
		{Key: "review/VUL-01/2027-Q1", Kind: "review", AddresseeEmail: "v@x", DueAt: due, CreatedAt: asked, Status: "open", Level: "sponsor"},
		{Key: "review/VUL-02/2027-Q1", Kind: "review", AddresseeEmail: "v@x", DueAt: due, CreatedAt: asked, Status: "answered", AnswerChoice: "operates", AnsweredAt: at(48 * time.Hour)},
		{Key: "evidence/VUL-01/2027-W10", Kind: "evidence", DueAt: due, CreatedAt: asked, Status: "open"},
		{Key: "review/VUL-01/2027-Q2", Kind: "review", DueAt: due.AddDate(0, 3, 0), CreatedAt: asked.AddDate(0, 3, 0), Status: "open"},
	}
	r := SummariseReviews(prompts, due.Add(24*time.Hour))
	assert.Equal(t, 4, r.Asked, "the Q2 review was not asked yet and evidence is not a review")
	assert.Equal(t, 1, r.Done)
	assert.Equal(t, 1, r.DoneLate, "answered an hour after the deadline")
	if assert.Len(t, r.Overdue, 2, "still open, and answered only after the report's instant") {
		assert.Equal(t, "VUL-01", r.Overdue[0].ControlID)
		assert.Equal(t, "sponsor", r.Overdue[0].Told)
	}
	if assert.Len(t, r.Changed, 1) {
		assert.Equal(t, "new IdP", r.Changed[0].Note)
	}
}
