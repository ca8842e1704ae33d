package jira_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
)

func TestConfigValidatesAndRedacts(t *testing.T) {
	for name, cfg := range map[string]jira.Config{
		"no base URL":      {Email: "a@b", APIToken: "t"},
		"relative URL":     {BaseURL: "client.atlassian.net", Email: "a@b", APIToken: "t"},
		"no credentials":   {BaseURL: "https://x.atlassian.net"},
		"both modes":       {BaseURL: "https://x.atlassian.net", Email: "a@b", APIToken: "t", PAT: "p"},
		"email only":       {BaseURL: "https://x.atlassian.net", Email: "a@b"},
		"token only":       {BaseURL: "https://x.atlassian.net", APIToken: "t"},
		"ftp base URL":     {BaseURL: "ftp://x", PAT: "p"},
		"unparseable base": {BaseURL: "https://x.example/%zz", PAT: "p"},
	} {
		_, err := jira.New(cfg)
		assert.ErrorIs(t, err, jira.ErrInvalidInput, name)
	}
	_, err := jira.New(jira.Config{BaseURL: "https://x.atlassian.net", Email: "a@b", APIToken: "t"})
	assert.NoError(t, err)
	_, err = jira.New(jira.Config{BaseURL: "https://jira.client.example/jira", PAT: "p"})
	assert.NoError(t, err)

	cfg := jira.ConfigFromEnv(func(k string) string {
		return map[string]string{"JIRA_BASE_URL": "https://x.atlassian.net", "JIRA_EMAIL": "bot@x",
			"JIRA_API_TOKEN": "secret-token-1", "JIRA_WEBHOOK_SECRET": "secret-hook-2"}[k]
	})
	assert.True(t, cfg.Enabled())
	assert.True(t, cfg.Cloud())
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "jira", cfg)
	for _, s := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), cfg.String(), logged.String()} {
		assert.NotContains(t, s, "secret-token-1")
		assert.NotContains(t, s, "secret-hook-2")
		assert.Contains(t, s, "x.atlassian.net")
	}
	assert.False(t, jira.Config{}.Enabled())
}

func TestResolveAccountCachesAndReportsMissing(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.emu.AddUser("bob+jira@client.example", "bob-account")

	id, err := e.client.ResolveAccount(ctx, aliceEmail)
	require.NoError(t, err)
	assert.Equal(t, aliceID, id)
	_, err = e.client.ResolveAccount(ctx, " ALICE@client.example ")
	require.NoError(t, err)
	assert.Equal(t, 1, e.emu.CallCount("GET", "/rest/api/2/user/search"), "cached")

	id, err = e.client.ResolveAccount(ctx, "bob+jira@client.example")
	require.NoError(t, err, "a '+' in an email is escaped")
	assert.Equal(t, "bob-account", id)

	_, err = e.client.ResolveAccount(ctx, "nobody@client.example")
	require.ErrorIs(t, err, jira.ErrUserNotFound)
	assert.True(t, jira.IsPermanent(err))
	e.emu.AddUser("nobody@client.example", "late-joiner")
	id, err = e.client.ResolveAccount(ctx, "nobody@client.example")
	require.NoError(t, err, "misses are not cached")
	assert.Equal(t, "late-joiner", id)

	_, err = e.client.ResolveAccount(ctx, "not-an-email")
	assert.ErrorIs(t, err, jira.ErrInvalidInput)
}

func TestAssignAndCommentAreRetrySafe(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)

	require.NoError(t, e.client.Assign(ctx, key, aliceID))
	require.NoError(t, e.client.Assign(ctx, key, aliceID))
	is, _ := e.emu.Issue(key)
	assert.Equal(t, aliceID, is.Assignee)

	err = e.client.Assign(ctx, key, "unknown-account")
	assert.True(t, jira.IsPermanent(err))
	assert.Contains(t, jira.Message(err), "cannot be assigned")

	require.NoError(t, e.client.Comment(ctx, key, "Evidence requested from alice."))
	require.NoError(t, e.client.Comment(ctx, key, "Evidence requested from alice."), "a retry")
	require.NoError(t, e.client.Comment(ctx, key, "Reminder (2026-05-22)."))
	is, _ = e.emu.Issue(key)
	require.Len(t, is.Comments, 2)
	assert.Equal(t, "Evidence requested from alice.", is.Comments[0].Body)

	assert.ErrorIs(t, e.client.Comment(ctx, "not a key", "x"), jira.ErrInvalidInput)
	assert.ErrorIs(t, e.client.Assign(ctx, "SEC-1/../../x", aliceID), jira.ErrInvalidInput)
}

func TestTransitionToCategoryPicksByCategory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)

	// To Do → done: the emulator lists Decline (41 → Won't Do) before
	// Resolve (31 → Done); both are "done". Resolve must win.
	require.NoError(t, e.client.TransitionToCategory(ctx, key, jira.CategoryDone))
	is, _ := e.emu.Issue(key)
	assert.Equal(t, "Done", is.Status)
	assert.Equal(t, "10001", is.StatusID)
	assert.Equal(t, []string{"31"}, is.Transitions)
	assert.Contains(t, e.emu.Calls()[len(e.emu.Calls())-2].Query, "expand=transitions.fields")

	// Already done: nothing posted.
	posts := e.emu.CallCount("POST", "/rest/api/2/issue/"+key+"/transitions")
	require.NoError(t, e.client.TransitionToCategory(ctx, key, jira.CategoryDone))
	assert.Equal(t, posts, e.emu.CallCount("POST", "/rest/api/2/issue/"+key+"/transitions"))

	// Done → indeterminate: no transition leads there (only Reopen).
	err = e.client.TransitionToCategory(ctx, key, jira.CategoryIndeterminate)
	require.ErrorIs(t, err, jira.ErrNoTransition)
	assert.True(t, jira.IsPermanent(err))
	assert.Contains(t, err.Error(), `"Reopen" (id 51)`)

	require.NoError(t, e.client.TransitionToCategory(ctx, key, jira.CategoryNew))
	require.NoError(t, e.client.TransitionToCategory(ctx, key, jira.CategoryIndeterminate))
	is, _ = e.emu.Issue(key)
	assert.Equal(t, []string{"31", "51", "21"}, is.Transitions)
	assert.Equal(t, "In Progress", is.Status)

	assert.ErrorIs(t, e.client.TransitionToCategory(ctx, key, "closed"), jira.ErrInvalidInput)
}

func TestStatusAndPolling(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var keys []string
	for i := range 5 {
		tk := gapTicket()
		tk.Label = fmt.Sprintf("steadfast-brightlane-cc6-%d", i)
		key, _, err := e.client.FindOrCreate(ctx, tk)
		require.NoError(t, err)
		keys = append(keys, key)
	}
	require.True(t, e.emu.SetCategory(keys[1], "done"))
	require.True(t, e.emu.SetCategory(keys[3], "indeterminate"))

	st, err := e.client.Status(ctx, keys[1])
	require.NoError(t, err)
	assert.Equal(t, "Done", st.Name)
	assert.True(t, st.Done())
	assert.False(t, st.Updated.IsZero())

	before := e.emu.CallCount("GET", "/rest/api/2/search/jql")
	all, err := e.client.StatusesByKey(ctx, append(keys, "SEC-404"))
	require.NoError(t, err)
	assert.Len(t, all, 5)
	assert.Equal(t, "done", all[keys[1]].Category)
	assert.Equal(t, "indeterminate", all[keys[3]].Category)
	assert.Equal(t, "new", all[keys[4]].Category)
	assert.Equal(t, 3, e.emu.CallCount("GET", "/rest/api/2/search/jql")-before,
		"one search, three pages of two (nextPageToken followed)")

	byLabel, err := e.client.StatusesByLabel(ctx, []string{"steadfast-brightlane-cc6-1", "steadfast-brightlane-cc6-9"})
	require.NoError(t, err)
	assert.Len(t, byLabel, 1)
	assert.Equal(t, keys[1], byLabel["steadfast-brightlane-cc6-1"].Key)

	done, err := e.client.Search(ctx, `project = SEC AND labels = "steadfast" ORDER BY created`)
	require.NoError(t, err)
	assert.Len(t, done, 5)
	assert.Equal(t, keys[0], done[0].Key, "oldest first")

	_, err = e.client.Search(ctx, `summary ~ "x"`)
	assert.True(t, jira.IsPermanent(err), "bad JQL is a 400")
	assert.Contains(t, jira.Message(err), "Error in the JQL Query")
}

func TestDataCenterPersonalAccessToken(t *testing.T) {
	emu := jiraemu.New()
	t.Cleanup(emu.Close)
	emu.RequireBearer(jiraemu.PAT)
	emu.AddUser(aliceEmail, "alice")
	c, err := jira.New(jira.Config{BaseURL: emu.URL(), PAT: jiraemu.PAT})
	require.NoError(t, err)
	ctx := context.Background()

	name, err := c.ResolveAccount(ctx, aliceEmail)
	require.NoError(t, err)
	assert.Equal(t, "alice", name)
	assert.Contains(t, emu.Calls()[0].Query, "username=")
	tk := gapTicket()
	tk.AssigneeAccountID = name
	key, created, err := c.FindOrCreate(ctx, tk)
	require.NoError(t, err)
	assert.True(t, created)
	require.NoError(t, c.Assign(ctx, key, name))
	is, _ := emu.Issue(key)
	assert.Equal(t, "alice", is.Assignee)

	bad, err := jira.New(jira.Config{BaseURL: emu.URL(), PAT: "wrong"})
	require.NoError(t, err)
	_, err = bad.Status(ctx, key)
	assert.True(t, jira.IsPermanent(err))
	assert.Equal(t, 401, jira.StatusCode(err))
}
