package report

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

func example(t *testing.T) (*compliance.Spec, *catalog.Applicability) {
	t.Helper()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(spec)
	require.NoError(t, err)
	return spec, app
}

func TestClassifyAcceptedAndSurprise(t *testing.T) {
	spec, app := example(t)
	in := []ExceptionInput{
		{Ref: "ACC-04", Description: "one quarterly review late", ManagementResponse: "moved to a ticketed reminder", Line: 2},
		{Ref: "CC7.2", Description: "alerts not triaged for 3 days", ManagementResponse: "on-call rota added", Line: 3},
	}
	accepted := []AcceptedItem{{ControlID: "ACC-04", Source: "gap", Reason: "known before the window", By: "maya@brightlane.io"}}
	got, err := Classify(spec, app, catalog.Default(), in, accepted)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, Accepted, got[0].Origin)
	assert.Equal(t, []string{"ACC-04"}, got[0].Controls)
	assert.Equal(t, []string{"priya@brightlane.io"}, got[0].Owners)
	assert.Equal(t, accepted, got[0].Because)
	assert.Equal(t, Surprise, got[1].Origin, "nothing accepted touches CC7.2's controls")
	assert.NotEmpty(t, got[1].Controls, "a criterion resolves to the controls covering it")
	assert.Equal(t, 2, got[1].N)

	// Accepting one of the criterion's controls makes it known.
	got, err = Classify(spec, app, catalog.Default(), in[1:], []AcceptedItem{{ControlID: got[1].Controls[0], Source: "finding", ID: "x"}})
	require.NoError(t, err)
	assert.Equal(t, Accepted, got[0].Origin)
}

func TestClassifyUnknownRefNamesLine(t *testing.T) {
	spec, app := example(t)
	_, err := Classify(spec, app, catalog.Default(), []ExceptionInput{{Ref: "NOPE-9", Description: "d", ManagementResponse: "m", Line: 7}}, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `line 7: "NOPE-9"`)
}

func TestCheckOpinion(t *testing.T) {
	assert.NoError(t, CheckOpinion(Unqualified, 0))
	assert.NoError(t, CheckOpinion(Unqualified, 2), "exceptions that did not change the opinion")
	assert.Error(t, CheckOpinion(Qualified, 0))
	assert.NoError(t, CheckOpinion(Disclaimer, 0))
	assert.Error(t, CheckOpinion("clean", 0))
	o, err := ParseOpinion(" Qualified ")
	require.NoError(t, err)
	assert.Equal(t, Qualified, o)
}

func TestReadingsPerOwner(t *testing.T) {
	spec, app := example(t)
	ex, err := Classify(spec, app, catalog.Default(), []ExceptionInput{
		{Ref: "ACC-04", Description: "d", ManagementResponse: "m"},
		{Ref: "CC1.4", Description: "d", ManagementResponse: "m"}}, nil)
	require.NoError(t, err)
	rs := Readings(spec, app, ex)
	require.Len(t, rs, 2, "priya and leo own the controls")
	assert.Equal(t, "priya@brightlane.io", rs[0].Owner.Email)
	assert.Contains(t, rs[0].Exceptions, 1)
	total := 0
	for _, r := range rs {
		total += len(r.Controls)
	}
	assert.Equal(t, len(app.Controls), total, "every applicable control is someone's to read")
	assert.Equal(t, []string{"priya@brightlane.io"}, SubjectOwners(ControlSubject("ACC-04"), rs, ex))
	assert.Equal(t, ex[1].Owners, SubjectOwners(ExceptionSubject(2), rs, ex))
	assert.Nil(t, SubjectOwners(ExceptionSubject(9), rs, ex))
}

func TestAuthority(t *testing.T) {
	spec, _ := example(t)
	assert.NoError(t, MayRecord(spec, "sam@steadfast.example"))
	assert.Error(t, MayRecord(spec, "leo@brightlane.io"))
	assert.NoError(t, MayExplain("Leo@brightlane.io", []string{"leo@brightlane.io"}))
	assert.Error(t, MayExplain("maya@brightlane.io", []string{"leo@brightlane.io"}), "the lead does not write the owner's words")
	assert.NoError(t, MayApproveExplanation(spec, "maya@brightlane.io", "leo@brightlane.io"))
	assert.Error(t, MayApproveExplanation(spec, "priya@brightlane.io", "priya@brightlane.io"), "nobody approves their own")
	assert.Error(t, MayApproveExplanation(spec, "leo@brightlane.io", "priya@brightlane.io"))
}

func TestParseExceptionsCSV(t *testing.T) {
	got, err := ParseExceptions("x.csv", []byte("\ufeffControl,Description,Management_Response\nACC-04,late review,fixed\n\n CC7.2 , alerts , rota \n"))
	require.NoError(t, err)
	assert.Equal(t, []ExceptionInput{{Ref: "ACC-04", Description: "late review", ManagementResponse: "fixed", Line: 2},
		{Ref: "CC7.2", Description: "alerts", ManagementResponse: "rota", Line: 4}}, got)

	_, err = ParseExceptions("x.csv", []byte("ref,description,management_response\nACC-04,,fixed\n,d,\nA B,d,m\nok-1,d,m\n"))
	require.Error(t, err)
	for _, want := range []string{"x.csv:2: missing description", "x.csv:3: missing ref, management_response", `x.csv:4: ref "A B"`} {
		assert.Contains(t, err.Error(), want)
	}
	_, err = ParseExceptions("x.csv", []byte("ref,description\n"))
	assert.ErrorContains(t, err, "x.csv:1: the header needs")
	_, err = ParseExceptions("x.txt", []byte("a"))
	assert.ErrorContains(t, err, "want a .csv or .yaml")
	_, err = ParseExceptions("x.csv", []byte(strings.Repeat("a", MaxExceptionsFile+1)))
	assert.ErrorContains(t, err, "larger than")
}

func TestParseExceptionsYAML(t *testing.T) {
	got, err := ParseExceptions("x.yaml", []byte("exceptions:\n  - ref: ACC-04\n    description: late\n    management_response: fixed\n"))
	require.NoError(t, err)
	assert.Equal(t, []ExceptionInput{{Ref: "ACC-04", Description: "late", ManagementResponse: "fixed", Line: 2}}, got)

	_, err = ParseExceptions("x.yml", []byte("- ref: ACC-04\n  description: late\n- ref: [x]\n  description: d\n  management_response: m\n- colour: red\n"))
	require.Error(t, err)
	for _, want := range []string{"x.yml:1: missing management_response", "x.yml:3: ref: want text", `x.yml:6: unknown field "colour"`} {
		assert.Contains(t, err.Error(), want)
	}
}

func FuzzParseExceptions(f *testing.F) {
	f.Add("x.csv", "ref,description,management_response\nACC-04,late,fixed\n")
	f.Add("x.csv", "ref,description,management_response\n\"ACC-04,late\n")
	f.Add("x.yaml", "exceptions:\n  - ref: ACC-04\n    description: late\n    management_response: fixed\n")
	f.Add("x.yaml", "- [1, 2]\n- ref: {a: b}\n")
	f.Fuzz(func(t *testing.T, name, data string) {
		got, err := ParseExceptions(name, []byte(data))
		if err != nil {
			if got != nil {
				t.Fatalf("an error with exceptions: %v", got)
			}
			return
		}
		for _, x := range got {
			if x.check() != "" {
				t.Fatalf("accepted a bad exception %+v: %s", x, x.check())
			}
		}
	})
}

// In a tailored spec the per-control owner reads the control and owns its
// exceptions, not the owner of the control's area: ACC-04 is Leo's there,
// though Priya owns access; BRT-01 is a custom control Priya owns.
func TestTailoredOwnersReadTheirControls(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(spec)
	require.NoError(t, err)
	ex, err := Classify(spec, app, catalog.Default(), []ExceptionInput{
		{Ref: "ACC-04", Description: "d", ManagementResponse: "m"},
		{Ref: "BRT-01", Description: "d", ManagementResponse: "m"}}, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"leo@brightlane.io"}, ex[0].Owners)
	assert.Equal(t, []string{"priya@brightlane.io"}, ex[1].Owners)

	rs := Readings(spec, app, ex)
	byOwner := map[string]Reading{}
	for _, r := range rs {
		byOwner[r.Owner.Email] = r
	}
	assert.Contains(t, byOwner["leo@brightlane.io"].Controls, "ACC-04")
	assert.Contains(t, byOwner["leo@brightlane.io"].Exceptions, 1)
	assert.NotContains(t, byOwner["priya@brightlane.io"].Controls, "ACC-04")
	assert.NotContains(t, byOwner["priya@brightlane.io"].Exceptions, 1)
	assert.Contains(t, byOwner["maya@brightlane.io"].Controls, "GOV-05", "the lead owns GOV-05 by the tailoring")
	assert.Equal(t, []string{"leo@brightlane.io"}, SubjectOwners(ControlSubject("ACC-04"), rs, ex))
}
