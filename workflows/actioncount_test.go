package workflows

import (
	"sort"
	"sync"
	"time"

	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// actionCounter counts Temporal Cloud billable actions per workflow run,
// from the commands and messages the run's interceptors see, the way
// Temporal Cloud bills them (docs.temporal.io/cloud/actions):
//
//	workflow started: once per run (a client start, a child start or a
//	  continue-as-new — each counted on the run it starts, so a child start
//	  and a continue-as-new are counted once, not on both sides)
//	activity: once per attempt (the testsuite's mocks never retry; on a
//	  real server every retry is one more), local activity likewise
//	timer started: every timer, including those Sleep and AwaitWithTimeout
//	  start
//	signal: once, where it is sent (a workflow signalling another is one
//	  action, not one sent and one received)
//	update: every update delivered (accepted, or rejected by its validator)
//	search-attribute upsert: every call; side effect: every call
//	version marker: once per change ID per run (counted, though Temporal
//	  exempts the TemporalChangeVersion attribute: an upper bound)
//	cancel request sent: once
//
// Queries and heartbeats are actions too; the simulated year makes none.
type actionCounter struct {
	interceptor.WorkerInterceptorBase
	mu   sync.Mutex
	runs []*runActions
	// skip names workflow types whose own actions are the benchmark's
	// harness, not Steadfast's.
	skip map[string]bool
}

// runActions is one run's count, by kind.
type runActions struct {
	Type, ID string
	Kinds    map[string]int
	versions map[string]bool
}

func (r *runActions) total() int {
	n := 0
	for _, v := range r.Kinds {
		n += v
	}
	return n
}

// Action kinds.
const (
	actStart    = "start"
	actActivity = "activity"
	actTimer    = "timer"
	actSignal   = "signal"
	actUpdate   = "update"
	actMarker   = "marker"
	actUpsert   = "upsert"
	actCancel   = "cancel"
)

func (c *actionCounter) InterceptWorkflow(ctx workflow.Context, next interceptor.WorkflowInboundInterceptor) interceptor.WorkflowInboundInterceptor {
	info := workflow.GetInfo(ctx)
	r := &runActions{Type: info.WorkflowType.Name, ID: info.WorkflowExecution.ID, Kinds: map[string]int{}, versions: map[string]bool{}}
	c.mu.Lock()
	if !c.skip[r.Type] {
		c.runs = append(c.runs, r)
	}
	c.mu.Unlock()
	return &actIn{WorkflowInboundInterceptorBase: interceptor.WorkflowInboundInterceptorBase{Next: next}, c: c, r: r}
}

func (c *actionCounter) add(r *runActions, kind string) {
	c.mu.Lock()
	r.Kinds[kind]++
	c.mu.Unlock()
}

// snapshot copies the runs counted so far.
func (c *actionCounter) snapshot() []runActions {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]runActions, 0, len(c.runs))
	for _, r := range c.runs {
		cp := runActions{Type: r.Type, ID: r.ID, Kinds: map[string]int{}}
		for k, v := range r.Kinds {
			cp.Kinds[k] = v
		}
		out = append(out, cp)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

type actIn struct {
	interceptor.WorkflowInboundInterceptorBase
	c *actionCounter
	r *runActions
}

func (i *actIn) Init(outbound interceptor.WorkflowOutboundInterceptor) error {
	return i.Next.Init(&actOut{WorkflowOutboundInterceptorBase: interceptor.WorkflowOutboundInterceptorBase{Next: outbound}, c: i.c, r: i.r})
}

func (i *actIn) ExecuteWorkflow(ctx workflow.Context, in *interceptor.ExecuteWorkflowInput) (any, error) {
	i.c.add(i.r, actStart)
	return i.Next.ExecuteWorkflow(ctx, in)
}

func (i *actIn) ValidateUpdate(ctx workflow.Context, in *interceptor.UpdateInput) error {
	err := i.Next.ValidateUpdate(ctx, in)
	if err != nil {
		// A rejected update is billed as well.
		i.c.add(i.r, actUpdate)
	}
	return err
}

func (i *actIn) ExecuteUpdate(ctx workflow.Context, in *interceptor.UpdateInput) (any, error) {
	i.c.add(i.r, actUpdate)
	return i.Next.ExecuteUpdate(ctx, in)
}

type actOut struct {
	interceptor.WorkflowOutboundInterceptorBase
	c *actionCounter
	r *runActions
}

func (o *actOut) ExecuteActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.c.add(o.r, actActivity)
	return o.Next.ExecuteActivity(ctx, activityType, args...)
}

func (o *actOut) ExecuteLocalActivity(ctx workflow.Context, activityType string, args ...any) workflow.Future {
	o.c.add(o.r, actActivity)
	return o.Next.ExecuteLocalActivity(ctx, activityType, args...)
}

// ExecuteChildWorkflow counts the cancel request a child's cancelled context
// sends while the child runs (a withdrawn question's prompt): Temporal bills
// it as it bills RequestCancelExternalWorkflow. The child's start is
// counted on the child's own run. The watcher changes no workflow state.
func (o *actOut) ExecuteChildWorkflow(ctx workflow.Context, childWorkflowType string, args ...any) workflow.ChildWorkflowFuture {
	f := o.Next.ExecuteChildWorkflow(ctx, childWorkflowType, args...)
	watch, _ := workflow.NewDisconnectedContext(ctx)
	workflow.Go(watch, func(g workflow.Context) {
		cancelled := false
		s := workflow.NewSelector(g)
		s.AddFuture(f, func(workflow.Future) {})
		s.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { cancelled = true })
		s.Select(g)
		if cancelled {
			o.c.add(o.r, actCancel)
		}
	})
	return f
}

func (o *actOut) NewTimer(ctx workflow.Context, d time.Duration) workflow.Future {
	o.c.add(o.r, actTimer)
	return o.Next.NewTimer(ctx, d)
}

func (o *actOut) NewTimerWithOptions(ctx workflow.Context, d time.Duration, opts workflow.TimerOptions) workflow.Future {
	o.c.add(o.r, actTimer)
	return o.Next.NewTimerWithOptions(ctx, d, opts)
}

func (o *actOut) SignalExternalWorkflow(ctx workflow.Context, workflowID, runID, signalName string, arg any) workflow.Future {
	o.c.add(o.r, actSignal)
	return o.Next.SignalExternalWorkflow(ctx, workflowID, runID, signalName, arg)
}

func (o *actOut) SignalChildWorkflow(ctx workflow.Context, workflowID, signalName string, arg any) workflow.Future {
	o.c.add(o.r, actSignal)
	return o.Next.SignalChildWorkflow(ctx, workflowID, signalName, arg)
}

func (o *actOut) RequestCancelExternalWorkflow(ctx workflow.Context, workflowID, runID string) workflow.Future {
	o.c.add(o.r, actCancel)
	return o.Next.RequestCancelExternalWorkflow(ctx, workflowID, runID)
}

func (o *actOut) UpsertSearchAttributes(ctx workflow.Context, attributes map[string]any) error {
	o.c.add(o.r, actUpsert)
	return o.Next.UpsertSearchAttributes(ctx, attributes)
}

func (o *actOut) UpsertTypedSearchAttributes(ctx workflow.Context, attributes ...temporal.SearchAttributeUpdate) error {
	o.c.add(o.r, actUpsert)
	return o.Next.UpsertTypedSearchAttributes(ctx, attributes...)
}

func (o *actOut) GetVersion(ctx workflow.Context, changeID string, minSupported, maxSupported workflow.Version) workflow.Version {
	v := o.Next.GetVersion(ctx, changeID, minSupported, maxSupported)
	// The default version of a change records no marker (a replayed run
	// that predates it, or a run pinned to it).
	if v == workflow.DefaultVersion {
		return v
	}
	o.c.mu.Lock()
	if !o.r.versions[changeID] {
		o.r.versions[changeID] = true
		o.r.Kinds[actMarker]++
	}
	o.c.mu.Unlock()
	return v
}

func (o *actOut) SideEffect(ctx workflow.Context, f func(ctx workflow.Context) any) converter.EncodedValue {
	o.c.add(o.r, actMarker)
	return o.Next.SideEffect(ctx, f)
}

func (o *actOut) MutableSideEffect(ctx workflow.Context, id string, f func(ctx workflow.Context) any, equals func(a, b any) bool) converter.EncodedValue {
	o.c.add(o.r, actMarker)
	return o.Next.MutableSideEffect(ctx, id, f, equals)
}
