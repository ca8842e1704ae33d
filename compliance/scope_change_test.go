package compliance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TestCheckChangeScope: the lead, a lead delegate and the consultant may
// propose a change of scope; a control owner, the sponsor and a stranger
// may not, in the words every path gives.
func TestCheckChangeScope(t *testing.T) {
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	for _, who := range []string{"maya@brightlane.io", "priya@brightlane.io", "sam@steadfast.example"} {
		assert.NoError(t, spec.CheckChangeScope(who), who)
	}
	for _, who := range []string{"leo@brightlane.io", "tom@brightlane.io", "eve@elsewhere.example"} {
		assert.EqualError(t, spec.CheckChangeScope(who), who+" may not change the scope: only the lead, a lead delegate or the consultant")
	}
}

// TestCheckTailoringChangeAt: the engagement takes a tailoring change from
// the approved scope until certification; while scoping the spec is
// revised instead, and once certified the programme takes it.
func TestCheckTailoringChangeAt(t *testing.T) {
	for _, p := range compliance.Phases() {
		err := compliance.CheckTailoringChangeAt(p)
		switch p {
		case compliance.PhaseScoping:
			assert.ErrorContains(t, err, "scope revise")
		case compliance.PhaseProgramme:
			assert.ErrorContains(t, err, "programme takes")
		default:
			assert.NoError(t, err, p)
		}
	}
	assert.Error(t, compliance.CheckTailoringChangeAt("certified-ish"))
}
