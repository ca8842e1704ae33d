package jira_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
)

func TestFindOrCreateOpensTicketWithFields(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	acc, err := e.client.ResolveAccount(ctx, "Alice@Client.example")
	require.NoError(t, err)
	tk := gapTicket()
	tk.AssigneeAccountID = acc

	key, created, err := e.client.FindOrCreate(ctx, tk)
	require.NoError(t, err)
	assert.True(t, created)
	assert.Equal(t, "SEC-1", key)

	is, ok := e.emu.Issue(key)
	require.True(t, ok)
	assert.Equal(t, "Task", is.Type)
	assert.Equal(t, tk.Summary, is.Summary)
	assert.Equal(t, tk.Description, is.Description)
	assert.Equal(t, []string{label, "steadfast", "soc2"}, is.Labels)
	assert.Equal(t, "High", is.Priority)
	assert.Equal(t, "2026-05-29", is.Due)
	assert.Equal(t, aliceID, is.Assignee)
	assert.Equal(t, "new", is.Category)
	// Search went through /search/jql, never the removed /search.
	assert.Zero(t, e.emu.CallCount("GET", "/rest/api/2/search?"))
	for _, c := range e.emu.Calls() {
		assert.NotEqual(t, "/rest/api/2/search", c.Path)
	}
	assert.Positive(t, e.emu.CallCount("GET", "/rest/api/2/search/jql"))
}

func TestFindOrCreateTwiceOpensOneTicket(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	k1, c1, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	k2, c2, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	assert.True(t, c1)
	assert.False(t, c2)
	assert.Equal(t, k1, k2)
	assert.Len(t, e.emu.Issues(), 1)
	assert.Equal(t, 1, e.emu.CallCount("POST", "/rest/api/2/issue"))
}

// The create lands in Jira but its response is lost; the activity retries
// (attempt 2) and must find the ticket rather than open a second one, also
// when search has not caught up yet.
func TestFindOrCreateLostCreateResponse(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lag    time.Duration
		status int // 0: connection closed
	}{
		{"connection closed", 0, 0},
		{"gateway timeout", 0, http.StatusGatewayTimeout},
		{"connection closed with search lag", 400 * time.Millisecond, 0},
		{"gateway timeout with search lag", 400 * time.Millisecond, http.StatusGatewayTimeout},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			e.emu.SetSearchLag(tc.lag)
			if tc.status == 0 {
				e.emu.DropNextCreateResponse()
			} else {
				e.emu.DropNextCreateResponseWithStatus(tc.status)
			}
			tk := gapTicket()
			tk.Attempt = 1
			_, _, err := e.client.FindOrCreate(ctx, tk)
			require.Error(t, err)
			assert.False(t, jira.IsPermanent(err), "a lost create must be retried: %v", err)
			require.Len(t, e.emu.Issues(), 1, "the create happened")

			tk.Attempt = 2
			start := time.Now()
			key, created, err := e.client.FindOrCreate(ctx, tk)
			require.NoError(t, err)
			assert.False(t, created)
			assert.Equal(t, e.emu.Issues()[0].Key, key)
			assert.Len(t, e.emu.Issues(), 1, "exactly one ticket")
			assert.Equal(t, 1, e.emu.CallCount("POST", "/rest/api/2/issue"), "the retry did not create")
			if tc.lag > 0 {
				assert.Less(t, time.Since(start), 2*time.Second, "found within the settle window, not after it")
			}
		})
	}
}

// Attempt 1 never waits: there is no earlier create to wait for.
func TestFindOrCreateFirstAttemptDoesNotSettle(t *testing.T) {
	e := newEnv(t, jira.WithSettleWindow(time.Hour, time.Second))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, created, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	assert.True(t, created)
}

// Two creators race (an attempt still running after its StartToClose timeout
// and its retry): the newer ticket sees the older one after its create and
// closes itself.
func TestFindOrCreateClosesItsOwnDuplicate(t *testing.T) {
	e := newEnv(t, jira.WithTransport(delayCreates{900 * time.Millisecond}))
	ctx := context.Background()
	e.emu.SetSearchLag(400 * time.Millisecond)

	first, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	// The second call searches while the first ticket is still invisible,
	// creates, then (900ms later) its check sees the older ticket.
	o, err := e.client.Ensure(ctx, gapTicket())
	require.NoError(t, err)
	assert.Equal(t, first, o.Key)
	assert.False(t, o.Created)
	require.Len(t, o.Duplicates, 1)
	assert.Equal(t, o.Duplicates, o.Closed)

	dup, ok := e.emu.Issue(o.Duplicates[0])
	require.True(t, ok)
	assert.Equal(t, "Done", dup.Status, "closed as done, not declined")
	require.Len(t, dup.Comments, 1)
	assert.Contains(t, dup.Comments[0].Body, "Duplicate of "+first)
	orig, _ := e.emu.Issue(first)
	assert.Equal(t, "new", orig.Category, "the original is untouched")
	assert.Contains(t, e.logs.String(), "closed a duplicate Jira ticket")
}

// A duplicate that slipped through (search lagged beyond every window) is
// not closed by a later find, which returns the oldest and reports the rest.
func TestFindOrCreateReportsOlderDuplicates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.emu.SetSearchLag(time.Hour)
	k1, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	k2, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)
	require.NotEqual(t, k1, k2)
	e.emu.SetSearchLag(0)

	o, err := e.client.Ensure(ctx, gapTicket())
	require.NoError(t, err)
	assert.Equal(t, jira.Outcome{Key: k1, Duplicates: []string{k2}}, o)
	assert.Contains(t, e.logs.String(), "several Jira tickets carry one label")

	byLabel, err := e.client.StatusesByLabel(ctx, []string{label})
	require.NoError(t, err)
	assert.Equal(t, k1, byLabel[label].Key, "polling agrees with FindOrCreate")
}

func TestFindOrCreateRefusesBadInput(t *testing.T) {
	e := newEnv(t)
	for name, mut := range map[string]func(*jira.Ticket){
		"no label":          func(t *jira.Ticket) { t.Label = "" },
		"label with space":  func(t *jira.Ticket) { t.Label = "a b" },
		"label with quote":  func(t *jira.Ticket) { t.Label = `a" OR labels != "x` },
		"extra label space": func(t *jira.Ticket) { t.Labels = []string{"x y"} },
		"no project":        func(t *jira.Ticket) { t.Project = "" },
		"no summary":        func(t *jira.Ticket) { t.Summary = " " },
		"long summary":      func(t *jira.Ticket) { t.Summary = string(make([]byte, 256)) },
		"bad priority":      func(t *jira.Ticket) { t.Priority = "Urgent" },
	} {
		t.Run(name, func(t *testing.T) {
			tk := gapTicket()
			mut(&tk)
			_, _, err := e.client.FindOrCreate(context.Background(), tk)
			require.ErrorIs(t, err, jira.ErrInvalidInput)
			assert.True(t, jira.IsPermanent(err))
		})
	}
	assert.Empty(t, e.emu.Calls(), "nothing sent")
}
