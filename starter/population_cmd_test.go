package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// populationEngagement records brightlane with its window moved into the
// past (events cannot be recorded before they happen) and a Jira
// population for CHG-01, and returns a runner for the CLI.
func populationEngagement(t *testing.T, jc *jira.Client) (*compliance.Spec, testenv.Database, func(args ...string) (string, error)) {
	t.Helper()
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.Date{Year: 2026, Month: 3, Day: 1}, End: compliance.Date{Year: 2026, Month: 8, Day: 31}}
	spec.AuditDate = compliance.Date{Year: 2026, Month: 9, Day: 20}
	spec.Integrations.Populations = []compliance.Population{{Control: "CHG-01", JQL: "project = CHG AND issuetype = Change", ApprovedStatus: "Approved"}}
	plan, err := compliance.PlanEngagement(spec, time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))
	runningEngagement(t, db, spec, plan, jc)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&out)
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}
	return spec, db, run
}

func TestPopulationRecordAndList(t *testing.T) {
	spec, db, run := populationEngagement(t, nil)
	eng := spec.ID
	record := func(extra ...string) (string, error) {
		return run(append([]string{"population", "record", eng}, extra...)...)
	}
	pr := "https://github.example/brightlane/app/pull/812"

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"XYZ-01", "--ref", pr, "--at", "2026-04-02", "--summary", "x", "--as", "priya@brightlane.io"}, "XYZ-01 is not a control in the library"},
		{[]string{"chg-01", "--ref", pr, "--at", "2026-04-02", "--summary", "x", "--as", "priya@brightlane.io"}, "did you mean CHG-01?"},
		{[]string{"ACC-08", "--ref", pr, "--at", "2026-04-02", "--summary", "x", "--as", "priya@brightlane.io"}, "ACC-08 Inactive accounts disabled is a monthly control"},
		{[]string{"CHG-01", "--ref", pr, "--at", "2026-04-02", "--summary", "x", "--as", "leo@brightlane.io"}, "may not give evidence for CHG-01"},
		{[]string{"CHG-01", "--ref", pr, "--at", "2099-04-02", "--summary", "x", "--as", "priya@brightlane.io"}, "--at 2099-04-02T00:00:00-04:00 is in the future"},
		{[]string{"CHG-01", "--ref", pr, "--at", "2 April", "--summary", "x", "--as", "priya@brightlane.io"}, `--at: "2 April" is neither an RFC 3339 time`},
		{[]string{"CHG-01", "--ref", pr, "--at", "2026-04-02", "--summary", "x", "--approved-by", "cab@brightlane.io", "--as", "priya@brightlane.io"}, "--approved-by and --approved-at go together"},
		{[]string{"CHG-01", "--ref", pr, "--at", "2026-04-02", "--summary", " ", "--as", "priya@brightlane.io"}, "--summary is required"},
		{[]string{"CHG-01", "--ref", pr, "--at", "2026-04-02", "--summary", "x", "--evidence", "ftp://files/x", "--as", "priya@brightlane.io"}, "is not an http(s) link"},
	} {
		_, err := record(tc.args...)
		require.Error(t, err, tc.args)
		assert.Contains(t, err.Error(), tc.want)
	}
	none, err := db.Store.PopulationEvents(context.Background(), eng, "", time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, none, "nothing is recorded by a refused command")

	out, err := record("CHG-01", "--ref", pr, "--at", "2026-04-02T15:30:00Z", "--summary", "Rotate session keys", "--as", "priya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "Recorded "+pr+" for CHG-01 Change management procedure: occurred 2026-04-02 11:30 EDT, no approval recorded.")

	// The approval found later is filled in; a second run changes nothing.
	out, err = record("CHG-01", "--ref", pr, "--at", "2026-04-02T15:30:00Z", "--summary", "Rotate session keys",
		"--approved-by", "maya@brightlane.io", "--approved-at", "2026-04-01T09:00:00-04:00", "--as", "maya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "was already recorded for CHG-01 (by priya@brightlane.io); it is never rewritten, but its approval was missing and is now recorded.")
	out, err = record("CHG-01", "--ref", pr, "--at", "2026-04-02T15:30:00Z", "--summary", "Rotate session keys", "--as", "priya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "nothing changed")

	out, err = record("CHG-01", "--ref", "deploy-2026-07-09", "--at", "2026-07-09", "--summary", "Database failover drill", "--as", "maya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "Recorded deploy-2026-07-09")
	out, err = record("CHG-01", "--ref", "deploy-2026-10-01", "--at", "2026-10-01", "--summary", "After the window", "--as", "maya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "outside the observation window 2026-03-01 → 2026-08-31")

	out, err = run("population", eng, "CHG-01", "--from", "2026-03-01", "--to", "2026-08-31")
	require.NoError(t, err)
	assert.Contains(t, out, "OCCURRED (America/New_York)")
	assert.Regexp(t, `2026-04-02 11:30\s+recorded\s+maya@brightlane.io\s+2026-04-01 09:00`, out)
	assert.Contains(t, out, "deploy-2026-07-09")
	assert.NotContains(t, out, "deploy-2026-10-01", "--to is inclusive of its day only")

	out, err = run("population", eng, "--format", "json")
	require.NoError(t, err)
	var evs []postgres.PopulationEvent
	require.NoError(t, json.Unmarshal([]byte(out), &evs))
	require.Len(t, evs, 3)
	assert.Equal(t, pr, evs[0].EvidenceRef, "a ref that is a link is the record")
	assert.Empty(t, evs[1].EvidenceRef, "a bare ref is not")

	out, err = run("population", eng, "--format", "csv", "--from", "2026-07-09", "--to", "2026-07-09")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	require.Len(t, lines, 2)
	assert.True(t, strings.HasPrefix(lines[1], "CHG-01,deploy-2026-07-09,2026-07-09T04:00:00Z,recorded,Database failover drill,,,,maya@brightlane.io,"), lines[1])

	_, err = run("population", eng, "ACC-08")
	require.ErrorContains(t, err, "is a monthly control")
	_, err = run("population", eng, "--from", "2026-08-01", "--to", "2026-07-01")
	require.ErrorContains(t, err, "before --from")
	_, err = run("population", "nobody")
	require.ErrorIs(t, err, postgres.ErrNotFound)
}

func TestPopulationImportFromJira(t *testing.T) {
	emu := jiraemu.New()
	t.Cleanup(emu.Close)
	at := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 14, 0, 0, 0, time.UTC) }
	emu.Seed(jiraemu.Issue{Key: "CHG-1", Type: "Change", Summary: "rotate keys", Status: "Done", Created: at(4, 1), Resolved: at(4, 3),
		History: []jiraemu.Change{{Author: "maya@brightlane.io", At: at(4, 2), Field: "status", From: "To Do", To: "Approved"}}})
	emu.Seed(jiraemu.Issue{Key: "CHG-2", Type: "Change", Summary: "hotfix", Status: "Done", Created: at(5, 4), Resolved: at(5, 4)})
	emu.Seed(jiraemu.Issue{Key: "CHG-3", Type: "Change", Summary: "after the window", Status: "Done", Created: at(9, 4), Resolved: at(9, 4)})
	// The worker holds Jira's credentials; the CLI needs none.
	jc, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	require.NoError(t, err)
	spec, db, run := populationEngagement(t, jc)

	_, err = run("population", "import", spec.ID, "--as", "leo@brightlane.io")
	require.ErrorContains(t, err, "leo@brightlane.io may not import populations in brightlane: only the lead, a lead delegate or the consultant may")

	out, err := run("population", "import", spec.ID, "--as", "maya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "Imported 2 new event(s) of 2 found in Jira for CHG-01, 2026-03-01 to 2026-08-31.")
	out, err = run("population", "import", spec.ID, "--from", "2026-04-01", "--to", "2026-04-30", "--as", "sam@steadfast.example")
	require.NoError(t, err)
	assert.Contains(t, out, "Imported 0 new event(s) of 1 found")

	evs, err := db.Store.PopulationEvents(context.Background(), spec.ID, "CHG-01", time.Time{}, time.Time{})
	require.NoError(t, err)
	require.Len(t, evs, 2)
	assert.Equal(t, "maya@brightlane.io", evs[0].ApprovedBy)
	assert.Equal(t, emu.URL()+"/browse/CHG-1", evs[0].EvidenceRef)
}
