package compliance_test

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// tailored appends a tailoring block to the saas example and returns the
// spec bytes and the line the block's first line lands on.
func tailored(t *testing.T, block string) ([]byte, int) {
	t.Helper()
	base, err := os.ReadFile("../examples/saas-startup.yaml")
	require.NoError(t, err)
	base = append(bytes.TrimRight(base, "\n"), '\n')
	return append(base, []byte(block)...), bytes.Count(base, []byte("\n")) + 1
}

func TestTailoredExampleParses(t *testing.T) {
	s, err := catalog.LoadSpec("../examples/tailored-saas.yaml")
	require.NoError(t, err)
	assert.Len(t, s.Tailoring.Custom, 2)
	na, inh := 0, 0
	for _, ct := range s.Tailoring.Controls {
		if ct.NotApplicable {
			na++
		}
		if ct.InheritedFrom != "" {
			inh++
		}
	}
	assert.Equal(t, 3, na)
	assert.Equal(t, 1, inh)

	// The per-control owner wins over the area's owner (access is Priya's).
	assert.Equal(t, "leo@brightlane.io", s.OwnerOfControl("ACC-04", compliance.DomainAccess).Email)
	assert.Equal(t, "priya@brightlane.io", s.OwnerOfControl("ACC-02", compliance.DomainAccess).Email)
	assert.Equal(t, "priya@brightlane.io", s.OwnerOfControl("BRT-01", compliance.DomainAccess).Email, "a custom control's own owner")
	assert.Equal(t, "leo@brightlane.io", s.OwnerOfControl("BRT-02", compliance.DomainIncident).Email, "no owner: the area's")

	assert.Equal(t, compliance.RiskHigh, s.ControlRiskLevel("ACC-04"))
	assert.Equal(t, "high", s.RiskOf("ACC-04"), "the readiness review reads the tailored risk")
	assert.Equal(t, compliance.RiskLevel(""), s.ControlRiskLevel("ACC-02"))
	assert.Equal(t, compliance.RiskModerate, s.ControlRiskLevel("ACC-02").OrModerate())
}

func TestTailoringErrorsArePositioned(t *testing.T) {
	cases := []struct {
		name, block string
		// line is relative to the block's first line (0); col is 1-based.
		line, col int
		want      string
	}{
		{"unknown control with suggestion", "tailoring:\n  controls:\n    ACC-044:\n      owner: leo@brightlane.io\n",
			2, 5, `tailoring.controls.ACC-044: unknown control ACC-044 (did you mean "ACC-04"?)`},
		{"not a control ID", "tailoring:\n  controls:\n    acc-04:\n      owner: leo@brightlane.io\n",
			2, 5, `tailoring.controls.acc-04: "acc-04" is not a control ID (like ACC-04) (did you mean "ACC-04"?)`},
		{"unknown control of the right form", "tailoring:\n  controls:\n    ACC-99:\n      owner: leo@brightlane.io\n",
			2, 5, `tailoring.controls.ACC-99: unknown control ACC-99 (did you mean "ACC-09"?)`},
		{"not applicable without justification", "tailoring:\n  controls:\n    AST-09:\n      not_applicable: true\n",
			3, 7, "tailoring.controls.AST-09.justification: a control marked not applicable needs a justification the auditor can read"},
		{"inherited from an unknown vendor", "tailoring:\n  controls:\n    CRY-02:\n      inherited_from: Amazon Web Service\n      justification: KMS\n",
			3, 23, `no vendor named "Amazon Web Service" in vendors (did you mean "Amazon Web Services"?)`},
		{"inherited without justification", "tailoring:\n  controls:\n    CRY-02:\n      inherited_from: Gusto\n",
			3, 7, "an inherited control needs a justification"},
		{"owner not in the spec", "tailoring:\n  controls:\n    ACC-04:\n      owner: lee@brightlane.io\n",
			3, 14, `tailoring.controls.ACC-04.owner: lee@brightlane.io is not one of the spec's people (did you mean "leo@brightlane.io"?)`},
		{"unknown frequency", "tailoring:\n  controls:\n    ACC-04:\n      frequency: monthy\n",
			3, 18, `unknown frequency "monthy" (did you mean "monthly"?)`},
		{"unknown risk level", "tailoring:\n  controls:\n    ACC-04:\n      risk: severe\n",
			3, 13, `unknown risk level "severe"`},
		{"tailors nothing", "tailoring:\n  controls:\n    ACC-04: {justification: because}\n",
			2, 13, "tailors nothing"},
		{"not applicable and inherited", "tailoring:\n  controls:\n    CRY-02: {not_applicable: true, inherited_from: Gusto, justification: x}\n",
			2, 13, "either not applicable or inherited"},
		{"custom control reusing a library ID", "tailoring:\n  custom:\n    - id: ACC-04\n      title: T\n      description: D\n      domain: access\n      type: procedure\n      frequency: annual\n      evidence: E\n      maps: {soc2: {CC6.1: why CC6.1}}\n",
			2, 11, "ACC-04 is already a library control; tailor it under tailoring.controls.ACC-04 instead"},
		{"custom control mapping an unknown requirement", "tailoring:\n  custom:\n    - id: BRT-01\n      title: T\n      description: D\n      domain: access\n      type: procedure\n      frequency: annual\n      evidence: E\n      maps:\n        soc2:\n          CC6.11: why\n",
			11, 11, `tailoring.custom[0].maps.soc2.CC6.11: unknown soc2 requirement CC6.11 (did you mean "CC6.1"?)`},
		{"custom mapping without rationale", "tailoring:\n  custom:\n    - id: BRT-01\n      title: T\n      description: D\n      domain: access\n      type: procedure\n      frequency: annual\n      evidence: E\n      maps:\n        soc2:\n          CC6.1: \"\"\n",
			11, 18, "needs a one-line rationale: why this control satisfies soc2 CC6.1"},
		{"custom control of an unknown type", "tailoring:\n  custom:\n    - id: BRT-01\n      title: T\n      description: D\n      domain: access\n      type: procedural\n      frequency: annual\n      evidence: E\n      maps: {soc2: {CC6.1: why}}\n",
			6, 13, `unknown control type "procedural" (did you mean "procedure"?)`},
		{"custom control mapping no selected framework", "tailoring:\n  custom:\n    - id: BRT-01\n      title: T\n      description: D\n      domain: access\n      type: procedure\n      frequency: annual\n      evidence: E\n      maps: {iso27001: {A.8.3: why}}\n",
			9, 13, "maps to no requirement of the spec's frameworks"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			data, first := tailored(t, tc.block)
			_, err := catalog.ParseSpec("t.yaml", data)
			require.Error(t, err)
			var es compliance.SpecErrors
			require.ErrorAs(t, err, &es)
			require.NotEmpty(t, es)
			found := false
			for _, e := range es {
				if bytes.Contains([]byte(e.Error()), []byte(tc.want)) {
					found = true
					assert.Equal(t, fmt.Sprintf("t.yaml:%d:%d", first+tc.line, tc.col), fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column), e.Error())
				}
			}
			assert.True(t, found, "want %q among:\n%v", tc.want, err)
		})
	}
}

// Without the library the parser still checks what it can: the form of IDs
// and every rule that needs only the spec.
func TestTailoringWithoutLibrary(t *testing.T) {
	data, _ := tailored(t, "tailoring:\n  controls:\n    ACC-99:\n      owner: leo@brightlane.io\n    AST-09:\n      not_applicable: true\n")
	_, err := compliance.ParseSpec("t.yaml", data)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "ACC-99", "the form is right; only the library knows it is unknown")
	assert.Contains(t, err.Error(), "AST-09.justification")
}
