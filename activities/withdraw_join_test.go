package activities_test

import (
	"context"
	"maps"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// CheckWithdrawal and NewGaps read Postgres, not the hint that prompted
// them: CheckWithdrawal keeps only the controls the stored spec no longer
// operates and names its tailoring; NewGaps returns the stored register's
// assessed gaps a remediation does not know, with what their tickets need.
func TestWithdrawalAndNewGapsReadTheStore(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/tailored-saas.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	changed := *spec
	changed.Tailoring.Controls = maps.Clone(spec.Tailoring.Controls)
	changed.Tailoring.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "live org chart"}
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for rev, s := range []compliance.Spec{*spec, changed} {
		require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
			Revision: rev + 1, Spec: s, Plan: plan, Phase: compliance.PhaseGapAssessment, RecordedBy: "test", At: at}))
	}
	acts := &activities.Activities{Store: db.Store}

	w, err := acts.CheckWithdrawal(ctx, activities.CheckWithdrawalInput{EngagementID: spec.ID, Controls: []string{"ACC-02", "GOV-07"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"GOV-07"}, w.Withdrawn, "ACC-02 is in scope by the stored spec")
	assert.Equal(t, compliance.TailoringChangeID(changed.Tailoring), w.ChangeID)
	assert.Equal(t, map[string]string{"GOV-07": "live org chart"}, w.Justifications)

	require.NoError(t, db.Store.ReplaceRegister(ctx, spec.ID, []postgres.GapEntry{
		{ControlID: "ACC-04", Rank: 1, Gap: true, Status: "missing", Title: "Access reviews", OwnerEmail: "priya@brightlane.io"},
		{ControlID: "ACC-02", Rank: 2, Gap: true, Status: "partial", Title: "Provisioning", OwnerEmail: "leo@brightlane.io", Reasons: []string{"partly in place"}},
		{ControlID: "CHG-01", Rank: 3, Gap: true, Status: "unknown", Title: "Change approval", OwnerEmail: "leo@brightlane.io"},
		{ControlID: "LOG-02", Rank: 4, Gap: false, Status: "implemented", Title: "Logging", OwnerEmail: "leo@brightlane.io"},
	}, at))
	g, err := acts.NewGaps(ctx, activities.NewGapsInput{EngagementID: spec.ID, Known: []string{"ACC-04"}})
	require.NoError(t, err)
	require.Len(t, g.Gaps, 1, "known, not yet assessed and not-a-gap entries are left out")
	assert.Equal(t, "ACC-02", g.Gaps[0].ControlID)
	assert.Equal(t, "leo@brightlane.io", g.Gaps[0].Owner)
	assert.Equal(t, []string{"partly in place"}, g.Gaps[0].Reasons)
	assert.NotEmpty(t, g.Gaps[0].Requirements, "the ticket names the requirements at stake")
	assert.NotEmpty(t, g.Gaps[0].Description)
}
