package readiness_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
)

// TestRegisterAndReviewPlanOneSample is issue 15's "the gap register says a
// per-event control is sampled 43 times; the readiness review and the pack
// sample 3": for every applicable control of both examples, the register's
// sample is the review's planned sample, and what the review draws is
// never more than it (3 of 43 when three events are recorded).
func TestRegisterAndReviewPlanOneSample(t *testing.T) {
	for _, path := range []string{"../../examples/saas-startup.yaml", "../../examples/payments-co.yaml"} {
		t.Run(path, func(t *testing.T) {
			spec, err := compliance.LoadSpec(path)
			require.NoError(t, err)
			// A control's own risk must move both figures the same way.
			if spec.ControlRisk == nil {
				spec.ControlRisk = map[string]string{}
			}
			spec.ControlRisk["CHG-01"] = "high"
			app, err := catalog.Default().ForSpec(spec)
			require.NoError(t, err)
			risks := map[string]sampling.Risk{}
			for id, r := range spec.ControlRisk {
				risks[id], err = sampling.ParseRisk(r)
				require.NoError(t, err)
			}
			reg, err := gaps.Rank(gaps.Input{Applicability: app, ControlRisk: risks})
			require.NoError(t, err)
			planned := map[string]int{}
			for _, e := range reg.Entries {
				planned[e.ControlID] = e.SampleSize
			}

			f := newFixture(t)
			var cs []readiness.Control
			perEvent := ""
			for _, ac := range app.Controls {
				c := ac.Control
				occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: f.window, Calendar: f.cal})
				require.NoError(t, err)
				rc := readiness.Control{ID: c.ID, Title: c.Title, Description: c.Description, Frequency: c.Frequency, Owner: owner,
					Occurrences: occs, Automated: c.Automated, Risk: risks[c.ID]}
				if c.Frequency == compliance.FreqPerEvent && perEvent == "" {
					perEvent = c.ID
					rc.Events = f.changes(3)
				}
				cs = append(cs, rc)
			}
			require.NotEmpty(t, perEvent, "the example has a per-event control")
			rep := f.review(7, cs, nil)
			require.Len(t, rep.Controls, len(planned))
			for _, cr := range rep.Controls {
				assert.Equal(t, planned[cr.ID], cr.PlannedSize, "%s: the register and the review plan one sample", cr.ID)
				assert.LessOrEqual(t, cr.SampleSize, cr.PlannedSize, "%s", cr.ID)
				if cr.ID == perEvent {
					assert.Equal(t, 3, cr.SampleSize, "three events recorded so far are all tested")
					assert.Greater(t, cr.PlannedSize, 3)
				}
			}
		})
	}
}
