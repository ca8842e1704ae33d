package workflows

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/identity"
)

// yearOf is an example spec with a twelve-month SOC 2 window from its
// own window's start (the audit a month after it closes).
func yearOf(tb testing.TB, path string) compliance.Spec {
	tb.Helper()
	s, err := compliance.LoadSpec(path)
	require.NoError(tb, err)
	f := s.Framework(compliance.SOC2)
	require.NotNil(tb, f)
	start := f.Window.Start
	end := compliance.DateOf(start.In(time.UTC).AddDate(1, 0, -1))
	f.Window = &compliance.ObservationWindow{Start: start, End: end}
	s.AuditDate = end.AddDays(30)
	return *s
}

// yearCost is one simulated operating year's cost.
type yearCost struct {
	questions, workflows, actions int
	// byOwner: questions, question workflows and their actions per owner.
	byOwner map[string]*ownerCost
	// byKind: every action by kind; scheduler: the scheduler's own.
	byKind    map[string]int
	scheduler int
	owners    int
}

type ownerCost struct{ questions, workflows, actions int }

// yearDriver runs the operating scheduler as a child, then waits for the
// last questions to be answered: the harness, not counted.
func yearDriver(ctx workflow.Context, in OperatingInput) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{WorkflowID: OperatingWorkflowID(in.EngagementID)})
	if err := workflow.ExecuteChildWorkflow(cctx, OperatingWorkflowName, in).Get(ctx, nil); err != nil {
		return err
	}
	return workflow.Sleep(ctx, 40*24*time.Hour)
}

// simulateYear runs the operating window of spec with time skipping, every
// question answered a day after it is asked (before any reminder), with
// the activities mocked (their cost is the number of calls, which the
// counter sees), and counts the billable actions of every workflow run.
// batched false pins the scheduler to the question-by-question path.
func simulateYear(tb testing.TB, spec compliance.Spec, batched bool) yearCost {
	tb.Helper()
	plan, err := compliance.PlanEngagement(&spec, spec.Frameworks[0].Window.Start.In(time.UTC).AddDate(0, -2, 0))
	require.NoError(tb, err)
	counter := &actionCounter{skip: map[string]bool{"yearDriver": true}}
	var ts testsuite.WorkflowTestSuite
	env := ts.NewTestWorkflowEnvironment()
	env.SetTestTimeout(15 * time.Minute)
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{counter, identity.NewInterceptor(testActorKey)}})
	RegisterWorkflows(env)
	env.RegisterWorkflowWithOptions(yearDriver, workflow.RegisterOptions{Name: "yearDriver"})
	acts := &activities.Activities{}
	env.RegisterActivity(acts)

	type asked struct {
		workflowID, promptID, kind, to string
		at                             time.Time
	}
	var (
		mu      sync.Mutex
		queue   []asked
		ownerOf = map[string]string{} // question workflow ID -> addressee
		askedBy = map[string]int{}
	)
	ask := func(workflowID, promptID, kind, to string) {
		mu.Lock()
		queue = append(queue, asked{workflowID: workflowID, promptID: promptID, kind: kind, to: strings.ToLower(to), at: env.Now()})
		ownerOf[workflowID] = strings.ToLower(to)
		askedBy[strings.ToLower(to)]++
		mu.Unlock()
	}
	env.OnActivity(acts.OpenPrompt, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in activities.OpenPromptInput) (activities.OpenPromptResult, error) {
			ask(in.Prompt.ID, in.Prompt.ID, in.Prompt.Kind, in.To.Email)
			return activities.OpenPromptResult{Delivered: "cli"}, nil
		})
	env.OnActivity(acts.OpenBatch, mock.Anything, mock.Anything).Return(
		func(ctx context.Context, in activities.OpenBatchInput) (activities.OpenBatchResult, error) {
			var res activities.OpenBatchResult
			for i, p := range in.Prompts {
				planned, err := acts.PlanLadder(ctx, in.Ladders[i])
				if err != nil {
					return res, err
				}
				res.Ladders = append(res.Ladders, planned.Steps)
				batch, _ := compliance.BatchOfItem(p.ID)
				ask(batch, p.ID, p.Kind, in.To.Email)
			}
			res.Delivered = "cli"
			return res, nil
		})
	env.OnActivity(acts.PromptStep, mock.Anything, mock.Anything).Return(activities.PromptStepResult{}, nil)
	env.OnActivity(acts.BatchStep, mock.Anything, mock.Anything).Return(activities.BatchStepResult{}, nil)
	env.OnActivity(acts.RecordPromptAnswer, mock.Anything, mock.Anything).Return(activities.RecordPromptAnswerResult{}, nil)
	env.OnActivity(acts.RecordBatchAnswer, mock.Anything, mock.Anything).Return(activities.RecordBatchAnswerResult{}, nil)
	env.OnActivity(acts.RecordEvidence, mock.Anything, mock.Anything).Return(activities.RecordEvidenceResult{}, nil)
	env.OnActivity(acts.SyncDigest, mock.Anything, mock.Anything).Return(activities.SyncDigestResult{}, nil)
	env.OnActivity(acts.CheckDrift, mock.Anything, mock.Anything).Return(activities.CheckDriftResult{}, nil)
	env.OnActivity(acts.PopulationSummary, mock.Anything, mock.Anything).Return(activities.PopulationSummaryResult{Count: 3}, nil)
	env.OnActivity(acts.ImportPopulation, mock.Anything, mock.Anything).Return(activities.ImportPopulationResult{}, nil)
	if !batched {
		perQuestion(env)
	}

	// Every six hours, answer what was asked a day or more ago.
	answered := 0
	var tick func()
	tick = func() {
		mu.Lock()
		var due, later []asked
		for _, q := range queue {
			if env.Now().Sub(q.at) >= 24*time.Hour {
				due = append(due, q)
			} else {
				later = append(later, q)
			}
		}
		queue = later
		mu.Unlock()
		for _, q := range due {
			req := AnswerPromptRequest{Choice: "evidence", Link: "https://evidence.example/" + q.promptID, Actor: cli(q.to)}
			if q.kind == PromptKindReview {
				req = AnswerPromptRequest{Choice: "operates", Actor: cli(q.to)}
			}
			r := &updateResult{}
			var err error
			if q.workflowID == q.promptID {
				err = env.UpdateWorkflowByID(q.workflowID, UpdateAnswerPrompt, "a-"+q.promptID, callbacks(r), req)
			} else {
				err = env.UpdateWorkflowByID(q.workflowID, UpdateAnswerBatchItem, "a-"+q.promptID, callbacks(r), AnswerBatchItemRequest{Item: q.promptID, AnswerPromptRequest: req})
			}
			if err == nil {
				answered++
			}
		}
		env.RegisterDelayedCallback(tick, 6*time.Hour)
	}
	start := spec.Frameworks[0].Window.Start.In(time.UTC).Add(-24 * time.Hour)
	env.SetStartTime(start)
	env.RegisterDelayedCallback(tick, 6*time.Hour)
	env.ExecuteWorkflow(yearDriver, OperatingInput{EngagementID: spec.ID, Spec: spec, Plan: plan, Revision: 1})
	require.True(tb, env.IsWorkflowCompleted())
	require.NoError(tb, env.GetWorkflowError())

	cost := yearCost{byOwner: map[string]*ownerCost{}, byKind: map[string]int{}}
	mu.Lock()
	defer mu.Unlock()
	for _, r := range counter.snapshot() {
		n := r.total()
		cost.actions += n
		for k, v := range r.Kinds {
			cost.byKind[k] += v
		}
		if r.Type == OperatingWorkflowName {
			cost.scheduler += n
			continue
		}
		o := cost.byOwner[ownerOf[r.ID]]
		if o == nil {
			o = &ownerCost{}
			cost.byOwner[ownerOf[r.ID]] = o
		}
		o.workflows++
		o.actions += n
		cost.workflows++
	}
	for to, n := range askedBy {
		o := cost.byOwner[to]
		if o == nil {
			o = &ownerCost{}
			cost.byOwner[to] = o
		}
		o.questions += n
		cost.questions += n
	}
	cost.owners = len(askedBy)
	require.Equal(tb, cost.questions, answered, "every question asked was answered")
	return cost
}

// BenchmarkActionsPerEngagementYear measures, for both examples over a
// twelve-month window, the operating phase's questions, question
// workflows and Temporal Cloud billable actions, asked question by
// question (the path runs recorded before versionOwnerBatches take) and
// in owner batches, in one run, and reports each as an after/before ratio
// and per 150 controls. Every question is answered a day after it is
// asked; activities are mocked (an activity's cost is its call, which the
// counter sees; retries would add to both sides).
//
//	go test -run '^$' -bench ActionsPerEngagementYear -benchtime 1x -v ./workflows/
func BenchmarkActionsPerEngagementYear(b *testing.B) {
	examples := []struct{ name, path string }{{"saas", "../examples/saas-startup.yaml"}, {"payments", "../examples/payments-co.yaml"}}
	for i := 0; i < b.N; i++ {
		for _, ex := range examples {
			spec := yearOf(b, ex.path)
			app, err := catalog.Default().ForSpec(&spec)
			require.NoError(b, err)
			controls := len(app.Controls)
			before := simulateYear(b, spec, false)
			after := simulateYear(b, spec, true)
			per150 := func(n int) float64 { return float64(n) * 150 / float64(controls) }
			b.ReportMetric(per150(before.actions), ex.name+"-actions/150ctl-before")
			b.ReportMetric(per150(after.actions), ex.name+"-actions/150ctl-after")
			b.ReportMetric(float64(after.actions)/float64(before.actions), ex.name+"-actions-ratio")
			b.ReportMetric(float64(after.questions)/float64(before.questions), ex.name+"-questions-ratio")
			b.ReportMetric(float64(after.workflows)/float64(before.workflows), ex.name+"-workflows-ratio")
			b.Logf("%s: %d controls, %d owners, 12-month window", ex.name, controls, before.owners)
			b.Logf("  %-8s %9s %9s %9s %10s %s", "", "questions", "workflows", "actions", "per150ctl", "actions by kind (scheduler's own)")
			for _, row := range []struct {
				name string
				c    yearCost
			}{{"before", before}, {"after", after}} {
				b.Logf("  %-8s %9d %9d %9d %10.0f %v (%d)", row.name, row.c.questions, row.c.workflows, row.c.actions, per150(row.c.actions), row.c.byKind, row.c.scheduler)
			}
			b.Logf("  ratio    %9.2f %9.2f %9.2f", float64(after.questions)/float64(before.questions),
				float64(after.workflows)/float64(before.workflows), float64(after.actions)/float64(before.actions))
			owners := make([]string, 0, len(before.byOwner))
			for o := range before.byOwner {
				owners = append(owners, o)
			}
			sort.Strings(owners)
			b.Logf("  %-28s %21s %21s %21s", "per owner (before -> after)", "questions", "workflows", "actions")
			for _, o := range owners {
				x, y := before.byOwner[o], after.byOwner[o]
				if y == nil {
					y = &ownerCost{}
				}
				b.Logf("  %-28s %s %s %s", o, ratio(x.questions, y.questions), ratio(x.workflows, y.workflows), ratio(x.actions, y.actions))
			}
		}
	}
}

func ratio(before, after int) string {
	r := 0.0
	if before > 0 {
		r = float64(after) / float64(before)
	}
	return fmt.Sprintf("%6d -> %5d (%.2f)", before, after, r)
}
