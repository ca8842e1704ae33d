package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The one worker of the capacity run, as documented in the README: its
// sticky cache (workflows kept in memory between tasks) and task slots come
// from the worker's own settings (STEADFAST_STICKY_CACHE_SIZE, default
// 10,000; STEADFAST_WORKFLOW_TASK_SLOTS and STEADFAST_ACTIVITY_SLOTS,
// default 200 here).
const (
	capacityWorkflowSlots = 200
	capacityActivitySlots = 200
	// capacityClicks is how many answers are timed idle and under load.
	capacityClicks = 30
)

// BenchmarkCapacity opens b.N engagements of 150 controls in their
// operating period on one worker, each five weeks into its window so its
// scheduler catches up on the evidence requests of those weeks (the load),
// on the server the tests use: a dev server of its own, or with
// STEADFAST_TEST_TEMPORAL_ADDRESS the Postgres-backed server of
// scripts/cluster.sh (make cluster). It reports the worker's RSS and live
// heap, the server's RSS, Postgres' memory (PSS of its processes) and the
// size of the databases, the rate prompts were started at, and the p99 of
// a click → update (an owner's answer, sent as the CLI or Slack sends it,
// until the update completes) while the load runs, as a ratio to the same
// on the idle server. One probe engagement, opened and settled first, is
// the one whose prompts are answered; it counts in the per-engagement
// figures.
//
//	make cluster   # or: STEADFAST_CLUSTER_PORT=17233 STEADFAST_CLUSTER_DB=temporal_cap scripts/cluster.sh up
//	STEADFAST_TEST_TEMPORAL_ADDRESS=127.0.0.1:7233 go test -run '^$' -bench Capacity -benchtime 10x -timeout 60m ./starter/
//	go test -run '^$' -bench Capacity -benchtime 10x -timeout 60m ./starter/   # the dev server
func BenchmarkCapacity(b *testing.B) {
	db := testenv.Postgres(b)
	tmp := testenv.DevServer(b)
	ctx := context.Background()
	cluster := os.Getenv(testenv.ExternalAddressEnv) != ""
	serverPID, err := capacityServerPID(tmp.Address, cluster)
	if err != nil {
		b.Fatal(err)
	}
	spec, plan, controls, start := capacitySpec(b)

	const queue = "bench-capacity-cluster"
	tuning, err := config.WorkerTuningFromEnv()
	if err != nil {
		b.Fatal(err)
	}
	tuning.WorkflowTaskSlots = cmp.Or(tuning.WorkflowTaskSlots, capacityWorkflowSlots)
	tuning.ActivitySlots = cmp.Or(tuning.ActivitySlots, capacityActivitySlots)
	opts := worker.Options{Interceptors: identity.Interceptors(nil)}
	tuning.Apply(&opts)
	defer worker.SetStickyWorkflowCacheSize(config.DefaultStickyCacheSize)
	w := worker.New(tmp.Client, queue, opts)
	workflows.Register(w, &activities.Activities{Store: db.Store})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	base := capacitySample(ctx, b, db, serverPID, cluster)
	open := func(id string) {
		s := *spec
		s.ID = id
		if err := db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: s.ID, WorkflowID: "bench", Revision: 1, Spec: s,
			Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "bench", At: time.Now()}); err != nil {
			b.Fatal(err)
		}
		cursor := start.In(time.UTC).Add(-time.Hour)
		if _, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.OperatingWorkflowID(s.ID), TaskQueue: queue},
			workflows.OperatingWorkflowName, workflows.OperatingInput{EngagementID: s.ID, Spec: s, Plan: plan,
				Test: &workflows.TestHooks{OperatingControls: controls}, Cursor: cursor}); err != nil {
			b.Fatal(err)
		}
	}
	// The probe engagement, settled: its questions are the ones answered.
	open("cap-probe")
	_, _, probed := capacitySettle(ctx, b, tmp, db, []string{"cap-probe"}, workflows.OperatingProgress{})
	probe := capacityEvidenceRequests(ctx, b, db, "cap-probe")
	if len(probe) < 2*capacityClicks {
		b.Fatalf("the probe engagement has %d open prompts, want %d", len(probe), 2*capacityClicks)
	}
	svc := &answers.Service{Temporal: tmp.Client}
	idle := capacityClicksTimed(ctx, b, svc, probe[:capacityClicks])

	b.ResetTimer()
	began := time.Now()
	promptsBefore := capacityPromptCount(ctx, b, db)
	all := []string{"cap-probe"}
	for i := range b.N {
		all = append(all, fmt.Sprintf("cap-%d", i+1))
		open(all[i+1])
	}
	// Under load: every scheduler is catching up, starting its prompts.
	loaded := capacityClicksTimed(ctx, b, svc, probe[capacityClicks:2*capacityClicks])
	openWorkflows, openPrompts, _ := capacitySettle(ctx, b, tmp, db, all, probed)
	settled := time.Since(began)
	b.StopTimer()
	started := capacityPromptCount(ctx, b, db) - promptsBefore
	after := capacitySample(ctx, b, db, serverPID, cluster)

	n := float64(b.N + 1)
	// The process's peak, load included (the catch-up is when the sticky
	// cache churns most).
	peak, err := peakRSSMiB(os.Getpid())
	if err != nil {
		b.Fatal(err)
	}
	p99idle, p99load := percentile(idle, 0.99), percentile(loaded, 0.99)
	b.ReportMetric(float64(openWorkflows)/n, "open-workflows/engagement")
	b.ReportMetric(float64(openPrompts)/n, "open-prompts/engagement")
	b.ReportMetric(after.workerRSS, "worker-RSS-MiB")
	b.ReportMetric(peak, "worker-peak-RSS-MiB")
	b.ReportMetric(after.heap, "worker-heap-MiB")
	b.ReportMetric((after.workerRSS-base.workerRSS)/n, "worker-RSS-MiB/engagement")
	b.ReportMetric((after.heap-base.heap)/n, "worker-heap-MiB/engagement")
	b.ReportMetric(after.serverRSS, "server-RSS-MiB")
	b.ReportMetric((after.serverRSS-base.serverRSS)/n, "server-MiB/engagement")
	b.ReportMetric(float64(started)/settled.Seconds(), "prompt-starts/s")
	b.ReportMetric(float64(p99idle.Milliseconds()), "click-p99-idle-ms")
	b.ReportMetric(float64(p99load.Milliseconds()), "click-p99-load-ms")
	b.ReportMetric(float64(p99load)/float64(p99idle), "click-p99-load/idle")
	if cluster {
		b.ReportMetric(after.pgPSS, "postgres-PSS-MiB")
		b.ReportMetric((after.temporalDisk-base.temporalDisk)/n, "temporal-db-MiB/engagement")
	}
	b.ReportMetric((after.steadfastDisk-base.steadfastDisk)/n, "steadfast-db-MiB/engagement")
	// Printed, not logged: the benchmark's first run (b.N = 1) is a size
	// of its own, and its log would not be shown.
	fmt.Printf("capacity %s (sticky cache %d, %d/%d slots): %d+1 engagements of %d controls, %d workflows and %d prompts open, %d prompts started in %s; worker RSS %.0f → %.0f MiB (peak %.0f; heap %.0f → %.0f), "+
		"server RSS %.0f → %.0f MiB, Postgres PSS %.0f → %.0f MiB, Temporal databases %.0f → %.0f MiB, Steadfast database %.0f → %.0f MiB; "+
		"click → update p50/p99 idle %s/%s, under load %s/%s",
		map[bool]string{true: "cluster " + tmp.Address, false: "dev server"}[cluster], tuning.StickyCacheSize,
		tuning.WorkflowTaskSlots, tuning.ActivitySlots, b.N, capacityControls, openWorkflows, openPrompts, started,
		settled.Round(time.Second), base.workerRSS, after.workerRSS, peak, base.heap, after.heap, base.serverRSS, after.serverRSS,
		base.pgPSS, after.pgPSS, base.temporalDisk, after.temporalDisk, base.steadfastDisk, after.steadfastDisk,
		percentile(idle, 0.5), p99idle, percentile(loaded, 0.5), p99load)
	fmt.Println()
}

// capacitySpec is BenchmarkOpenEngagements' engagement: the SaaS example
// with ISO 27001, 150 of its controls, a window that began five weeks ago.
func capacitySpec(b *testing.B) (*compliance.Spec, compliance.Plan, []string, compliance.Date) {
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		b.Fatal(err)
	}
	var controls []string
	for _, ac := range app.Controls[:capacityControls] {
		controls = append(controls, ac.Control.ID)
	}
	now := time.Now()
	start := compliance.DateOf(now.AddDate(0, 0, -35))
	spec.Framework(compliance.SOC2).Window = &compliance.ObservationWindow{Start: start, End: start.AddDays(364)}
	spec.AuditDate = start.AddDays(420)
	plan, err := compliance.PlanEngagement(spec, now)
	if err != nil {
		b.Fatal(err)
	}
	return spec, plan, controls, start
}

// capacitySettle waits until every scheduler has caught up (the probe's
// cursor is within three days of now; the others, with the same schedule,
// have asked at least what the probe asked, want), and for 9 s neither the
// open workflows (schedulers and owner batches) nor the open prompts (the
// batches' items) have changed. It returns the open workflows and prompts
// and the first scheduler's progress.
func capacitySettle(ctx context.Context, b *testing.B, tmp testenv.Temporal, db testenv.Database, engagements []string,
	want workflows.OperatingProgress) (int64, int, workflows.OperatingProgress) {
	var open int64
	prompts := -1
	var first workflows.OperatingProgress
	deadline := time.Now().Add(45 * time.Minute)
	caughtUp := func() bool {
		for i, id := range engagements {
			v, err := tmp.Client.QueryWorkflow(ctx, workflows.OperatingWorkflowID(id), "", workflows.QueryOperating)
			if err != nil {
				return false
			}
			var p workflows.OperatingProgress
			if v.Get(&p) != nil || p.Asked == 0 {
				return false
			}
			if want.Asked == 0 && p.Cursor.Before(time.Now().Add(-72*time.Hour)) {
				return false
			}
			if p.Asked < want.Asked || p.Cursor.Before(want.Cursor) {
				return false
			}
			if i == 0 {
				first = p
			}
		}
		return true
	}
	stable := 0
	for prev, prevPrompts := int64(-1), -1; ; prev, prevPrompts = open, prompts {
		time.Sleep(3 * time.Second)
		resp, err := tmp.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: tmp.Namespace, Query: "ExecutionStatus = 'Running'"})
		if err != nil {
			b.Fatal(err)
		}
		open = resp.Count
		ps, err := db.Store.Prompts(ctx, postgres.PromptFilter{Status: postgres.PromptOpen})
		if err != nil {
			b.Fatal(err)
		}
		prompts = len(ps)
		if open == prev && prompts == prevPrompts {
			stable++
		} else {
			stable = 0
		}
		if stable >= 3 && caughtUp() {
			return open, prompts, first
		}
		if time.Now().After(deadline) {
			b.Fatalf("not settled after 45 minutes: %d workflows open, %d prompts open", open, len(ps))
		}
	}
}

func capacityPromptCount(ctx context.Context, b *testing.B, db testenv.Database) int {
	var n int
	if err := db.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM prompts`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	return n
}

// capacityEvidenceRequests is an engagement's open evidence requests
// (items of its owners' weekly batches), the questions the clicks answer.
func capacityEvidenceRequests(ctx context.Context, b *testing.B, db testenv.Database, engagementID string) []postgres.Prompt {
	all, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID, Status: postgres.PromptOpen})
	if err != nil {
		b.Fatal(err)
	}
	var out []postgres.Prompt
	for _, p := range all {
		if slices.ContainsFunc(p.Choices, func(c compliance.PromptChoice) bool { return c.Value == capacityChoice }) {
			out = append(out, p)
		}
	}
	return out
}

// capacityChoice is the evidence request's answer the clicks give.
const capacityChoice = "evidence"

// capacityClicksTimed answers each prompt as its owner would from the CLI
// (answers.Service: an update on the prompt's batch that completes once
// the answer is recorded), one after another, and returns how long each
// took.
func capacityClicksTimed(ctx context.Context, b *testing.B, svc *answers.Service, prompts []postgres.Prompt) []time.Duration {
	out := make([]time.Duration, 0, len(prompts))
	for _, p := range prompts {
		t0 := time.Now()
		_, err := svc.Answer(ctx, p.ID, "bench-click-"+p.ID, workflows.AnswerPromptRequest{Choice: capacityChoice,
			Link: "https://drive.example/" + p.Key, Note: "capacity benchmark", Actor: identity.CLIActor(p.AddresseeEmail)})
		if err != nil {
			b.Fatalf("answer %s: %v", p.ID, err)
		}
		out = append(out, time.Since(t0))
	}
	return out
}

func percentile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

type capacityFigures struct {
	workerRSS, heap, serverRSS, pgPSS, temporalDisk, steadfastDisk float64
}

func capacitySample(ctx context.Context, b *testing.B, db testenv.Database, serverPID int, cluster bool) capacityFigures {
	var f capacityFigures
	var err error
	f.heap = liveHeapMiB()
	if f.workerRSS, err = rssMiB(os.Getpid()); err != nil {
		b.Fatal(err)
	}
	if f.serverRSS, err = rssMiB(serverPID); err != nil {
		b.Fatal(err)
	}
	if err := db.Store.Pool().QueryRow(ctx, `SELECT pg_database_size(current_database())::float8 / 1048576`).Scan(&f.steadfastDisk); err != nil {
		b.Fatal(err)
	}
	if cluster {
		name := os.Getenv("STEADFAST_CLUSTER_DB")
		if name == "" {
			name = "temporal"
		}
		if err := db.Store.Pool().QueryRow(ctx, `SELECT (pg_database_size($1) + pg_database_size($2))::float8 / 1048576`,
			name, name+"_visibility").Scan(&f.temporalDisk); err != nil {
			b.Fatal(err)
		}
		f.pgPSS = postgresPSS()
	}
	return f
}

// capacityServerPID is the dev server's process, or the cluster's from
// scripts/cluster.sh's pid file.
func capacityServerPID(address string, cluster bool) (int, error) {
	if !cluster {
		return devServerPID(address)
	}
	root, err := testenv.RepoRoot()
	if err != nil {
		return 0, err
	}
	raw, err := os.ReadFile(filepath.Join(root, ".steadfast", "temporal-cluster.pid"))
	if err != nil {
		return 0, fmt.Errorf("the cluster's pid (scripts/cluster.sh up in this checkout): %w", err)
	}
	return strconv.Atoi(strings.TrimSpace(string(raw)))
}

// postgresPSS sums the proportional set size of every postgres process
// (shared buffers counted once across them).
func postgresPSS() float64 {
	procs, _ := filepath.Glob("/proc/[0-9]*/comm")
	var total float64
	for _, p := range procs {
		comm, err := os.ReadFile(p)
		if err != nil || !strings.HasPrefix(strings.TrimSpace(string(comm)), "postgres") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(filepath.Dir(p), "smaps_rollup"))
		if err != nil {
			continue
		}
		for line := range strings.SplitSeq(string(raw), "\n") {
			if v, ok := strings.CutPrefix(line, "Pss:"); ok {
				kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
				total += kb / 1024
			}
		}
	}
	return total
}
