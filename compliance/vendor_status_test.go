package compliance

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Each state of vendor work, and the near misses: work not yet due to be
// asked is not listed; an open prompt before its deadline is open, not
// overdue; "reviewed" and "received" close the work, "act", "not-yet" and
// "refused" leave it for the gap register.
func TestVendorWorkStates(t *testing.T) {
	s, err := LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	start := Date{2027, 2, 1}
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	at := func(d Date) time.Time { return time.Date(d.Year, d.Month, d.Day, 17, 0, 0, 0, ny) }
	prompt := func(key, status, answer string, due Date) Prompt {
		return Prompt{ID: "prompt/x/" + key, Key: key, Kind: VendorPromptKind, Status: status, AnswerChoice: answer, DueAt: at(due)}
	}
	state := func(items []VendorWorkItem) map[string]VendorWorkState {
		out := map[string]VendorWorkState{}
		for _, it := range items {
			out[it.Key] = it.State
		}
		return out
	}

	// 1 March 2027: only Gusto's review has fallen due to be asked.
	got := state(VendorWork(s, start, nil, at(Date{2027, 3, 1})))
	assert.Equal(t, map[string]VendorWorkState{"vendor/gusto/review-report/2027-02-26": VendorWorkUpcoming}, got)

	gustoReview := "vendor/gusto/review-report/2027-02-26"
	bridge := "vendor/gusto/request-bridge-letter/2026-12-31"
	awsReview := "vendor/amazon-web-services/review-report/2027-05-14"
	cases := []struct {
		name    string
		prompts []Prompt
		asOf    Date
		want    map[string]VendorWorkState
	}{
		{"asked, before its deadline", []Prompt{prompt(gustoReview, PromptOpen, "", Date{2027, 3, 28})}, Date{2027, 3, 1},
			map[string]VendorWorkState{gustoReview: VendorWorkOpen}},
		{"asked, past its deadline", []Prompt{prompt(gustoReview, PromptOpen, "", Date{2027, 3, 28})}, Date{2027, 3, 29},
			map[string]VendorWorkState{gustoReview: VendorWorkOverdue}},
		{"never asked, past its deadline", nil, Date{2027, 3, 29},
			map[string]VendorWorkState{gustoReview: VendorWorkOverdue}},
		{"expired", []Prompt{prompt(gustoReview, PromptExpired, "", Date{2027, 3, 28})}, Date{2027, 4, 5},
			map[string]VendorWorkState{gustoReview: VendorWorkOverdue}},
		{"reviewed, nothing to do", []Prompt{prompt(gustoReview, PromptAnswered, VendorAnswerReviewed, Date{2027, 3, 28})}, Date{2027, 4, 5},
			map[string]VendorWorkState{gustoReview: VendorWorkDone}},
		{"reviewed, action needed", []Prompt{prompt(gustoReview, PromptAnswered, VendorAnswerAct, Date{2027, 3, 28})}, Date{2027, 4, 5},
			map[string]VendorWorkState{gustoReview: VendorWorkNeedsAction}},
		{"bridge letter received and refused", []Prompt{
			prompt(gustoReview, PromptAnswered, VendorAnswerReviewed, Date{2027, 3, 28}),
			prompt(awsReview, PromptAnswered, VendorAnswerReviewed, Date{2027, 6, 13}),
			prompt(bridge, PromptAnswered, VendorAnswerRefused, Date{2027, 8, 31})}, Date{2027, 9, 1},
			map[string]VendorWorkState{gustoReview: VendorWorkDone, awsReview: VendorWorkDone, bridge: VendorWorkNeedsAction}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			items := VendorWork(s, start, c.prompts, at(c.asOf))
			assert.Equal(t, c.want, state(items))
			n := CountVendorWork(s, items)
			assert.Equal(t, 3, n.Vendors)
			assert.Equal(t, 2, n.ReliedOn, "the development shop touches no data")
		})
	}

	// A prompt whose work the spec no longer implies (the report is now
	// on file) stays listed.
	old := prompt("vendor/gusto/obtain-report/first", PromptAnswered, VendorAnswerNotYet, Date{2027, 2, 15})
	old.Subject = "Gusto: obtain-report"
	items := VendorWork(s, start, []Prompt{old}, at(Date{2027, 3, 1}))
	require.Len(t, items, 2)
	assert.Equal(t, "Gusto", items[0].Vendor)
	assert.Equal(t, VendorWorkNeedsAction, items[0].State)
}

// The gap register's vendor rows: scope risks as the rules raised them,
// overdue reports and letters high, an overdue review and an answer with
// work left medium; done work is not a gap.
func TestVendorGaps(t *testing.T) {
	items := []VendorItem{{Vendor: Vendor{Name: "Gusto", Owner: "leo@x"}, Risks: []ScopeRisk{{Rule: "vendor-report-expired", Severity: SeverityMedium, Message: "expired"}}}}
	work := []VendorWorkItem{
		{VendorAction: VendorAction{Key: "a", Vendor: "Gusto", Kind: VendorReviewReport, Due: Date{2027, 3, 28}, Why: "review it"}, State: VendorWorkOverdue},
		{VendorAction: VendorAction{Key: "b", Vendor: "AWS", Kind: VendorRequestBridge, Due: Date{2027, 8, 31}, Why: "gap"}, State: VendorWorkOverdue},
		{VendorAction: VendorAction{Key: "c", Vendor: "AWS", Kind: VendorObtainReport}, State: VendorWorkNeedsAction, Answer: VendorAnswerAct, AnsweredBy: "priya@x", Note: "two exceptions in change management"},
		{VendorAction: VendorAction{Key: "d", Vendor: "AWS", Kind: VendorReviewReport}, State: VendorWorkDone},
		{VendorAction: VendorAction{Key: "e", Vendor: "AWS", Kind: VendorReviewReport}, State: VendorWorkOpen},
	}
	gaps := VendorGaps(items, work)
	var got []string
	for _, g := range gaps {
		got = append(got, string(g.Severity)+" "+g.Vendor+" "+g.Source+" "+g.Rule)
	}
	assert.Equal(t, []string{
		"high AWS vendor-work request-bridge-letter",
		"medium Gusto scope-risk vendor-report-expired",
		"medium Gusto vendor-work review-report",
		"medium AWS vendor-work obtain-report",
	}, got)
	assert.Contains(t, gaps[3].Message, "two exceptions in change management")
}
