package tickets_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/internal/tickets"
	"github.com/steadfast-grc/steadfast/workflows"
)

const secret = "jira-webhook-secret-for-the-sink-test"

// signals is a Temporal client that records the signals the sink sends
// (every other method is the nil interface's and would panic if called).
type signals struct {
	client.Client
	mu  sync.Mutex
	got []sent
}

type sent struct {
	WorkflowID string
	Change     workflows.TicketChange
}

func (s *signals) SignalWorkflow(_ context.Context, workflowID, _ string, name string, arg any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name == workflows.SignalTicketChanged {
		s.got = append(s.got, sent{workflowID, arg.(workflows.TicketChange)})
	}
	return nil
}

func (s *signals) all() []sent {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sent(nil), s.got...)
}

// A signed webhook moves a gap only when the issue is the gap's recorded
// ticket: an unrelated issue carrying the gap's label moves nothing, and a
// replay of a signed body under another unsigned delivery header is one
// delivery.
func TestSinkMatchesTheGapByItsRecordedIssueKey(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseScoping, RecordedBy: "steadfast", At: at}))

	emu := jiraemu.New()
	t.Cleanup(emu.Close)
	const label = "steadfast-gap-ac-01"
	gap := emu.Seed(jiraemu.Issue{Project: "SEC", Summary: "AC-01", Labels: []string{label, "steadfast"}})
	other := emu.Seed(jiraemu.Issue{Project: "SEC", Summary: "unrelated, label copied", Labels: []string{label}})
	itemID := "gap/" + spec.ID + "/AC-01"
	require.NoError(t, db.Store.OpenItem(ctx, postgres.RemediationItem{EngagementID: spec.ID, ControlID: "AC-01", ItemID: itemID,
		Rank: 1, Title: "AC-01", OwnerEmail: "owner@example.com", Due: at.AddDate(0, 1, 0), TicketKey: gap.Key,
		TicketLabel: label, OpenedAt: at}))

	tc := &signals{}
	srv := httptest.NewServer(jira.NewWebhookHandler(secret, &tickets.Sink{Temporal: tc, Store: db.Store}, nil))
	t.Cleanup(srv.Close)
	post := func(header string, body []byte) {
		t.Helper()
		req, err := jiraemu.WebhookRequest(srv.URL, secret, header, body)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode)
	}

	// The unrelated issue, signed, done, with the gap's label: ignored.
	require.True(t, emu.SetCategory(other.Key, jira.CategoryDone))
	body, err := emu.WebhookPayload(other.Key, "jira:issue_updated")
	require.NoError(t, err)
	post("wh-other", body)
	assert.Empty(t, tc.all(), "an issue that only carries the label does not move the gap")

	// The gap's own ticket: moves it.
	require.True(t, emu.SetCategory(gap.Key, jira.CategoryDone))
	body, err = emu.WebhookPayload(gap.Key, "jira:issue_updated")
	require.NoError(t, err)
	post("wh-1", body)
	got := tc.all()
	require.Len(t, got, 1)
	assert.Equal(t, itemID, got[0].WorkflowID)
	assert.Equal(t, jira.CategoryDone, got[0].Change.Category)

	// The same signed body replayed under other unsigned headers: one
	// delivery, and the ID the workflow de-duplicates on is the body's.
	post("wh-2", body)
	post("", body)
	assert.Len(t, tc.all(), 1)
	assert.Regexp(t, `^jira:`+gap.Key+`:changelog:\d+$`, got[0].Change.WebhookID)

	// A label of no gap: nothing.
	stray := emu.Seed(jiraemu.Issue{Project: "SEC", Summary: "stray", Labels: []string{"steadfast-gap-zz-99"}})
	require.True(t, emu.SetCategory(stray.Key, jira.CategoryDone))
	body, err = emu.WebhookPayload(stray.Key, "jira:issue_updated")
	require.NoError(t, err)
	post("wh-stray", body)
	assert.Len(t, tc.all(), 1)
}
