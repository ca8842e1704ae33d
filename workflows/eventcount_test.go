package workflows

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// eventCounter estimates how many history events each workflow run would
// have on a Temporal server, from the commands and messages the run's
// interceptors see. The testsuite keeps no history (and its
// GetCurrentHistoryLength is a constant), and the dev server cannot skip
// time, so the three-year test counts through interceptors instead; the
// model is checked against real histories from the dev server in
// TestEventModelBoundsRealHistories.
//
// The model charges each command its events and, for each thing that wakes
// the run, a whole workflow task (scheduled, started, completed):
//
//	start: started + first task (4); close: completed / failed / continued (1)
//	activity: scheduled, started, completed + task (6)
//	timer: started, fired + task (5)
//	child: initiated, started, completed + two tasks (9)
//	signal or cancel sent: initiated, done + task (5)
//	signal received: 1 + task (4); update: accepted, completed + task (5)
//	version: the marker and its TemporalChangeVersion upsert (2)
//	side effect, local activity, search attributes, memo: 1
//
// The server often folds several wake-ups into one task, so this counts
// high, never low: a budget met by the model is met by the server.
type eventCounter struct {
	interceptor.WorkerInterceptorBase
	mu   sync.Mutex
	runs []*runEvents
	// loops names the workflows that started loopLimit runs in a row at
	// one instant: continue-as-new in a loop that never waits. Their next
	// run fails at once instead, so the test ends and says so.
	loops map[string]time.Time
	last  map[string]time.Time
	burst map[string]int
}

// loopLimit is how many runs of one workflow at one instant count as a loop.
const loopLimit = 25

// runEvents is one run's estimate.
type runEvents struct {
	Type, ID string
	Events   int
	versions map[string]bool
}

func (c *eventCounter) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	info := workflow.GetInfo(ctx)
	r := &runEvents{Type: info.WorkflowType.Name, ID: info.WorkflowExecution.ID, versions: map[string]bool{}}
	now := workflow.Now(ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.runs = append(c.runs, r)
	if c.last == nil {
		c.last, c.burst, c.loops = map[string]time.Time{}, map[string]int{}, map[string]time.Time{}
	}
	if c.last[r.ID].Equal(now) {
		c.burst[r.ID]++
	} else {
		c.last[r.ID], c.burst[r.ID] = now, 0
	}
	in := &countIn{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, c: c, r: r}
	if c.burst[r.ID] >= loopLimit {
		c.loops[r.ID] = now
		in.loop = true
	}
	return in
}

func (c *eventCounter) add(r *runEvents, n int) {
	c.mu.Lock()
	r.Events += n
	c.mu.Unlock()
}

// largest returns the largest run of each workflow type.
func (c *eventCounter) largest() map[string]runEvents {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]runEvents{}
	for _, r := range c.runs {
		if r.Events > out[r.Type].Events {
			out[r.Type] = *r
		}
	}
	return out
}

// runsOf counts the runs of one workflow ID.
func (c *eventCounter) runsOf(id string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, r := range c.runs {
		if r.ID == id {
			n++
		}
	}
	return n
}

// report is one line per workflow type, largest first.
func (c *eventCounter) report() string {
	l := c.largest()
	types := make([]string, 0, len(l))
	for t := range l {
		types = append(types, t)
	}
	sort.Slice(types, func(i, j int) bool { return l[types[i]].Events > l[types[j]].Events })
	var b strings.Builder
	for _, t := range types {
		fmt.Fprintf(&b, "%-20s %6d events  (%s)\n", t, l[t].Events, l[t].ID)
	}
	return b.String()
}

type countIn struct {
	interceptor.WorkflowInboundInterceptorBase
	c    *eventCounter
	r    *runEvents
	loop bool
}

func (i *countIn) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&countOut{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, c: i.c, r: i.r})
}

func (i *countIn) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	i.c.add(i.r, 4)
	defer i.c.add(i.r, 1)
	if i.loop {
		return nil, temporal.NewNonRetryableApplicationError(fmt.Sprintf("%s continued as new %d times at %s without waiting", i.r.ID, loopLimit, workflow.Now(ctx)), "Loop", nil)
	}
	return i.Next.ExecuteWorkflow(ctx, in)
}

func (i *countIn) HandleSignal(ctx workflow.Context, in *interceptor.HandleSignalInput) error {
	i.c.add(i.r, 4)
	return i.Next.HandleSignal(ctx, in)
}

func (i *countIn) ExecuteUpdate(ctx workflow.Context, in *interceptor.UpdateInput) (any, error) {
	i.c.add(i.r, 5)
	return i.Next.ExecuteUpdate(ctx, in)
}

type countOut struct {
	interceptor.WorkflowOutboundInterceptorBase
	c *eventCounter
	r *runEvents
}

func (o *countOut) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.c.add(o.r, 6)
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *countOut) ExecuteLocalActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.c.add(o.r, 1)
	return o.Next.ExecuteLocalActivity(ctx, activityType, args...)
}

func (o *countOut) ExecuteChildWorkflow(ctx workflow.Context, childWorkflowType string, args ...any) workflow.ChildWorkflowFuture {
	o.c.add(o.r, 9)
	return o.Next.ExecuteChildWorkflow(ctx, childWorkflowType, args...)
}

func (o *countOut) NewTimer(ctx workflow.Context, d time.Duration) workflow.Future {
	o.c.add(o.r, 5)
	return o.Next.NewTimer(ctx, d)
}

func (o *countOut) NewTimerWithOptions(ctx workflow.Context, d time.Duration, opts workflow.TimerOptions) workflow.Future {
	o.c.add(o.r, 5)
	return o.Next.NewTimerWithOptions(ctx, d, opts)
}

func (o *countOut) SignalExternalWorkflow(ctx workflow.Context, workflowID, runID, signalName string, arg any) workflow.Future {
	o.c.add(o.r, 5)
	return o.Next.SignalExternalWorkflow(ctx, workflowID, runID, signalName, arg)
}

func (o *countOut) SignalChildWorkflow(ctx workflow.Context, workflowID, signalName string, arg any) workflow.Future {
	o.c.add(o.r, 5)
	return o.Next.SignalChildWorkflow(ctx, workflowID, signalName, arg)
}

func (o *countOut) RequestCancelExternalWorkflow(ctx workflow.Context, workflowID, runID string) workflow.Future {
	o.c.add(o.r, 5)
	return o.Next.RequestCancelExternalWorkflow(ctx, workflowID, runID)
}

func (o *countOut) UpsertSearchAttributes(ctx workflow.Context, attributes map[string]any) error {
	o.c.add(o.r, 1)
	return o.Next.UpsertSearchAttributes(ctx, attributes)
}

func (o *countOut) UpsertTypedSearchAttributes(ctx workflow.Context, attributes ...temporal.SearchAttributeUpdate) error {
	o.c.add(o.r, 1)
	return o.Next.UpsertTypedSearchAttributes(ctx, attributes...)
}

func (o *countOut) UpsertMemo(ctx workflow.Context, memo map[string]any) error {
	o.c.add(o.r, 1)
	return o.Next.UpsertMemo(ctx, memo)
}

func (o *countOut) GetVersion(ctx workflow.Context, changeID string, minSupported, maxSupported workflow.Version) workflow.Version {
	o.c.mu.Lock()
	if !o.r.versions[changeID] {
		// The marker, and the upsert of TemporalChangeVersion the SDK
		// records beside it.
		o.r.versions[changeID] = true
		o.r.Events += 2
	}
	o.c.mu.Unlock()
	return o.Next.GetVersion(ctx, changeID, minSupported, maxSupported)
}

func (o *countOut) SideEffect(ctx workflow.Context, f func(ctx workflow.Context) any) converter.EncodedValue {
	o.c.add(o.r, 1)
	return o.Next.SideEffect(ctx, f)
}

func (o *countOut) MutableSideEffect(ctx workflow.Context, id string, f func(ctx workflow.Context) any, equals func(a, b any) bool) converter.EncodedValue {
	o.c.add(o.r, 1)
	return o.Next.MutableSideEffect(ctx, id, f, equals)
}
