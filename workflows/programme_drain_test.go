package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// TestProgrammeCarriesACertificationSignalledAsTheCycleEnds: a certified
// signal that arrives while the programme is busy (replanning for an
// earlier one) as its cycle's scheduler finishes is still in the channel
// when the cycle ends. It is drained into the next cycle's input, not lost
// with the run.
func TestProgrammeCarriesACertificationSignalledAsTheCycleEnds(t *testing.T) {
	start := time.Date(2028, 3, 20, 14, 0, 0, 0, time.UTC)
	env := newProgrammeEnv(t, start, 30*24*time.Hour)
	acts := &activities.Activities{}
	// Planning takes two hours, so the programme is busy when the
	// scheduler (started at +2h, a week per batch) finishes at +28d2h.
	env.OnActivity(acts.PlanProgramme, mock.Anything, mock.Anything).Return(acts.PlanProgramme).After(2 * time.Hour)
	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 3, Day: 10},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}}
	iso := postcert.Certification{Framework: compliance.ISO27001, Date: compliance.Date{Year: 2028, Month: 4, Day: 3}}
	bridge := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2028, Month: 4, Day: 17}, Reference: "bridge letter"}
	cycleEnd := 28*24*time.Hour + 2*time.Hour
	env.RegisterDelayedCallback(func() { env.certify(iso) }, cycleEnd-time.Hour)
	env.RegisterDelayedCallback(func() { env.certify(bridge) }, cycleEnd-30*time.Minute)
	env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: ProgrammeWorkflowID("brightlane")})
	env.ExecuteWorkflow(ProgrammeWorkflow, ProgrammeInput{EngagementID: "brightlane", Spec: testSpec(t), Certifications: []postcert.Certification{soc2}, Cycle: 1, Revision: 1})
	var can *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &can)
	var next ProgrammeInput
	require.NoError(t, decodePayloads(can, &next))
	assert.Equal(t, 2, next.Cycle)
	assert.Equal(t, []postcert.Certification{soc2, iso, bridge}, next.Certifications,
		"the certification signalled as the cycle ended is carried into the next cycle")
}
