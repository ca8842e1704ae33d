package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// writeHistory saves a workflow's full history as JSON (the format
// `temporal workflow show --output json` writes) under testdata/histories,
// for the replay tests to run against every later version of the code.
func writeHistory(t *testing.T, ctx context.Context, e *engagements, workflowID, name string) {
	t.Helper()
	var h historypb.History
	it := e.tc.GetWorkflowHistory(ctx, workflowID, "", false, 0)
	for it.HasNext() {
		ev, err := it.Next()
		require.NoError(t, err)
		h.Events = append(h.Events, ev)
	}
	b, err := protojson.MarshalOptions{Indent: "  "}.Marshal(&h)
	require.NoError(t, err)
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "testdata", "histories")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, name), b, 0o644))
	t.Logf("wrote %s (%d events)", name, len(h.Events))
}
