package catalog_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// saasStartup mirrors examples/saas-startup.yaml in spirit: SOC 2 Security
// and Availability, everything in the cloud, no office in scope.
func saasStartup() *compliance.Spec {
	return &compliance.Spec{
		ID:         "acme",
		Frameworks: []compliance.Framework{{ID: compliance.SOC2, Report: compliance.Type2, Categories: []compliance.TSCCategory{compliance.CategorySecurity, compliance.CategoryAvailability}}},
		Systems: []compliance.System{
			{Name: "app", Kind: compliance.KindApplication, Scope: compliance.ScopeIn, Data: []compliance.DataClass{compliance.DataCustomer}},
			{Name: "aws", Kind: compliance.KindCloudInfra, Scope: compliance.ScopeIn},
			{Name: "office", Kind: compliance.KindPhysical, Scope: compliance.ScopeExcluded},
		},
	}
}

// paymentsCo is a PCI service provider (ROC) also doing SOC 2 and ISO 27001.
func paymentsCo() *compliance.Spec {
	return &compliance.Spec{
		ID: "pay",
		Frameworks: []compliance.Framework{
			{ID: compliance.SOC2, Categories: []compliance.TSCCategory{compliance.CategorySecurity, compliance.CategoryConfidentiality}},
			{ID: compliance.ISO27001},
			{ID: compliance.PCIDSS, Entity: compliance.ServiceProvider, Assessment: compliance.ROC},
		},
		Systems: []compliance.System{
			{Name: "vault", Kind: compliance.KindDatabase, Scope: compliance.ScopeIn, CDE: true},
			{Name: "hq", Kind: compliance.KindPhysical, Scope: compliance.ScopeIn},
		},
	}
}

// shopSAQA is an e-commerce merchant that outsources its payment page.
func shopSAQA() *compliance.Spec {
	return &compliance.Spec{
		ID:         "shop",
		Frameworks: []compliance.Framework{{ID: compliance.PCIDSS, Entity: compliance.Merchant, Assessment: compliance.SAQ, SAQ: compliance.SAQA}},
		Systems:    []compliance.System{{Name: "site", Kind: compliance.KindApplication, Scope: compliance.ScopeIn}},
	}
}

func apply(t testing.TB, s *compliance.Spec) *catalog.Applicability {
	t.Helper()
	a, err := lib(t).ForSpec(s)
	require.NoError(t, err)
	require.Empty(t, a.Unsatisfied(), "applicable requirements with no applicable control")
	return a
}

func controlIDs(a *catalog.Applicability) []string {
	var ids []string
	for _, ac := range a.Controls {
		ids = append(ids, ac.Control.ID)
	}
	return ids
}

func reqScope(a *catalog.Applicability, fw compliance.FrameworkID, id string) catalog.RequirementScope {
	for _, r := range a.Requirements[fw] {
		if r.Requirement.ID == id {
			return r
		}
	}
	panic("no requirement " + id)
}

func TestApplicabilitySaaSStartup(t *testing.T) {
	a := apply(t, saasStartup())
	assert.Equal(t, []compliance.FrameworkID{compliance.SOC2}, a.Scope.FrameworkIDs())
	assert.Len(t, a.Applicable(compliance.SOC2), 33+3, "security and availability criteria")
	p := reqScope(a, compliance.SOC2, "P1.1")
	assert.False(t, p.Applies)
	assert.Contains(t, p.Reason, "privacy")

	ids := controlIDs(a)
	assert.Contains(t, ids, "ACC-04")
	assert.Contains(t, ids, "PHY-07", "hosting provider assurance covers physical access")
	assert.NotContains(t, ids, "PHY-01", "the office is excluded from scope")
	for _, id := range ids {
		assert.False(t, strings.HasPrefix(id, "CHD-"), "%s is a card-data control", id)
		assert.NotEqual(t, "RSK-05", id)
	}
	assert.Nil(t, a.SoA, "no ISO 27001, no Statement of Applicability")
	for _, ac := range a.Controls {
		assert.NotEmpty(t, ac.Covers[compliance.SOC2], ac.Control.ID)
	}
	for _, ex := range a.Excluded {
		assert.NotEmpty(t, ex.Reason, ex.Control.ID)
	}
}

func TestApplicabilityPaymentsCo(t *testing.T) {
	a := apply(t, paymentsCo())
	ids := controlIDs(a)
	for _, id := range []string{"CHD-03", "CHD-05", "CHD-07", "CRY-06", "PHY-01", "ACC-15"} {
		assert.Contains(t, ids, id)
	}
	assert.NotContains(t, ids, "PHY-09", "no card-present terminals")
	assert.NotContains(t, ids, "CHD-08", "no early TLS terminals")

	assert.True(t, reqScope(a, compliance.PCIDSS, "8.3.10").Applies, "service-provider requirement")
	a2 := reqScope(a, compliance.PCIDSS, "A2.1.1")
	assert.False(t, a2.Applies)
	assert.Contains(t, a2.Reason, "early TLS")
	assert.False(t, reqScope(a, compliance.PCIDSS, "A3").Applies)
	assert.True(t, reqScope(a, compliance.PCIDSS, "A1").Applies)

	require.Len(t, a.SoA, 93, "every Annex A control appears in the SoA")
	for _, e := range a.SoA {
		assert.True(t, e.Included, "%s: an office is in scope, so nothing is excluded", e.ID)
		assert.NotEmpty(t, e.Controls, e.ID)
		assert.True(t, strings.HasPrefix(e.Reason, "Included: "), e.ID)
	}
}

func TestStatementOfApplicabilityExcludesPhysicalWithoutSite(t *testing.T) {
	s := saasStartup()
	s.Frameworks = append(s.Frameworks, compliance.Framework{ID: compliance.ISO27001})
	a := apply(t, s)
	require.Len(t, a.SoA, 93)
	byID := map[string]catalog.SoAEntry{}
	for _, e := range a.SoA {
		byID[e.ID] = e
	}
	assert.False(t, byID["A.7.2"].Included)
	assert.Contains(t, byID["A.7.2"].Reason, "Excluded: no office or facility is in scope")
	assert.True(t, byID["A.7.7"].Included, "clear desk applies to remote staff too")
	assert.True(t, byID["A.8.32"].Included)
	assert.Contains(t, byID["A.8.32"].Reason, "CHG-01")
}

func TestApplicabilitySAQAOnlyTaggedRequirements(t *testing.T) {
	a := apply(t, shopSAQA())
	applicable := a.Applicable(compliance.PCIDSS)
	var testable []string
	for _, r := range applicable {
		if r.Requirement.Kind == catalog.KindTestable {
			testable = append(testable, r.Requirement.ID)
			assert.Contains(t, r.Requirement.SAQ, compliance.SAQA, r.Requirement.ID)
		}
	}
	assert.Contains(t, testable, "8.3.6")
	assert.Contains(t, testable, "12.8.4")
	assert.NotContains(t, testable, "10.2.1")
	r := reqScope(a, compliance.PCIDSS, "10.2.1")
	assert.Equal(t, "not part of SAQ A", r.Reason)
	assert.Less(t, len(a.Controls), 40, "SAQ A needs a small control set")
}

func TestApplicabilityCardPresent(t *testing.T) {
	s := shopSAQA()
	s.Frameworks[0].SAQ = compliance.SAQB
	a := apply(t, s)
	assert.True(t, reqScope(a, compliance.PCIDSS, "9.5.1.2").Applies)
	assert.Contains(t, controlIDs(a), "PHY-09")
}

func TestApplicabilityRejectsEmptyScope(t *testing.T) {
	_, err := lib(t).ForSpec(&compliance.Spec{})
	require.Error(t, err)
	_, err = lib(t).Apply(catalog.Scope{Frameworks: []compliance.Framework{{ID: "hipaa"}}})
	require.ErrorContains(t, err, `unknown framework "hipaa"`)
}

// The examples shipped with the repo must each produce a complete scope.
func TestApplicabilityExampleSpecs(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files, "examples/*.yaml")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			s, err := compliance.LoadSpec(f)
			require.NoError(t, err)
			a := apply(t, s)
			assert.NotEmpty(t, a.Controls)
			if s.HasFramework(compliance.ISO27001) {
				assert.Len(t, a.SoA, 93)
			}
		})
	}
}

func TestDeltaAddISOToSOC2(t *testing.T) {
	l := lib(t)
	sc := catalog.ScopeOf(saasStartup())
	d, err := l.Delta(sc, compliance.Framework{ID: compliance.ISO27001})
	require.NoError(t, err)

	after, err := l.Apply(catalog.Scope{Frameworks: append(slices.Clone(sc.Frameworks), compliance.Framework{ID: compliance.ISO27001})})
	require.NoError(t, err)
	applicable := 0
	for _, r := range after.Applicable(compliance.ISO27001) {
		if r.Requirement.Assessable() {
			applicable++
		}
	}
	assert.Equal(t, applicable, len(d.Satisfied)+len(d.Partial)+len(d.Uncovered), "every applicable ISO requirement is classified once")
	assert.Equal(t, 127, applicable+d.NotApplicable)
	assert.Greater(t, len(d.Satisfied), applicable*3/4, "a SOC 2 programme already satisfies most of ISO 27001")

	before, err := l.Apply(sc)
	require.NoError(t, err)
	for _, c := range d.NewControls {
		assert.Nil(t, before.Control(c.ID), "%s already runs; it must not be built twice", c.ID)
		assert.NotEmpty(t, c.Maps[compliance.ISO27001], c.ID)
	}
	for _, c := range d.Reused {
		assert.NotNil(t, before.Control(c.ID), c.ID)
	}
	for _, r := range d.Satisfied {
		assert.NotEmpty(t, r.Existing)
		assert.Empty(t, r.New)
	}
	for _, r := range d.Partial {
		assert.NotEmpty(t, r.Existing)
		assert.NotEmpty(t, r.New)
	}
	// Privacy of personal data is where SOC 2 Security alone falls short:
	// breach notification (INC-09) runs already, the privacy controls are new.
	var uncovered []string
	for _, r := range d.Uncovered {
		uncovered = append(uncovered, r.Requirement.ID)
	}
	var privacy []string
	for _, r := range d.Partial {
		if r.Requirement.ID == "A.5.34" {
			privacy = r.New
		}
	}
	assert.Contains(t, privacy, "PRV-01", "A.5.34 needs the privacy controls added")
	assert.Contains(t, uncovered, "A.6.6", "confidentiality agreements are not SOC 2 Security")
	assert.NotContains(t, uncovered, "A.8.32", "change management already runs")

	_, err = l.Delta(sc, compliance.Framework{ID: compliance.SOC2})
	require.ErrorContains(t, err, "already includes soc2")
}

func BenchmarkApplicability(b *testing.B) {
	l := lib(b)
	sc := catalog.ScopeOf(paymentsCo())
	for b.Loop() {
		if _, err := l.Apply(sc); err != nil {
			b.Fatal(err)
		}
	}
}
