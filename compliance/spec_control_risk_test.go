package compliance_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

func TestSpecControlRisk(t *testing.T) {
	base, err := os.ReadFile("../examples/saas-startup.yaml")
	require.NoError(t, err)
	s, err := compliance.ParseSpec("ok.yaml", append(base, []byte("\ncontrol_risk:\n  ACC-04: High\n")...))
	require.NoError(t, err)
	assert.Equal(t, "high", s.RiskOf("ACC-04"))
	assert.Equal(t, "", s.RiskOf("ACC-08"), "unset: the review's")

	_, err = compliance.ParseSpec("bad.yaml", append(base, []byte("\ncontrol_risk:\n  ACC-04: extreme\n")...))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "control_risk.ACC-04")
	assert.Contains(t, err.Error(), `risk "extreme" is not one of low, moderate, high`)
}
