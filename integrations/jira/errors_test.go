package jira_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	gojira "github.com/andygrunwald/go-jira"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
)

func TestRateLimitAndUnavailableCarryRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*jiraemu.Emulator)
		code  int
		want  time.Duration
	}{
		{"429 with Retry-After", func(e *jiraemu.Emulator) { e.RateLimitNext(1, 7*time.Second) }, 429, 7 * time.Second},
		{"429 without Retry-After", func(e *jiraemu.Emulator) { e.RateLimitNext(1, 0) }, 429, 5 * time.Second},
		{"503 with Retry-After", func(e *jiraemu.Emulator) { e.UnavailableNext(1, 3*time.Second) }, 503, 3 * time.Second},
		{"503 without Retry-After", func(e *jiraemu.Emulator) { e.UnavailableNext(1, 0) }, 503, 5 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			tc.setup(e.emu)
			_, _, err := e.client.FindOrCreate(ctx, gapTicket())
			require.Error(t, err)
			d, ok := jira.RetryAfter(err)
			assert.True(t, ok)
			assert.Equal(t, tc.want, d)
			assert.False(t, jira.IsPermanent(err))
			assert.Equal(t, tc.code, jira.StatusCode(err))
			assert.Contains(t, err.Error(), "open Jira ticket for "+label)
			assert.Empty(t, e.emu.Issues())

			// The retry after the delay succeeds.
			_, created, err := e.client.FindOrCreate(ctx, gapTicket())
			require.NoError(t, err)
			assert.True(t, created)
		})
	}
}

func TestBadRequestIsPermanentWithJirasMessage(t *testing.T) {
	e := newEnv(t)
	const jiraText = "Field 'priority' cannot be set. It is not on the appropriate screen, or unknown."
	e.emu.FailNext("POST", "/rest/api/2/issue", 1, http.StatusBadRequest,
		`{"errorMessages":[],"errors":{"priority":"`+jiraText+`"}}`)
	_, _, err := e.client.FindOrCreate(context.Background(), gapTicket())
	require.Error(t, err)
	assert.True(t, jira.IsPermanent(err))
	_, retry := jira.RetryAfter(err)
	assert.False(t, retry)
	assert.Equal(t, "priority: "+jiraText, jira.Message(err))
	assert.Equal(t, http.StatusBadRequest, jira.StatusCode(err))
	var ae *jira.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, map[string]string{"priority": jiraText}, ae.FieldErrors)
	assert.Empty(t, e.emu.Issues())
}

// Errors from go-jira methods that parse the body themselves (*gojira.Error)
// keep the status code and the messages too.
func TestErrorsFromGoJiraKeepStatusAndMessages(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	key, _, err := e.client.FindOrCreate(ctx, gapTicket())
	require.NoError(t, err)

	e.emu.FailNext("POST", "/rest/api/2/issue/"+key+"/comment", 1, http.StatusForbidden,
		"You do not have the permission to comment on this issue.")
	err = e.client.Comment(ctx, key, "hello")
	require.Error(t, err)
	assert.True(t, jira.IsPermanent(err))
	assert.Equal(t, http.StatusForbidden, jira.StatusCode(err))
	assert.Equal(t, "You do not have the permission to comment on this issue.", jira.Message(err))
	var ge *gojira.Error
	assert.ErrorAs(t, err, &ge, "go-jira's error is still reachable")

	err = e.client.Assign(ctx, "SEC-99", aliceID)
	assert.True(t, jira.IsPermanent(err))
	assert.Equal(t, http.StatusNotFound, jira.StatusCode(err))
	assert.Contains(t, jira.Message(err), "Issue does not exist")

	e.emu.UnavailableNext(1, 2*time.Second)
	_, err = e.client.Status(ctx, key)
	d, ok := jira.RetryAfter(err)
	assert.True(t, ok)
	assert.Equal(t, 2*time.Second, d)
	assert.Contains(t, jira.Message(err), "503 Service Unavailable", "a non-JSON body is still shown, trimmed")

	e.emu.FailNext("GET", "/rest/api/2/issue/", 1, http.StatusRequestTimeout, "timed out")
	_, err = e.client.Status(ctx, key)
	assert.False(t, jira.IsPermanent(err), "408 is transient")
}

func TestWrongCredentialsArePermanent(t *testing.T) {
	e := newEnv(t)
	c, err := jira.New(jira.Config{BaseURL: e.emu.URL(), Email: jiraemu.Email, APIToken: "revoked"})
	require.NoError(t, err)
	_, _, err = c.FindOrCreate(context.Background(), gapTicket())
	require.Error(t, err)
	assert.True(t, jira.IsPermanent(err))
	assert.Equal(t, http.StatusUnauthorized, jira.StatusCode(err))
	assert.NotContains(t, err.Error(), "revoked", "no credential in errors")
}

func TestTransportErrorsAreTransient(t *testing.T) {
	e := newEnv(t)
	e.emu.Close()
	_, err := e.client.Status(context.Background(), "SEC-1")
	require.Error(t, err)
	assert.False(t, jira.IsPermanent(err))
	_, ok := jira.RetryAfter(err)
	assert.False(t, ok)
	assert.Zero(t, jira.StatusCode(err))
}

func TestClassifiersOnNil(t *testing.T) {
	assert.False(t, jira.IsPermanent(nil))
	assert.Empty(t, jira.Message(nil))
	_, ok := jira.RetryAfter(errors.New("x"))
	assert.False(t, ok)
}
