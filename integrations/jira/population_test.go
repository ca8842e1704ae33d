package jira_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
)

var (
	march = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	april = march.AddDate(0, 1, 0)
)

// seedChanges puts a month of change tickets in the emulator: approved or
// not, resolved in or out of the month, a task the JQL leaves out, and a
// ticket of another project.
func seedChanges(e *env) {
	approve := func(at time.Time) []jiraemu.Change {
		return []jiraemu.Change{
			{Author: aliceEmail, At: at, Field: "status", From: "To Do", To: "Approved"},
			{Author: "bob@client.example", At: at.Add(time.Hour), Field: "status", From: "Approved", To: "Done"},
		}
	}
	seed := func(is jiraemu.Issue) { e.emu.Seed(is) }
	day := func(d int) time.Time { return march.AddDate(0, 0, d-1).Add(14 * time.Hour) }
	seed(jiraemu.Issue{Key: "CHG-1", Type: "Change", Summary: "rotate TLS keys", Status: "Done", Assignee: aliceID, Reporter: aliceID,
		Created: day(1), Resolved: day(3), History: approve(day(2))})
	seed(jiraemu.Issue{Key: "CHG-2", Type: "Change", Summary: "hotfix without approval", Status: "Done", Created: day(4), Resolved: day(4)})
	seed(jiraemu.Issue{Key: "CHG-3", Type: "Change", Summary: "still open", Created: day(5)})
	seed(jiraemu.Issue{Key: "CHG-4", Type: "Change", Summary: "released in April", Status: "Done", Created: day(20), Resolved: april.Add(time.Hour)})
	seed(jiraemu.Issue{Key: "CHG-5", Type: "Task", Summary: "not a change", Status: "Done", Created: day(6), Resolved: day(6)})
	seed(jiraemu.Issue{Key: "OPS-1", Type: "Change", Summary: "another project", Status: "Done", Created: day(7), Resolved: day(7)})
	seed(jiraemu.Issue{Key: "CHG-6", Type: "Change", Summary: "approved after release", Status: "Done", Created: day(8), Resolved: day(9),
		History: approve(day(10))})
	seed(jiraemu.Issue{Key: "CHG-7", Type: "Change", Summary: "last day of March", Status: "Done", Created: day(30), Resolved: april.Add(-time.Second),
		History: approve(day(29))})
}

func TestPopulationImportsResolvedIssuesOfThePeriod(t *testing.T) {
	e := newEnv(t)
	seedChanges(e)
	ctx := context.Background()
	evs, err := e.client.Population(ctx, jira.PopulationQuery{
		JQL:  "project = CHG AND issuetype = Change ORDER BY created DESC",
		From: march, To: april, ApprovedStatus: "approved",
	})
	require.NoError(t, err)
	var keys []string
	for _, ev := range evs {
		keys = append(keys, ev.Key)
	}
	assert.Equal(t, []string{"CHG-1", "CHG-2", "CHG-6", "CHG-7"}, keys, "resolved in March, oldest first")
	assert.Greater(t, e.emu.CallCount(http.MethodGet, "/rest/api/2/search/jql"), 1, "the emulator pages by 2, so nextPageToken was followed")

	one := evs[0]
	assert.Equal(t, "rotate TLS keys", one.Summary)
	assert.Equal(t, aliceEmail, one.Assignee, "the email, where Jira shows it")
	assert.Equal(t, aliceEmail, one.Reporter, "who raised it: the author an approval must be independent of")
	assert.Equal(t, aliceEmail, one.ApprovedBy, "whoever moved it to Approved")
	assert.Equal(t, march.AddDate(0, 0, 1).Add(14*time.Hour), one.ApprovedAt.UTC())
	assert.Equal(t, march.AddDate(0, 0, 2).Add(14*time.Hour), one.Resolved.UTC())
	assert.Equal(t, e.emu.URL()+"/browse/CHG-1", one.URL)
	assert.Empty(t, evs[1].ApprovedBy, "no approval in the changelog")
	assert.True(t, evs[2].ApprovedAt.After(evs[2].Resolved), "an approval after release is reported as it happened")

	// The search sent was the consultant's, bounded, with its ORDER BY moved.
	calls := e.emu.Calls()
	q := calls[len(calls)-1].Query
	assert.Contains(t, q, "expand=changelog")
	assert.NotContains(t, q, "DESC")

	// Without an approved status nothing is read as an approval.
	evs, err = e.client.Population(ctx, jira.PopulationQuery{JQL: "project = CHG AND issuetype = Change", From: march, To: april})
	require.NoError(t, err)
	require.Len(t, evs, 4)
	assert.Empty(t, evs[0].ApprovedBy)
}

func TestPopulationSeesIssuesResolvedThroughTheAPI(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	require.NoError(t, e.client.TransitionToCategory(ctx, key, jira.CategoryDone))
	now := time.Now()
	evs, err := e.client.Population(ctx, jira.PopulationQuery{JQL: "labels = " + label, From: now.Add(-time.Hour), To: now.Add(time.Hour), ApprovedStatus: "Done"})
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.Equal(t, key, evs[0].Key)
	assert.Equal(t, jiraemu.Email, evs[0].ApprovedBy, "the transition is in the changelog, made by the bot's account")
}

func TestPopulationErrors(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, q := range []jira.PopulationQuery{
		{JQL: "ORDER BY created", From: march, To: april},
		{JQL: "project = CHG) OR (project = OPS", From: march, To: april},
		{JQL: `summary ~ "open`, From: march, To: april},
		{JQL: "project = CHG", From: april, To: march},
		{JQL: "project = CHG"},
	} {
		_, err := e.client.Population(ctx, q)
		require.ErrorIs(t, err, jira.ErrInvalidInput, q.JQL)
		assert.True(t, jira.IsPermanent(err))
	}
	assert.Zero(t, e.emu.CallCount("", "/rest/api/2/search/jql"), "bad input never reaches Jira")

	// Jira's own refusal of the JQL is permanent and keeps Jira's words.
	_, err := e.client.Population(ctx, jira.PopulationQuery{JQL: "summary ~ x", From: march, To: april})
	require.Error(t, err)
	assert.True(t, jira.IsPermanent(err))
	assert.True(t, strings.Contains(jira.Message(err), "Error in the JQL Query"), jira.Message(err))

	// A rate limit is retryable after Jira's Retry-After.
	e.emu.RateLimitNext(1, 7*time.Second)
	_, err = e.client.Population(ctx, jira.PopulationQuery{JQL: "project = CHG", From: march, To: april})
	d, ok := jira.RetryAfter(err)
	require.True(t, ok)
	assert.Equal(t, 7*time.Second, d)
}
