package catalog_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

func tailoredSpec(t *testing.T) *compliance.Spec {
	t.Helper()
	s, err := catalog.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	return s
}

func TestTailoredApplicability(t *testing.T) {
	lib := catalog.Default()
	s := tailoredSpec(t)
	a, err := lib.ForSpec(s)
	require.NoError(t, err)

	// Overrides land on the engagement's copy, never on the library.
	acc04 := a.Control("ACC-04")
	require.NotNil(t, acc04)
	assert.Equal(t, compliance.FreqMonthly, acc04.Control.Frequency)
	assert.Equal(t, compliance.RiskHigh, acc04.Control.Risk)
	assert.Equal(t, compliance.FreqQuarterly, lib.Control("ACC-04").Frequency)
	assert.Empty(t, lib.Control("ACC-04").Risk)
	assert.Equal(t, "Minutes of the quarterly investor board meeting, security section", a.Control("GOV-05").Control.Evidence)

	// Custom controls are applicable, with their mappings in catalog order
	// and their rationales.
	brt := a.Control("BRT-01")
	require.NotNil(t, brt)
	assert.True(t, brt.Control.Custom)
	assert.Equal(t, []string{"CC6.1", "CC6.7"}, brt.Covers[compliance.SOC2])
	assert.Equal(t, []string{"A.8.3", "A.8.12"}, brt.Covers[compliance.ISO27001])
	assert.Contains(t, brt.Control.Rationale(compliance.SOC2, "CC6.1"), "isolation test")
	assert.Equal(t, compliance.RiskHigh, brt.Control.Risk)
	require.NotNil(t, a.Control("BRT-02"))
	assert.Nil(t, lib.Control("BRT-01"), "the library is not changed")

	// Not applicable: excluded with the client's justification.
	for _, id := range []string{"AST-09", "ACC-16", "DAT-05"} {
		assert.Nil(t, a.Control(id), id)
		i := slices.IndexFunc(a.Excluded, func(e catalog.ExcludedControl) bool { return e.Control.ID == id })
		require.GreaterOrEqual(t, i, 0, id)
		assert.True(t, a.Excluded[i].NotApplicable)
		assert.True(t, strings.HasPrefix(a.Excluded[i].Reason, "not applicable: "), a.Excluded[i].Reason)
		assert.Contains(t, a.Excluded[i].Reason, s.Tailoring.Controls[id].Justification)
	}

	// Inherited: not operated by the client (not in Controls), but it
	// satisfies its requirements, performed by the vendor.
	assert.Nil(t, a.Control("CRY-02"))
	ic := a.InheritedControl("CRY-02")
	require.NotNil(t, ic)
	assert.Equal(t, "Amazon Web Services", ic.Vendor)
	for _, rs := range a.Requirements[compliance.SOC2] {
		if rs.Requirement.ID == "CC6.1" {
			assert.Contains(t, rs.Controls, "CRY-02")
			assert.Contains(t, rs.Controls, "BRT-01")
		}
	}

	assert.Empty(t, a.Unsatisfied(), "the example's tailoring leaves every requirement covered")
	risks, err := lib.TailoringRisks(s)
	require.NoError(t, err)
	assert.Empty(t, risks)

	soa := map[string]catalog.SoAEntry{}
	for _, e := range a.SoA {
		soa[e.ID] = e
	}
	// AST-09 was A.7.13's only control: the client's justification
	// excludes the Annex A control.
	assert.False(t, soa["A.7.13"].Included)
	assert.Contains(t, soa["A.7.13"].Reason, "not applicable by the client's tailoring (AST-09: No on-premises equipment")
	// DAT-05 was not A.8.12's only control any more: BRT-01 implements it.
	assert.True(t, soa["A.8.12"].Included)
	assert.Equal(t, []string{"BRT-01"}, soa["A.8.12"].Controls)
	// CRY-02 is included, performed by AWS.
	assert.True(t, soa["A.8.24"].Included)
	assert.Equal(t, "Amazon Web Services", soa["A.8.24"].PerformedBy["CRY-02"])
	assert.Contains(t, soa["A.8.24"].Reason, "CRY-02 performed by Amazon Web Services (inherited)")
}

// A requirement the tailoring leaves without any control is a scope risk
// naming it and the controls marked not applicable.
func TestTailoringLeavingARequirementUncoveredIsAScopeRisk(t *testing.T) {
	lib := catalog.Default()
	s := tailoredSpec(t)
	var ids []string
	for _, c := range lib.ControlsFor(compliance.SOC2, "CC1.2") {
		ids = append(ids, c.ID)
		s.Tailoring.Controls[c.ID] = compliance.ControlTailoring{NotApplicable: true, Justification: "no board"}
	}
	require.NotEmpty(t, ids)
	risks, err := catalog.AssessScope(s, compliance.Plan{Fits: true})
	require.NoError(t, err)
	i := slices.IndexFunc(risks, func(r compliance.ScopeRisk) bool { return r.Rule == compliance.RuleTailoredUncovered })
	require.GreaterOrEqual(t, i, 0, "%v", risks)
	r := risks[i]
	assert.Equal(t, compliance.SeverityHigh, r.Severity)
	assert.Equal(t, []string{"requirement:soc2:CC1.2"}, r.Systems)
	assert.Contains(t, r.Message, "soc2 CC1.2 has no applicable control after tailoring")
	assert.Contains(t, r.Message, strings.Join(ids, ", ")+" marked not applicable")
}

// Without tailoring, ForSpec is the library's applicability unchanged.
func TestUntailoredSpecUsesTheLibrary(t *testing.T) {
	lib := catalog.Default()
	s, err := catalog.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	tl, err := lib.Tailor(s)
	require.NoError(t, err)
	assert.Same(t, lib, tl)
}

// BenchmarkTailoredApplicability/untailored|tailored: the cost of applying
// a tailoring, on the same client (Brightlane, SOC 2 + ISO 27001) with and
// without its tailoring: section.
func BenchmarkTailoredApplicability(b *testing.B) {
	lib := catalog.Default()
	s, err := catalog.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(b, err)
	plain := *s
	plain.Tailoring = compliance.Tailoring{}
	b.Run("untailored", func(b *testing.B) { benchForSpec(b, lib, &plain) })
	b.Run("tailored", func(b *testing.B) { benchForSpec(b, lib, s) })
}

func benchForSpec(b *testing.B, lib *catalog.Library, s *compliance.Spec) {
	for b.Loop() {
		if _, err := lib.ForSpec(s); err != nil {
			b.Fatal(err)
		}
	}
}

// Only the controls a tailoring change affects are assessed again.
func TestTailoringDelta(t *testing.T) {
	lib := catalog.Default()
	before := tailoredSpec(t)
	after := *before
	after.Tailoring = compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{}, Custom: slices.Clone(before.Tailoring.Custom)}
	for id, ct := range before.Tailoring.Controls {
		after.Tailoring.Controls[id] = ct
	}
	acc04 := after.Tailoring.Controls["ACC-04"]
	acc04.Owner = "priya@brightlane.io"
	after.Tailoring.Controls["ACC-04"] = acc04                                                                // changed override
	delete(after.Tailoring.Controls, "ACC-16")                                                                // applicable again
	after.Tailoring.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "x"} // leaves: nothing to ask
	after.Tailoring.Custom[1].Frequency = compliance.FreqMonthly                                              // custom control changed
	got, err := lib.TailoringDelta(before, &after)
	require.NoError(t, err)
	assert.Equal(t, []string{"ACC-04", "ACC-16", "BRT-02"}, got)

	same, err := lib.TailoringDelta(before, before)
	require.NoError(t, err)
	assert.Empty(t, same)
}

// The controls a tailoring change takes out of scope are exactly those the
// client operated before and does not after; OutOfScope checks any list
// against a spec.
func TestTailoringRemovals(t *testing.T) {
	lib := catalog.Default()
	before := tailoredSpec(t)
	after := *before
	after.Tailoring = compliance.Tailoring{Controls: map[string]compliance.ControlTailoring{}, Custom: slices.Clone(before.Tailoring.Custom[:1])}
	for id, ct := range before.Tailoring.Controls {
		after.Tailoring.Controls[id] = ct
	}
	delete(after.Tailoring.Controls, "ACC-16")                                                                // applicable again: not a removal
	after.Tailoring.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "x"} // leaves
	dropped := before.Tailoring.Custom[1].ID                                                                  // custom control dropped
	got, err := lib.TailoringRemovals(before, &after)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"GOV-07", dropped}, got)

	none, err := lib.TailoringRemovals(before, before)
	require.NoError(t, err)
	assert.Empty(t, none)

	out, err := lib.OutOfScope(&after, []string{"ACC-04", "GOV-07", "ACC-16"})
	require.NoError(t, err)
	assert.Equal(t, []string{"GOV-07"}, out, "the stored spec decides, whatever list is given")
}
