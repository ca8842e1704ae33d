package jira

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	gojira "github.com/andygrunwald/go-jira"
)

// FuzzPopulationJQL checks the wrapping of a consultant's JQL: it either
// refuses with ErrInvalidInput, or the query it builds keeps the
// consultant's part inside one balanced pair of parentheses, ahead of the
// period's bounds, so no input widens the search past the period.
func FuzzPopulationJQL(f *testing.F) {
	for _, s := range []string{
		"project = CHG AND issuetype = Change ORDER BY created DESC",
		`labels = "order by" order   by key`,
		`(project = CHG) OR (project = OPS)`,
		`summary ~ "it's \"quoted\"" AND status = 'Done'`,
		"project = CHG) OR (project = OPS",
		"ORDER BY created", "", "(", `"`, `\`,
	} {
		f.Add(s)
	}
	from, to := time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	const bounds = `) AND resolved >= "2027-02-28" AND resolved < "2027-04-02" ORDER BY resolved ASC`
	f.Fuzz(func(t *testing.T, jql string) {
		got, err := populationJQL(jql, from, to)
		if err != nil {
			if !errors.Is(err, ErrInvalidInput) {
				t.Fatalf("error is not ErrInvalidInput: %v", err)
			}
			return
		}
		if !strings.HasPrefix(got, "(") || !strings.HasSuffix(got, bounds) {
			t.Fatalf("bounds missing from %q", got)
		}
		inner := strings.TrimSuffix(strings.TrimPrefix(got, "("), bounds)
		if inner == "" || inner != strings.TrimSpace(inner) {
			t.Fatalf("consultant's part %q is empty or untrimmed", inner)
		}
		// The inner part is balanced and has no ORDER BY of its own, so
		// stripping it again changes nothing.
		again, err := stripOrderBy(inner)
		if err != nil || again != inner {
			t.Fatalf("inner %q is not a closed, ORDER-free query: %q, %v", inner, again, err)
		}
		if !strings.HasPrefix(jql, inner) && !strings.HasPrefix(strings.TrimSpace(jql), inner) {
			t.Fatalf("inner %q is not the start of the consultant's %q", inner, jql)
		}
	})
}

// FuzzPopulationEvent maps arbitrary search results (Jira, or whatever a
// proxy in front of it returns): never a panic, and an event is always
// recordable — a valid key, a resolution time, an approval that is both
// who and when or neither.
func FuzzPopulationEvent(f *testing.F) {
	for _, s := range []string{
		`{"id":"10001","key":"CHG-1","fields":{"summary":"rotate keys","created":"2027-03-01T14:00:00.000+0000","resolutiondate":"2027-03-03T14:00:00.000+0000","assignee":{"accountId":"acc-1","emailAddress":"alice@client.example"}},"changelog":{"histories":[{"id":"1","author":{"accountId":"acc-1"},"created":"2027-03-02T14:00:00.000+0000","items":[{"field":"status","fieldtype":"jira","fromString":"To Do","toString":"Approved"}]}]}}`,
		`{"key":"CHG-2","fields":{"resolutiondate":null}}`,
		`{"key":"chg 3","fields":{"resolutiondate":"2027-03-03T14:00:00.000+0000"}}`,
		`{"key":"CHG-4","fields":{"resolutiondate":"2027-03-03T14:00:00.000+0000"},"changelog":{"histories":[{"author":{},"created":"0001-01-01T00:00:00Z","items":[{"field":"status","toString":"approved"}]},{"author":{"name":"bob"},"created":"garbage","items":[{"field":"Status","toString":"Approved"}]}]}}`,
		`{}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var is gojira.Issue
		if json.Unmarshal(data, &is) != nil {
			return
		}
		ev, ok := populationEvent(is, "https://client.atlassian.net/browse/", "Approved")
		if !ok {
			return
		}
		switch {
		case !validKey(ev.Key):
			t.Fatalf("event with malformed key %q", ev.Key)
		case ev.Resolved.IsZero():
			t.Fatalf("event %s without a resolution time", ev.Key)
		case (ev.ApprovedBy == "") != ev.ApprovedAt.IsZero():
			t.Fatalf("event %s has half an approval: %q at %v", ev.Key, ev.ApprovedBy, ev.ApprovedAt)
		case ev.URL != "https://client.atlassian.net/browse/"+ev.Key:
			t.Fatalf("event %s links to %q", ev.Key, ev.URL)
		}
	})
}
