package testenv

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	tlog "go.temporal.io/sdk/log"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

// ExternalAddressEnv names the variable that points the integration tests at
// a running Temporal server (e.g. scripts/cluster.sh's Postgres-backed one)
// instead of a dev server per test.
const ExternalAddressEnv = "STEADFAST_TEST_TEMPORAL_ADDRESS"

// externalRetention is how long a test namespace keeps closed workflows; the
// server's own scavenger removes them afterwards.
const externalRetention = 24 * time.Hour

// External connects to the server at addr and registers a namespace for this
// test alone, so workflow IDs and task queues that tests hard-code (one
// engagement per spec) never meet another test's. TEMPORAL_NAMESPACE is set
// for the test, so workers and CLI commands it starts use that namespace too.
// When the test ends its running workflows are terminated and the namespace
// is deleted (the server removes its data in the background).
func External(t testing.TB, addr string) Temporal {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	ns := "steadfast-test-" + randomHex(6)
	nsc, err := client.NewNamespaceClient(client.Options{HostPort: addr, Logger: tlog.NewStructuredLogger(logger)})
	if err != nil {
		missing(t, "the Temporal server at "+ExternalAddressEnv+"="+addr, "start it with `make cluster` or unset "+ExternalAddressEnv, err)
	}
	defer nsc.Close()
	err = nsc.Register(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace:                        ns,
		Description:                      "integration test " + t.Name(),
		WorkflowExecutionRetentionPeriod: durationpb.New(externalRetention),
	})
	if err != nil {
		t.Fatalf("register namespace %s on %s: %v", ns, addr, err)
	}
	c, err := client.Dial(client.Options{HostPort: addr, Namespace: ns, Logger: tlog.NewStructuredLogger(logger)})
	if err != nil {
		t.Fatalf("connect to Temporal at %s: %v", addr, err)
	}
	t.Cleanup(c.Close)
	// Every service learns of a new namespace from its cache (refreshed every
	// 2 s by default): wait until visibility and the frontend both know it.
	for {
		_, err := c.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns})
		if err == nil {
			break
		}
		var nf *serviceerror.NamespaceNotFound
		if !errors.As(err, &nf) || ctx.Err() != nil {
			t.Fatalf("namespace %s on %s never became usable: %v", ns, addr, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Cleanup(func() { terminateAll(c, ns); deleteNamespace(c, ns) })
	registerSearchAttributes(ctx, t, c, ns)
	t.Setenv("TEMPORAL_NAMESPACE", ns)
	return Temporal{Address: addr, Namespace: ns, Client: c}
}

// deleteNamespace asks the server to delete the test's namespace; a failure
// only leaves it behind until its retention ends, so it is not reported.
func deleteNamespace(c client.Client, ns string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = c.OperatorService().DeleteNamespace(ctx, &operatorservice.DeleteNamespaceRequest{Namespace: ns})
}

// terminateAll ends the test's running workflows so that a shared server
// does not keep timers firing for tests that have finished.
func terminateAll(c client.Client, ns string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var token []byte
	for {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{
			Namespace: ns, Query: "ExecutionStatus = 'Running'", NextPageToken: token,
		})
		if err != nil {
			return
		}
		for _, e := range resp.GetExecutions() {
			_ = c.TerminateWorkflow(ctx, e.GetExecution().GetWorkflowId(), e.GetExecution().GetRunId(), "test finished")
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return
		}
	}
}

// registerSearchAttributes registers Steadfast's search attributes on the
// test's namespace, as the worker does on its own at start.
func registerSearchAttributes(ctx context.Context, t testing.TB, c client.Client, ns string) {
	t.Helper()
	if err := searchattr.Ensure(ctx, c, ns); err != nil {
		t.Fatalf("%v", err)
	}
}
