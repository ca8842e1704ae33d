package activities

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// An Annex A control the client excludes in its Statement of Applicability
// is not assessed: the gap assessment follows the same applicability.
func TestPlanAssessmentFollowsAnnexAExclusions(t *testing.T) {
	spec, err := compliance.LoadSpec("../examples/kelp-health.yaml")
	require.NoError(t, err)
	// ISO 27001 alone, so no SOC 2 criterion keeps the controls in.
	iso := *spec.Framework(compliance.ISO27001)
	spec.Frameworks = []compliance.Framework{iso}
	a := &Activities{}

	with, err := a.PlanAssessment(context.Background(), PlanAssessmentInput{Spec: *spec})
	require.NoError(t, err)
	spec.Frameworks[0].Exclusions = nil
	without, err := a.PlanAssessment(context.Background(), PlanAssessmentInput{Spec: *spec})
	require.NoError(t, err)

	assert.Less(t, len(with.Controls), len(without.Controls), "controls that only implement excluded Annex A controls are not assessed")
	for _, c := range with.Controls {
		for _, fw := range c.Frameworks {
			assert.NotContains(t, strings.Fields(strings.ReplaceAll(fw, ",", "")), "A.8.30", c.ControlID)
			assert.NotContains(t, strings.Fields(strings.ReplaceAll(fw, ",", "")), "A.8.11", c.ControlID)
		}
	}
}
