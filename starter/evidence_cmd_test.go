package main

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

func TestEvidenceAddAppendsAndCorrects(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	_, loc := windowAroundNow(t, spec)
	now := time.Now().In(loc)
	key := monthKey("ACC-08", now)
	plan, err := compliance.PlanEngagement(spec, now.AddDate(0, -6, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))
	runningEngagement(t, db, spec, plan, nil)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&out)
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}

	_, err = run("evidence", "add", spec.ID, key, "--link", "https://drive.example/march", "--as", "leo@brightlane.io")
	require.ErrorContains(t, err, "may not give evidence")
	_, err = run("evidence", "add", spec.ID, "ACC-08/2031-03", "--link", "https://drive.example/march", "--as", "priya@brightlane.io")
	require.ErrorContains(t, err, "no occurrence")
	_, err = run("evidence", "add", spec.ID, key, "--link", "drive/march", "--as", "priya@brightlane.io")
	require.ErrorContains(t, err, "not an http(s) link")

	out, err := run("evidence", "add", spec.ID, key, "--link", "https://drive.example/march", "--as", "priya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "Recorded evidence")
	ev, err := db.Store.EvidenceFor(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, ev, 1)
	assert.Equal(t, now.Format("2006-01")+"-01", ev[0].PeriodStart.Format("2006-01-02"))

	_, err = run("evidence", "add", spec.ID, key, "--link", "https://drive.example/march-signed", "--as", "maya@brightlane.io", "--corrects", fmt.Sprint(ev[0].ID))
	require.NoError(t, err)
	ev, err = db.Store.EvidenceFor(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, ev, 2, "a correction is a new row")
	require.NotNil(t, ev[1].Corrects)
	assert.Equal(t, ev[0].ID, *ev[1].Corrects)
}
