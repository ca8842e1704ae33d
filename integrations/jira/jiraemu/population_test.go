package jiraemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The clauses a population import sends: the consultant's query in
// parentheses, then the period's bounds on the resolution date.
func TestParseJQLGroupsTypesAndDates(t *testing.T) {
	mar := time.Date(2027, 3, 10, 15, 0, 0, 0, time.UTC)
	a := &Issue{Key: "CHG-1", Project: "CHG", Type: "Change", Status: "Done", Resolution: "Done", Created: mar.AddDate(0, -1, 0), Resolved: mar}
	b := &Issue{Key: "CHG-2", Project: "CHG", Type: "Task", Status: "To Do", Created: mar}
	for jql, want := range map[string][2]bool{
		`(project = CHG AND issuetype = Change) AND resolved >= "2027-03-01" AND resolved < "2027-04-01"`: {true, false},
		`(project = CHG) AND created >= 2027-03-10`:                                                       {false, true},
		`project = CHG AND created > "2027/03/10 14:59"`:                                                  {false, true},
		`type in (task, change) AND resolutiondate <= "2027-03-10"`:                                       {false, false},
		`resolution = done`:                                              {true, false},
		`status in ("To Do") ORDER BY created`:                           {false, true},
		`((labels = x) AND project = OPS) OR key = CHG-1`:                {false, false},
		`(project = CHG AND updated < "2027-03-11") ORDER BY resolved`:   {false, false},
		`(project = CHG AND created < "2027-03-11") ORDER BY resolved`:   {true, true},
		`project = CHG AND (issuetype = Change AND (resolution = Done))`: {true, false},
	} {
		m, err := parseJQL(jql)
		if jql == `((labels = x) AND project = OPS) OR key = CHG-1` {
			require.Error(t, err, "OR is not supported: %s", jql)
			continue
		}
		require.NoError(t, err, jql)
		assert.Equal(t, want, [2]bool{m(a), m(b)}, jql)
	}
	for _, bad := range []string{`(project = CHG`, `project = CHG)`, `resolved >= "March"`, `summary > x`, `()`, `created >=`} {
		_, err := parseJQL(bad)
		assert.Error(t, err, bad)
	}
}

func TestSeededHistoryShowsInSearch(t *testing.T) {
	e := New()
	defer e.Close()
	e.AddUser("cab@client.example", "acc-cab")
	at := time.Date(2027, 3, 10, 15, 0, 0, 0, time.UTC)
	seeded := e.Seed(Issue{Project: "CHG", Type: "Change", Summary: "rotate keys", Status: "Done", Created: at.Add(-48 * time.Hour),
		History: []Change{{Author: "cab@client.example", At: at.Add(-24 * time.Hour), Field: "status", From: "To Do", To: "Approved"}}})
	assert.Equal(t, "CHG-1", seeded.Key)
	assert.Equal(t, at.Add(-24*time.Hour), seeded.Resolved, "a done issue without a resolution time resolves at its last change")
	assert.Equal(t, "Done", seeded.Resolution)

	get := func(q url.Values) map[string]any {
		req, _ := http.NewRequest(http.MethodGet, e.URL()+"/rest/api/2/search/jql?"+q.Encode(), nil)
		req.SetBasicAuth(Email, APIToken)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = resp.Body.Close() }()
		require.Equal(t, http.StatusOK, resp.StatusCode)
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return out
	}
	got := get(url.Values{"jql": {`(project = CHG) AND resolved >= "2027-03-09"`}, "fields": {"resolutiondate,summary"}, "expand": {"changelog"}})
	issues := got["issues"].([]any)
	require.Len(t, issues, 1)
	is := issues[0].(map[string]any)
	assert.Equal(t, "2027-03-09T15:00:00.000+0000", is["fields"].(map[string]any)["resolutiondate"])
	h := is["changelog"].(map[string]any)["histories"].([]any)[0].(map[string]any)
	assert.Equal(t, "cab@client.example", h["author"].(map[string]any)["emailAddress"])
	assert.Equal(t, "Approved", h["items"].([]any)[0].(map[string]any)["toString"])

	// Without expand=changelog there is none, as in Jira.
	got = get(url.Values{"jql": {`project = CHG`}, "fields": {"summary"}})
	assert.NotContains(t, got["issues"].([]any)[0].(map[string]any), "changelog")
}
