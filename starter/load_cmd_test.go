package main

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

func runLoad(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	root := newRootCmd()
	root.SetArgs(append([]string{"load"}, args...))
	root.SetOut(&out)
	root.SetErr(&out)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

// TestLoadFromSpecAndEngagement: `starter load` shows each owner's months
// both ways, from a spec file and, the same, from a running engagement's
// record in Postgres; batching never asks more and sends far fewer
// messages.
func TestLoadFromSpecAndEngagement(t *testing.T) {
	const path = "../examples/saas-startup.yaml"
	table, err := runLoad(t, path)
	require.NoError(t, err)
	assert.Contains(t, table, "operating window 2027-03-01 to 2027-08-31")
	assert.Contains(t, table, "priya@brightlane.io    total")
	assert.Contains(t, table, "in batches")

	raw, err := runLoad(t, path, "--format", "json")
	require.NoError(t, err)
	var fromSpec engagement.LoadView
	require.NoError(t, json.Unmarshal([]byte(raw), &fromSpec))
	require.NotEmpty(t, fromSpec.AloneTotals)
	require.Len(t, fromSpec.BatchedTotal, len(fromSpec.AloneTotals))
	for i, a := range fromSpec.AloneTotals {
		b := fromSpec.BatchedTotal[i]
		assert.Equal(t, a.Owner, b.Owner)
		assert.LessOrEqual(t, b.Questions, a.Questions, a.Owner)
		assert.Less(t, b.Messages*5, a.Messages, "%s: batches are far fewer messages", a.Owner)
		assert.Less(t, b.Minutes, a.Minutes, a.Owner)
	}

	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec(path)
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(context.Background(), postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))
	t.Setenv("DATABASE_URL", db.URL)
	raw, err = runLoad(t, spec.ID, "--format", "json")
	require.NoError(t, err)
	var fromRecord engagement.LoadView
	require.NoError(t, json.Unmarshal([]byte(raw), &fromRecord))
	assert.Equal(t, fromSpec, fromRecord)

	_, err = runLoad(t, "no-such-engagement")
	require.Error(t, err)
}
