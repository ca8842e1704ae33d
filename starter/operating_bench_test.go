package main

import (
	"context"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// BenchmarkOperatingCostPerOccurrence runs the operating scheduler on the
// dev server with a one-second cadence for one control and reports what one
// occurrence costs in history events and billable actions: the scheduler's
// share (across its continue-as-new runs) and the evidence prompt's,
// answered at once. Multiply by a frequency's occurrences per year for the
// cost per control-year.
//
//	go test -run '^$' -bench OperatingCost -benchtime 20x ./starter/
func BenchmarkOperatingCostPerOccurrence(b *testing.B) {
	db := testenv.Postgres(b)
	tmp := testenv.DevServer(b)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		b.Fatal(err)
	}
	if err := db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "x", Revision: 1, Spec: *spec,
		Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "bench", At: time.Now()}); err != nil {
		b.Fatal(err)
	}
	const queue = "bench-operating"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()

	id := workflows.OperatingWorkflowID(spec.ID)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue}, workflows.OperatingWorkflowName,
		workflows.OperatingInput{EngagementID: spec.ID, Spec: *spec, Plan: plan, Test: &workflows.TestHooks{OperatingTick: time.Second, OperatingControls: []string{"ACC-08"}, OperatingContinueAsNewEvery: 10}})
	if err != nil {
		b.Fatal(err)
	}
	svc := answers.Service{Temporal: tmp.Client}
	answered := map[string]bool{}
	for len(answered) < b.N {
		ps, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID, Status: postgres.PromptOpen})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range ps {
			if answered[p.ID] || len(answered) >= b.N {
				continue
			}
			if _, err := svc.Answer(ctx, p.ID, "bench", workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://e.example/" + p.Key, Actor: identity.CLIActor(p.AddresseeEmail)}); err != nil {
				b.Fatal(err)
			}
			answered[p.ID] = true
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err := tmp.Client.TerminateWorkflow(ctx, id, "", "benchmark done"); err != nil {
		b.Fatal(err)
	}
	_ = run
	count := func(wfID, runID string) (events, actions int) {
		it := tmp.Client.GetWorkflowHistory(ctx, wfID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		for it.HasNext() {
			ev, err := it.Next()
			if err != nil {
				b.Fatal(err)
			}
			events++
			actions += billable(ev)
		}
		return
	}
	// Every run of the scheduler (continue-as-new chains runs under one ID).
	var schedEvents, schedActions int
	resp, err := tmp.Client.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + id + "'"})
	if err != nil {
		b.Fatal(err)
	}
	for _, ex := range resp.Executions {
		e, a := count(id, ex.Execution.RunId)
		schedEvents += e
		schedActions += a
	}
	var promptEvents, promptActions int
	for pid := range answered {
		e, a := count(pid, "")
		promptEvents += e
		promptActions += a
	}
	n := float64(len(answered))
	b.ReportMetric(float64(schedEvents)/n, "scheduler-events/occurrence")
	b.ReportMetric(float64(schedActions)/n, "scheduler-actions/occurrence")
	b.ReportMetric(float64(promptEvents)/n, "prompt-events/occurrence")
	b.ReportMetric(float64(promptActions)/n, "prompt-actions/occurrence")
	b.ReportMetric(float64(len(resp.Executions)), "scheduler-runs")
}
