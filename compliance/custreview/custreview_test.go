package custreview

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

func TestRouteByControlCriterionOrTriage(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(spec)
	require.NoError(t, err)
	got := Route(spec, app, catalog.Default(), []Question{{ID: "1", Text: "a", Ref: "ACC-04"}, {ID: "2", Text: "b", Ref: "CC1.4"},
		{ID: "3", Text: "c", Ref: "SIG-12.3"}, {ID: "4", Text: "d"}})
	assert.Equal(t, "priya@brightlane.io", got[0].Owner)
	assert.Equal(t, []string{"ACC-04"}, got[0].Controls)
	assert.NotEmpty(t, got[1].Owner, "a criterion routes to the owner of a control covering it")
	assert.True(t, got[2].Unmapped(), "their own numbering goes to the lead's triage")
	assert.True(t, got[3].Unmapped())
	assert.NoError(t, MayImport(spec, "sam@steadfast.example"))
	assert.Error(t, MayImport(spec, "leo@brightlane.io"))
	assert.NoError(t, MayTriage(spec, "priya@brightlane.io"), "a lead delegate")
	assert.Error(t, MayTriage(spec, "sam@steadfast.example"), "the consultant runs, the lead decides")
}

func TestCheckImport(t *testing.T) {
	today := compliance.Date{Year: 2027, Month: 10, Day: 1}
	due := compliance.Date{Year: 2027, Month: 10, Day: 15}
	qs := []Question{{ID: "Q1", Text: "x"}}
	assert.NoError(t, CheckImport("Acme", due, today, qs))
	assert.ErrorContains(t, CheckImport(" ", due, today, qs), "customer")
	assert.ErrorContains(t, CheckImport("Acme", today, today, qs), "not after today")
	assert.ErrorContains(t, CheckImport("Acme", due, today, nil), "no questions")
	assert.ErrorContains(t, CheckImport("Acme", due, today, append(qs, qs[0])), "twice")
	assert.ErrorContains(t, CheckImport("Acme", due, today, []Question{{ID: "Q1", Text: strings.Repeat("x", MaxTotal)}}), "bytes")
	assert.Equal(t, "acme-bank-2027-10-15", ReviewID("Acme Bank", due))
}

func TestRelevantNewestFirst(t *testing.T) {
	t0 := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	lib := []Suggestion{{QuestionID: "a", Controls: []string{"ACC-04"}, ApprovedAt: t0},
		{QuestionID: "b", Controls: []string{"LOG-02"}, ApprovedAt: t0.Add(time.Hour)},
		{QuestionID: "c", Controls: []string{"ACC-01", "ACC-04"}, ApprovedAt: t0.Add(2 * time.Hour)}}
	got := Relevant(lib, []string{"ACC-04"}, 5)
	require.Len(t, got, 2)
	assert.Equal(t, "c", got[0].QuestionID)
	assert.Len(t, Relevant(lib, []string{"ACC-04"}, 1), 1)
}

func TestFollowUpsGoToTheExceptionsOwner(t *testing.T) {
	for ref, want := range map[string]int{"EXC-2": 2, "exception:12": 12, "exc-0": 0, "EXC-2x": 0, "EXC-02": 0, "ACC-04": 0} {
		n, ok := ExceptionRef(ref)
		assert.Equal(t, want, n, ref)
		assert.Equal(t, want > 0, ok, ref)
	}
	ex := []report.Exception{{N: 2, Ref: "CC7.2", Description: "Alerts waited.", ManagementResponse: "A rota now.", Controls: []string{"LOG-02"}, Owners: []string{"priya@brightlane.io"}}}
	got := RouteFollowUps([]Routed{{Question: Question{ID: "F1", Text: "Why?", Ref: "EXC-2"}}, {Question: Question{ID: "F2", Text: "x", Ref: "EXC-9"}}}, "soc2/2027-10-01", ex)
	assert.Equal(t, "priya@brightlane.io", got[0].Owner)
	assert.Contains(t, got[0].Context, "Management's response: A rota now.")
	assert.True(t, got[1].Unmapped(), "an exception the report does not list goes to triage")
}

func TestAddBackground(t *testing.T) {
	got := AddBackground([]Routed{
		{Question: Question{ID: "1"}, Controls: []string{"ACC-04"}, Owner: "p", Context: "A follow-up."},
		{Question: Question{ID: "2"}, Controls: []string{"LOG-02"}, Owner: "p"},
		{Question: Question{ID: "3"}}},
		map[string]Background{"ACC-04": {Explanation: "Quarterly review.", Evidence: `link "https://x" for ACC-04/2027-Q1`}, "LOG-02": {Evidence: "file \"a.pdf\""}})
	assert.Equal(t, `A follow-up. Your approved explanation of ACC-04: Quarterly review. Latest evidence of ACC-04: link "https://x" for ACC-04/2027-Q1.`, got[0].Context)
	assert.Equal(t, `Latest evidence of LOG-02: file "a.pdf".`, got[1].Context)
	assert.Empty(t, got[2].Context)
}

func TestOnlyTheLeadAllowsFiles(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	assert.NoError(t, MayAllowFiles(spec, "priya@brightlane.io"), "a lead delegate")
	assert.ErrorContains(t, MayAllowFiles(spec, "sam@steadfast.example"), "only the lead", "the consultant runs the engagement, the lead decides disclosure")
	assert.Error(t, MayAllowFiles(spec, "leo@brightlane.io"), "an owner")
	assert.ErrorContains(t, CheckExportWithFiles("acme-2027-10-15", FilesAllowance{}), "references only")
	now := time.Now()
	assert.NoError(t, CheckExportWithFiles("acme-2027-10-15", FilesAllowance{By: "maya@brightlane.io", At: &now}))
}

func TestFilesOfTheApprovedAnswer(t *testing.T) {
	t0 := time.Date(2027, 3, 1, 9, 0, 0, 0, time.UTC)
	ev := []compliance.Evidence{
		{ID: 1, ControlID: "ACC-04", ArtifactSHA256: "a1", SubmittedAt: t0},
		{ID: 2, ControlID: "ACC-04", ArtifactSHA256: "a2", SubmittedAt: t0.Add(time.Hour)},
		{ID: 3, ControlID: "ACC-04", Kind: "link", Value: "https://x", SubmittedAt: t0.Add(2 * time.Hour)},
		{ID: 4, ControlID: "ACC-04", ArtifactSHA256: "a4", SubmittedAt: t0.Add(5 * time.Hour)},
		{ID: 5, ControlID: "LOG-02", ArtifactSHA256: "l5", SubmittedAt: t0},
	}
	got := FilesOf([]string{"ACC-04", "LOG-02", "CHG-01"}, t0.Add(3*time.Hour), ev)
	require.Len(t, got, 2)
	assert.Equal(t, int64(2), got[0].ID, "the newest file up to the approval; a link is no file, a later file came after")
	assert.Equal(t, int64(5), got[1].ID)
}

// A question on a control the tailoring gives its own owner goes to that
// owner, not the area's.
func TestRouteToTheControlsOwnOwner(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(spec)
	require.NoError(t, err)
	got := Route(spec, app, catalog.Default(), []Question{{ID: "1", Text: "a", Ref: "ACC-04"}, {ID: "2", Text: "b", Ref: "ACC-05"}, {ID: "3", Text: "c", Ref: "BRT-01"}})
	assert.Equal(t, "leo@brightlane.io", got[0].Owner, "ACC-04's own owner")
	assert.Equal(t, "priya@brightlane.io", got[1].Owner, "ACC-05 keeps the area's owner")
	assert.Equal(t, "priya@brightlane.io", got[2].Owner, "a custom control's owner")
}

// Only the lead or a delegate returns an answer, only an answer given and
// not approved, and only with a reason the owner can read.
func TestCheckReturn(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	const lead, why = "maya@brightlane.io", "Say how often, and link the last review."
	assert.NoError(t, CheckReturn(spec, lead, "Q1", StatusAnswered, why))
	assert.NoError(t, CheckReturn(spec, "priya@brightlane.io", "Q1", StatusAnswered, why), "a lead delegate")
	assert.ErrorContains(t, CheckReturn(spec, "leo@brightlane.io", "Q1", StatusAnswered, why), "may not return", "an owner")
	assert.ErrorContains(t, CheckReturn(spec, "sam@steadfast.example", "Q1", StatusAnswered, why), "may not return", "the consultant")
	assert.ErrorContains(t, CheckReturn(spec, lead, "Q1", StatusApproved, why), "already approved")
	assert.ErrorContains(t, CheckReturn(spec, lead, "Q1", StatusReturned, why), "already returned")
	for _, st := range []string{StatusRouted, StatusUnmapped, StatusUnanswered} {
		assert.ErrorContains(t, CheckReturn(spec, lead, "Q1", st, why), "no answer to return", st)
	}
	assert.ErrorContains(t, CheckReturn(spec, lead, "Q1", StatusAnswered, " \n\t"), "say why")
	assert.ErrorContains(t, CheckReturn(spec, lead, "Q1", StatusAnswered, strings.Repeat("x", MaxText+1)), "at most")
	assert.NoError(t, CheckReturn(spec, lead, "Q1", StatusAnswered, " "+strings.Repeat("x", MaxText)+" "), "trimmed before it is measured")
}
