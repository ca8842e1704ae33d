package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
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
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// capacityControls is the size of each engagement in the capacity run.
const capacityControls = 150

// BenchmarkOpenEngagements holds b.N engagements of 150 controls open in
// their operating period on one dev server and one in-process worker, each
// five weeks into its window with the evidence requests of those weeks
// asked and unanswered (every prompt waiting on its ladder's timers: the
// steady state of a programme whose owners are behind). It reports, per
// open engagement, the workflows it keeps open, the dev server's resident
// memory and the worker's live heap (after a GC, with the sticky cache
// holding the workflows), and from those how many such engagements one GiB
// holds on each side.
//
//	go test -run '^$' -bench OpenEngagements -benchtime 6x -timeout 30m ./starter/
func BenchmarkOpenEngagements(b *testing.B) {
	db := testenv.Postgres(b)
	tmp := testenv.DevServer(b)
	ctx := context.Background()
	serverPID, err := devServerPID(tmp.Address)
	if err != nil {
		b.Fatal(err)
	}

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		b.Fatal(err)
	}
	if len(app.Controls) < capacityControls {
		b.Fatalf("the spec has %d applicable controls, want at least %d", len(app.Controls), capacityControls)
	}
	var controls []string
	for _, ac := range app.Controls[:capacityControls] {
		controls = append(controls, ac.Control.ID)
	}
	// A window that began five weeks ago.
	now := time.Now()
	start := compliance.DateOf(now.AddDate(0, 0, -35))
	soc2 := spec.Framework(compliance.SOC2)
	soc2.Window = &compliance.ObservationWindow{Start: start, End: start.AddDays(364)}
	spec.AuditDate = start.AddDays(420)
	plan, err := compliance.PlanEngagement(spec, now)
	if err != nil {
		b.Fatal(err)
	}

	const queue = "bench-capacity"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	baseServer, err := rssMiB(serverPID)
	if err != nil {
		b.Fatal(err)
	}
	baseHeap := liveHeapMiB()
	b.ResetTimer()
	for i := range b.N {
		s := *spec
		s.ID = fmt.Sprintf("cap-%d", i+1)
		if err := db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: s.ID, WorkflowID: "bench", Revision: 1, Spec: s,
			Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "bench", At: now}); err != nil {
			b.Fatal(err)
		}
		// The cursor at the window's start: the scheduler catches up on
		// the five weeks, as it would after an outage.
		cursor := start.In(time.UTC).Add(-time.Hour)
		if _, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.OperatingWorkflowID(s.ID), TaskQueue: queue},
			workflows.OperatingWorkflowName, workflows.OperatingInput{EngagementID: s.ID, Spec: s, Plan: plan, Test: &workflows.TestHooks{OperatingControls: controls}, Cursor: cursor}); err != nil {
			b.Fatal(err)
		}
	}
	// Settled: every scheduler has asked what was due and is asleep.
	var open int64
	deadline := time.Now().Add(20 * time.Minute)
	for prev := int64(-1); ; prev = open {
		time.Sleep(5 * time.Second)
		resp, err := tmp.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Query: "ExecutionStatus = 'Running'"})
		if err != nil {
			b.Fatal(err)
		}
		open = resp.Count
		ps, err := db.Store.Prompts(ctx, postgres.PromptFilter{Status: postgres.PromptOpen})
		if err != nil {
			b.Fatal(err)
		}
		if open == prev && int64(len(ps)) == open-int64(b.N) {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("not settled after 20 minutes: %d workflows open, %d prompts open", open, len(ps))
		}
	}
	b.StopTimer()
	all, err := tmp.Client.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{})
	if err != nil {
		b.Fatal(err)
	}
	server, err := rssMiB(serverPID)
	if err != nil {
		b.Fatal(err)
	}
	heap := liveHeapMiB()
	n := float64(b.N)
	serverPer, heapPer := (server-baseServer)/n, (heap-baseHeap)/n
	b.ReportMetric(float64(open)/n, "open-workflows/engagement")
	b.ReportMetric(float64(all.Count-open)/n, "closed-workflows/engagement")
	b.ReportMetric(serverPer, "server-MiB/engagement")
	b.ReportMetric(heapPer, "worker-heap-MiB/engagement")
	if serverPer > 0 {
		b.ReportMetric(1024/serverPer, "engagements/server-GiB")
	}
	if heapPer > 0 {
		b.ReportMetric(1024/heapPer, "engagements/worker-GiB")
	}
	b.Logf("%d engagements of %d controls: %d workflows open, %d closed (requests caught up and expired); dev server RSS %.0f → %.0f MiB; worker live heap %.1f → %.1f MiB",
		b.N, capacityControls, open, all.Count-open, baseServer, server, baseHeap, heap)
}

// liveHeapMiB is the worker process's live heap after a full collection.
func liveHeapMiB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc) / (1 << 20)
}

// devServerPID finds the Temporal CLI process serving address (Linux /proc).
func devServerPID(address string) (int, error) {
	_, port, _ := strings.Cut(address, ":")
	procs, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		return 0, err
	}
	for _, p := range procs {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(string(raw), "\x00")
		joined := strings.Join(args, " ")
		if strings.Contains(joined, "start-dev") && (strings.Contains(joined, "--port "+port) || strings.Contains(joined, "-p "+port)) {
			return strconv.Atoi(filepath.Base(filepath.Dir(p)))
		}
	}
	return 0, fmt.Errorf("no dev server process for %s", address)
}

// rssMiB reads a process's resident set size.
func rssMiB(pid int) (float64, error) { return procStatusMiB(pid, "VmRSS:") }

// peakRSSMiB reads a process's largest resident set size so far.
func peakRSSMiB(pid int) (float64, error) { return procStatusMiB(pid, "VmHWM:") }

// procStatusMiB reads one size field (in kB) of /proc/PID/status.
func procStatusMiB(pid int, field string) (float64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer func() { _ = f.Close() }() // read only
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no %s for pid %d", field, pid)
}
