package workflows

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// What the integration tests on the dev server start with.

// realWorker runs the workflows on the dev server for one test, with the
// identity check the real worker runs, until the test ends.
func realWorker(t *testing.T, tmp testenv.Temporal, queue string, acts *activities.Activities) {
	t.Helper()
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testActorKey)})
	Register(w, acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}

// recordedSpec is the test spec, changed by edit when given, planned from
// today and recorded as the scope the activities read.
func recordedSpec(ctx context.Context, t *testing.T, db testenv.Database, edit func(*compliance.Spec)) (compliance.Spec, compliance.Plan) {
	t.Helper()
	spec := testSpec(t)
	if edit != nil {
		edit(&spec)
	}
	plan, err := compliance.PlanEngagement(&spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, recordScopeInput(spec, plan)))
	return spec, plan
}

// withISO adds ISO 27001 to the test spec.
func withISO(spec *compliance.Spec) {
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
}
