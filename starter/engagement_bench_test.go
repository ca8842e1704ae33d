package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// billable is what one history event costs in Temporal Cloud actions
// (testenv.BillableActions), a client's signal included.
func billable(ev *historypb.HistoryEvent) int {
	n := testenv.BillableActions(ev)
	if testenv.ClientSignal(ev) {
		n++
	}
	return n
}

// BenchmarkAssessAndRemediate runs a SOC 2 + ISO 27001 engagement on the
// dev server, with Slack and Jira emulated, from sign-off through the gap
// assessment (every control answered at once: four in five in place, one in
// five missing) to every gap closed with evidence and the operating period
// begun. It reports the wall time as a
// ratio to one no-op workflow per control started and awaited the same way
// in the same run, and the history events and billable actions it cost.
//
//	go test -run '^$' -bench AssessAndRemediate -benchtime 1x ./starter/
func BenchmarkAssessAndRemediate(b *testing.B) {
	db := testenv.Postgres(b)
	tmp := testenv.DevServer(b)
	ctx := context.Background()

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec.ID = "bench"
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
	spec.Integrations.SlackChannel = "C0READINESS"

	emu := slackemu.New()
	defer emu.Close()
	emu.AddChannel("C0READINESS")
	for _, p := range spec.People {
		emu.AddUser(p.Email, "U"+fmt.Sprintf("%08X", len(p.Email)*7919+int(p.Email[0])))
	}
	sc := slack.New(slack.Config{BotToken: "xoxb-bench", APIURL: emu.URL()})
	jemu := jiraemu.New()
	defer jemu.Close()
	for i, p := range spec.People {
		jemu.AddUser(p.Email, fmt.Sprintf("acct-%d", i))
	}
	jc, err := jira.New(jira.Config{BaseURL: jemu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	if err != nil {
		b.Fatal(err)
	}
	const queue = "bench-engagement"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Slack: sc, Jira: jc})
	w.RegisterWorkflowWithOptions(func(workflow.Context) error { return nil }, workflow.RegisterOptions{Name: "NoOp"})
	if err := w.Start(); err != nil {
		b.Fatal(err)
	}
	defer w.Stop()
	_ = slog.New(slog.NewTextHandler(io.Discard, nil))

	e := &engagements{tc: tmp.Client, taskQueue: queue}
	svc := answers.Service{Temporal: tmp.Client}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		start := time.Now()
		run, err := e.start(ctx, spec, "bench")
		if err != nil {
			b.Fatal(err)
		}
		signoff := workflows.PromptWorkflowID(spec.ID, "scope-signoff/r1")
		waitOpen(b, db, spec.ID, func(p postgres.Prompt) bool { return p.ID == signoff }, 1)
		if _, err := svc.Answer(ctx, signoff, "bench-signoff", workflows.AnswerPromptRequest{Choice: "approve", Actor: identity.CLIActor("maya@brightlane.io"), Note: "ok"}); err != nil {
			b.Fatal(err)
		}
		var controls int
		for {
			st, err := e.status(ctx, spec.ID)
			if err == nil && st.Assessment != nil {
				controls = st.Assessment.Controls
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		prompts := waitOpen(b, db, spec.ID, func(p postgres.Prompt) bool { return p.Kind == "control-status" }, controls)
		parallel(b, prompts, func(i int, p postgres.Prompt) error {
			req := workflows.AnswerPromptRequest{Choice: workflows.AssessImplemented, Note: "evidence in the GRC drive", Actor: identity.CLIActor(p.AddresseeEmail)}
			if i%5 == 0 {
				req = workflows.AnswerPromptRequest{Choice: workflows.AssessMissing, Actor: identity.CLIActor(p.AddresseeEmail)}
			}
			_, err := svc.Answer(ctx, p.ID, "bench/"+p.ID, req)
			return err
		})
		var items []postgres.RemediationItem
		for {
			st, err := e.status(ctx, spec.ID)
			if err == nil && st.GapsFound > 0 {
				items, err = db.Store.Items(ctx, spec.ID)
				if err == nil && len(items) == st.GapsFound {
					break
				}
			}
			time.Sleep(50 * time.Millisecond)
		}
		parallel(b, items, func(_ int, it postgres.RemediationItem) error {
			h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: it.ItemID, UpdateID: "bench", UpdateName: workflows.UpdateCompleteGap,
				Args:         []any{workflows.CompleteGapRequest{Actor: identity.CLIActor(it.OwnerEmail), Evidence: "https://drive.example/" + it.ControlID}},
				WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err != nil {
				return err
			}
			return h.Get(ctx, nil)
		})
		for {
			st, err := e.status(ctx, spec.ID)
			if err == nil && st.Phase == compliance.PhaseOperating {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		_ = run
		engagementTime := time.Since(start)

		// The baseline: one no-op workflow per control, started and awaited
		// with the same parallelism.
		noopStart := time.Now()
		ids := make([]int, controls)
		parallel(b, ids, func(i int, _ int) error {
			r, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: fmt.Sprintf("noop/%d/%d", i, time.Now().UnixNano()), TaskQueue: queue}, "NoOp")
			if err != nil {
				return err
			}
			return r.Get(ctx, nil)
		})
		noopTime := time.Since(noopStart)

		// History cost of everything the engagement ran.
		var ids2 []string
		all, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID})
		if err != nil {
			b.Fatal(err)
		}
		for _, p := range all {
			ids2 = append(ids2, p.ID)
		}
		for _, it := range items {
			ids2 = append(ids2, it.ItemID)
		}
		ids2 = append(ids2, workflows.EngagementWorkflowID(spec.ID), workflows.ScopingWorkflowID(spec.ID),
			workflows.GapAssessmentWorkflowID(spec.ID), workflows.RemediationWorkflowID(spec.ID))
		events, actions := 0, 0
		for _, id := range ids2 {
			it := tmp.Client.GetWorkflowHistory(ctx, id, "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
			for it.HasNext() {
				ev, err := it.Next()
				if err != nil {
					b.Fatal(err)
				}
				events++
				actions += billable(ev)
			}
		}
		b.ReportMetric(float64(controls), "controls")
		b.ReportMetric(float64(len(items)), "gaps")
		b.ReportMetric(float64(len(jemu.Issues())), "jira-tickets")
		b.ReportMetric(float64(len(ids2)), "workflows")
		b.ReportMetric(float64(events), "history-events")
		b.ReportMetric(float64(actions), "actions")
		b.ReportMetric(float64(actions)/float64(controls), "actions/control")
		b.ReportMetric(engagementTime.Seconds(), "engagement-s")
		b.ReportMetric(noopTime.Seconds(), "noop-per-control-s")
		b.ReportMetric(engagementTime.Seconds()/noopTime.Seconds(), "ratio-to-noop")
		spec.ID = fmt.Sprintf("bench-%d", i+1)
	}
}

func waitOpen(b *testing.B, db testenv.Database, id string, keep func(postgres.Prompt) bool, n int) []postgres.Prompt {
	b.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		all, err := db.Store.Prompts(context.Background(), postgres.PromptFilter{EngagementID: id, Status: postgres.PromptOpen})
		if err != nil {
			b.Fatal(err)
		}
		var out []postgres.Prompt
		for _, p := range all {
			if keep(p) {
				out = append(out, p)
			}
		}
		if len(out) >= n {
			return out
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.Fatalf("fewer than %d prompts opened", n)
	return nil
}

func parallel[T any](b *testing.B, items []T, fn func(int, T) error) {
	b.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	work := make(chan int)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				if err := fn(i, items[i]); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	for i := range items {
		work <- i
	}
	close(work)
	wg.Wait()
	if first != nil {
		b.Fatal(first)
	}
}
