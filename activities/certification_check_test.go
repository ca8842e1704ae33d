package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestRecordedCertificationReadsTheRecord: the programme's check of a
// signalled certification finds it by framework and date and returns it as
// recorded (its period and reference, not the signal's); another date, or
// another engagement's certificate, is not found.
func TestRecordedCertificationReadsTheRecord(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	at := time.Date(2028, 3, 11, 14, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseFieldwork, RecordedBy: "test", At: at}))
	period := compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}
	on := compliance.Date{Year: 2028, Month: 3, Day: 10}
	require.NoError(t, db.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: spec.ID, Framework: compliance.SOC2,
		CertifiedOn: on, ReportPeriod: period, Reference: "SOC2-2027", RecordedBy: "maya@brightlane.io", RecordedAt: at}))

	acts := &activities.Activities{Store: db.Store}
	got, err := acts.RecordedCertification(ctx, activities.RecordedCertificationInput{EngagementID: spec.ID, Framework: compliance.SOC2, Date: on})
	require.NoError(t, err)
	assert.True(t, got.Found)
	assert.Equal(t, postcert.Certification{Framework: compliance.SOC2, Date: on, ReportPeriod: period, Reference: "SOC2-2027"}, got.Certification)

	for _, in := range []activities.RecordedCertificationInput{
		{EngagementID: spec.ID, Framework: compliance.SOC2, Date: on.AddDays(1)},
		{EngagementID: spec.ID, Framework: compliance.ISO27001, Date: on},
		{EngagementID: "someone-else", Framework: compliance.SOC2, Date: on},
	} {
		got, err := acts.RecordedCertification(ctx, in)
		require.NoError(t, err)
		assert.False(t, got.Found, "%+v is not recorded", in)
	}
}
