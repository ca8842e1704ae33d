package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestOperatingCadenceForReal runs the operating scheduler on the dev server
// with a cadence of seconds instead of months: the real worker process is
// killed and restarted between occurrences, and every occurrence is asked
// exactly once, in order, with answers landing in the evidence record.
func TestOperatingCadenceForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and the worker")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))

	taskQueue := "steadfast-operating"
	w := &workerProcess{t: t, bin: buildWorker(t), addr: freeAddr(t), env: []string{
		"TEMPORAL_ADDRESS=" + tmp.Address, "DATABASE_URL=" + db.URL, "STEADFAST_TASK_QUEUE=" + taskQueue, "LOG_LEVEL=warn",
	}}
	w.env = append(w.env, "STEADFAST_HTTP_ADDR="+w.addr)
	w.start()

	const tick = 8 * time.Second
	controls := []string{"ACC-08", "OPS-01"}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.OperatingWorkflowID(spec.ID), TaskQueue: taskQueue},
		workflows.OperatingWorkflowName, workflows.OperatingInput{EngagementID: spec.ID, Spec: *spec, Plan: plan,
			TestTick: tick, Controls: controls, ContinueAsNewEvery: 3})
	require.NoError(t, err)

	evidencePrompts := func() []postgres.Prompt {
		all, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		var out []postgres.Prompt
		for _, p := range all {
			if p.Kind == "evidence" {
				out = append(out, p)
			}
		}
		return out
	}
	waitFor := func(n int) []postgres.Prompt {
		var ps []postgres.Prompt
		require.Eventually(t, func() bool { ps = evidencePrompts(); return len(ps) >= n }, 2*time.Minute, 200*time.Millisecond,
			"fewer than %d evidence requests; worker log:\n%s", n, w.log)
		return ps
	}

	first := waitFor(2)
	// Answer the first occurrence of each control with a link.
	svc := answers.Service{Temporal: tmp.Client}
	for _, p := range first[:2] {
		_, err := svc.Answer(ctx, p.ID, "test/"+p.ID, workflows.AnswerPromptRequest{Choice: "evidence", Actor: identity.CLIActor(p.AddresseeEmail),
			Link: "https://drive.example/" + strings.ReplaceAll(p.Key, "/", "-")})
		require.NoError(t, err)
	}
	// Kill the worker between occurrences, twice, and let it catch up.
	w.kill()
	time.Sleep(tick + tick/2)
	w.start()
	waitFor(6)
	w.kill()
	time.Sleep(tick)
	w.start()
	all := waitFor(10)

	// Each control's occurrences are one tick apart: none lost, none twice.
	byControl := map[string][]string{}
	seen := map[string]bool{}
	for _, p := range all {
		assert.False(t, seen[p.ID], "%s asked twice", p.ID)
		seen[p.ID] = true
		key := strings.TrimPrefix(p.Key, "evidence/")
		control, _, _ := strings.Cut(key, "/")
		byControl[control] = append(byControl[control], key)
	}
	for _, c := range controls {
		keys := byControl[c]
		sort.Strings(keys)
		require.GreaterOrEqual(t, len(keys), 4, "%s: %v", c, keys)
		var prev int64
		for i, k := range keys {
			var ts int64
			_, unix, _ := strings.Cut(k, "/t")
			_, err := fmt.Sscan(unix, &ts)
			require.NoError(t, err)
			if i > 0 {
				assert.Equal(t, int64(tick/time.Second), ts-prev, "%s: occurrences %v are not one tick apart", c, keys)
			}
			prev = ts
		}
	}

	// An answer whose record was in flight on a killed worker lands once
	// the activity's timeout lets a new worker retry it.
	var ev []postgres.Evidence
	require.Eventually(t, func() bool {
		ev, err = db.Store.EvidenceFor(ctx, spec.ID)
		return err == nil && len(ev) == 2
	}, time.Minute, 200*time.Millisecond, "the two answers are not both in the evidence record")
	for _, e := range ev {
		assert.Equal(t, postgres.HashValue(e.Value), e.ValueSHA256)
		assert.Equal(t, "link", e.Kind)
	}

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		e := &engagements{tc: tmp.Client}
		writeHistory(t, ctx, e, workflows.OperatingWorkflowID(spec.ID), "operating_scheduler.json")
		writeHistory(t, ctx, e, first[0].ID, "prompt_evidence_answered.json")
	}
}
