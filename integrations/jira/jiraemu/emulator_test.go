package jiraemu

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJQL(t *testing.T) {
	a := &Issue{Key: "SEC-1", Project: "SEC", Labels: []string{"x", `we"ird`}}
	b := &Issue{Key: "OPS-2", Project: "OPS", Labels: []string{"y"}}
	for jql, want := range map[string][2]bool{
		`labels = "x"`:                       {true, false},
		`labels = x ORDER BY created ASC`:    {true, false},
		`labels in ("y", 'x')`:               {true, true},
		`labels = "we\"ird"`:                 {true, false},
		`key in (SEC-1, "OPS-2")`:            {true, true},
		`issuekey = OPS-2`:                   {false, true},
		`project = sec AND labels in (x, y)`: {true, false},
		`ORDER BY key`:                       {true, true},
		``:                                   {true, true},
		`labels = "x" and key in ("OPS-2")`:  {false, false},
		`project in (OPS) AND labels = y`:    {false, true},
	} {
		m, err := parseJQL(jql)
		require.NoError(t, err, jql)
		assert.Equal(t, want, [2]bool{m(a), m(b)}, jql)
	}
	for _, bad := range []string{`labels ~ x`, `summary = x`, `labels in (x`, `labels = "x`, `labels =`, `labels = x OR key = y`, `labels in x`} {
		_, err := parseJQL(bad)
		assert.Error(t, err, bad)
	}
}

func TestSearchLagAndReconcile(t *testing.T) {
	e := New()
	defer e.Close()
	e.SetSearchLag(time.Hour)
	e.mu.Lock()
	rep := e.create([]byte(`{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"s","labels":["l"]}}`))
	e.mu.Unlock()
	require.Equal(t, http.StatusCreated, rep.status)
	id := rep.body.(map[string]string)["id"]

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
	assert.Empty(t, get(url.Values{"jql": {`labels = "l"`}})["issues"], "hidden by lag")
	got := get(url.Values{"jql": {`labels = "l"`}, "reconcileIssues": {id}})["issues"].([]any)
	require.Len(t, got, 1, "reconciled")
	assert.Equal(t, map[string]any{"id": id}, got[0], "default fields=id")

	req, _ := http.NewRequest(http.MethodGet, e.URL()+"/rest/api/2/issue/SEC-1", nil)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "auth is checked")
	assert.True(t, strings.HasPrefix(e.Calls()[len(e.Calls())-1].Path, "/rest/api/2/issue/"))
}

// TestRefuseCreatesUntilStopped: only the creates whose body matches are
// refused, every time, until StopFailing.
func TestRefuseCreatesUntilStopped(t *testing.T) {
	e := New()
	defer e.Close()
	e.RefuseCreates("GOV-07", time.Second)
	create := func(summary string) *http.Response {
		body := `{"fields":{"project":{"key":"SEC"},"issuetype":{"name":"Task"},"summary":"` + summary + `","labels":["l"]}}`
		req, _ := http.NewRequest(http.MethodPost, e.URL()+"/rest/api/2/issue", strings.NewReader(body))
		req.SetBasicAuth(Email, APIToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		return resp
	}
	for range 3 {
		resp := create("GOV-07 Org chart")
		assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
		assert.Equal(t, "1", resp.Header.Get("Retry-After"))
	}
	assert.Equal(t, http.StatusCreated, create("ACC-04 Access reviews").StatusCode, "another ticket is created")
	e.StopFailing()
	assert.Equal(t, http.StatusCreated, create("GOV-07 Org chart").StatusCode, "Jira recovered")
	assert.Len(t, e.Issues(), 2)
}
