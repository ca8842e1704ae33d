package config

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"go.temporal.io/sdk/worker"
)

// WorkerTuning is what bounds one worker's memory and concurrency (README
// "Capacity"): the sticky cache holds that many workflows in memory between
// their tasks (an evicted one is replayed from its history at its next task),
// and the slots cap the workflow and activity tasks run at once.
type WorkerTuning struct {
	StickyCacheSize   int // STEADFAST_STICKY_CACHE_SIZE (default 10,000, the SDK's)
	WorkflowTaskSlots int // STEADFAST_WORKFLOW_TASK_SLOTS (0: the SDK's default, 1,000)
	ActivitySlots     int // STEADFAST_ACTIVITY_SLOTS (0: the SDK's default, 1,000)
}

// DefaultStickyCacheSize is the SDK's own default, kept unless set.
const DefaultStickyCacheSize = 10_000

// Environment variables of WorkerTuning.
const (
	EnvStickyCacheSize   = "STEADFAST_STICKY_CACHE_SIZE"
	EnvWorkflowTaskSlots = "STEADFAST_WORKFLOW_TASK_SLOTS"
	EnvActivitySlots     = "STEADFAST_ACTIVITY_SLOTS"
)

// WorkerTuningFromEnv reads the tuning; a value that is not a positive
// whole number is refused rather than silently replaced by a default.
func WorkerTuningFromEnv() (WorkerTuning, error) {
	t := WorkerTuning{StickyCacheSize: DefaultStickyCacheSize}
	for _, f := range []struct {
		key string
		dst *int
	}{{EnvStickyCacheSize, &t.StickyCacheSize}, {EnvWorkflowTaskSlots, &t.WorkflowTaskSlots}, {EnvActivitySlots, &t.ActivitySlots}} {
		raw := strings.TrimSpace(os.Getenv(f.key))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			return WorkerTuning{}, fmt.Errorf("%s=%q: want a positive whole number", f.key, raw)
		}
		*f.dst = n
	}
	return t, nil
}

// Apply sets the sticky cache (one per process, so before the worker is
// created) and the slots on opts.
func (t WorkerTuning) Apply(opts *worker.Options) {
	worker.SetStickyWorkflowCacheSize(t.StickyCacheSize)
	if t.WorkflowTaskSlots > 0 {
		opts.MaxConcurrentWorkflowTaskExecutionSize = t.WorkflowTaskSlots
	}
	if t.ActivitySlots > 0 {
		opts.MaxConcurrentActivityExecutionSize = t.ActivitySlots
	}
}
