package jira_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
)

const (
	aliceEmail = "alice@client.example"
	aliceID    = "5b10ac8d82e05b22cc7d4ef5"
	label      = "steadfast-brightlane-ac-01"
)

// env is an emulator and a real client pointed at it.
type env struct {
	emu    *jiraemu.Emulator
	client *jira.Client
	logs   *syncBuffer
}

func newEnv(t *testing.T, opts ...jira.Option) *env {
	t.Helper()
	emu := jiraemu.New()
	t.Cleanup(emu.Close)
	emu.AddUser(aliceEmail, aliceID)
	logs := &syncBuffer{}
	opts = append([]jira.Option{
		jira.WithLogger(slog.New(slog.NewTextHandler(logs, nil))),
		jira.WithSettleWindow(2*time.Second, 20*time.Millisecond),
	}, opts...)
	c, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken}, opts...)
	require.NoError(t, err)
	return &env{emu: emu, client: c, logs: logs}
}

func gapTicket() jira.Ticket {
	return jira.Ticket{
		Project:     "SEC",
		Label:       label,
		Labels:      []string{"steadfast", "soc2"},
		Summary:     "AC-01: access reviews are not evidenced",
		Description: "h3. What is missing\nQuarterly access reviews leave no record.",
		Priority:    "High",
		Due:         time.Date(2026, 5, 29, 17, 0, 0, 0, time.UTC),
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// delayCreates is a transport that holds every issue create for d before
// sending it, to open a window in which another create becomes searchable.
type delayCreates struct{ d time.Duration }

func (t delayCreates) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Path == "/rest/api/2/issue" {
		time.Sleep(t.d)
	}
	return http.DefaultTransport.RoundTrip(r)
}
