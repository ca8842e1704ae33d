package activities

import (
	"context"
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// A tailoring change names both what is asked again (NewControls) and what
// leaves the scope (Removed): the engagement withdraws the latter's open
// questions from a running assessment.
func TestAssessTailoringChangeNamesRemovedControls(t *testing.T) {
	spec, err := compliance.LoadSpec("../examples/tailored-saas.yaml")
	require.NoError(t, err)
	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	next.Controls["ACC-02"] = compliance.ControlTailoring{Owner: "leo@brightlane.io", Justification: "Leo took over provisioning"}
	res, err := (&Activities{}).AssessScopeChange(context.Background(), AssessScopeChangeInput{Spec: *spec, Tailoring: &next})
	require.NoError(t, err)
	assert.Equal(t, []string{"ACC-02"}, res.NewControls)
	assert.Equal(t, []string{"GOV-07"}, res.Removed)
}
