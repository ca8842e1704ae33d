package config

import (
	"testing"

	"go.temporal.io/sdk/worker"
)

func TestWorkerTuningFromEnv(t *testing.T) {
	t.Setenv(EnvStickyCacheSize, "")
	t.Setenv(EnvWorkflowTaskSlots, "")
	t.Setenv(EnvActivitySlots, "")
	got, err := WorkerTuningFromEnv()
	if err != nil || got != (WorkerTuning{StickyCacheSize: DefaultStickyCacheSize}) {
		t.Fatalf("defaults: %+v, %v", got, err)
	}

	t.Setenv(EnvStickyCacheSize, " 2000 ")
	t.Setenv(EnvWorkflowTaskSlots, "200")
	t.Setenv(EnvActivitySlots, "150")
	got, err = WorkerTuningFromEnv()
	if err != nil || got != (WorkerTuning{StickyCacheSize: 2000, WorkflowTaskSlots: 200, ActivitySlots: 150}) {
		t.Fatalf("set: %+v, %v", got, err)
	}
	var opts worker.Options
	got.Apply(&opts)
	if opts.MaxConcurrentWorkflowTaskExecutionSize != 200 || opts.MaxConcurrentActivityExecutionSize != 150 {
		t.Fatalf("options: %+v", opts)
	}
	worker.SetStickyWorkflowCacheSize(DefaultStickyCacheSize)

	for _, bad := range []string{"0", "-5", "10k", "1e4"} {
		t.Setenv(EnvStickyCacheSize, bad)
		if _, err := WorkerTuningFromEnv(); err == nil {
			t.Errorf("%s=%q accepted", EnvStickyCacheSize, bad)
		}
	}
}
