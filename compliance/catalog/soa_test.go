package catalog_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// isoWithOffice is an ISO 27001-only engagement with an office in scope, so
// every Annex A control applies until the client excludes one.
func isoWithOffice() *compliance.Spec {
	return &compliance.Spec{
		ID:         "iso-co",
		Frameworks: []compliance.Framework{{ID: compliance.ISO27001, Version: compliance.ISO27001Version}},
		Systems: []compliance.System{
			{Name: "office", Kind: compliance.KindPhysical, Environment: compliance.EnvCorporate, Data: []compliance.DataClass{compliance.DataNone}, Scope: compliance.ScopeIn},
		},
		Risks: []compliance.Risk{
			{ID: "R-01", Title: "Break-in", Owner: "ops", Treatment: compliance.TreatMitigate, Controls: []string{"A.7.4", "A.7.2"}},
			{ID: "R-02", Title: "Data loss", Owner: "cto", Treatment: compliance.TreatMitigate, Controls: []string{"A.8.13"}},
		},
	}
}

func soaByID(a *catalog.Applicability) map[string]catalog.SoAEntry {
	out := map[string]catalog.SoAEntry{}
	for _, e := range a.SoA {
		out[e.ID] = e
	}
	return out
}

func TestSoAJustifiedByRisks(t *testing.T) {
	a := apply(t, isoWithOffice())
	soa := soaByID(a)
	assert.Equal(t, []string{"R-02"}, soa["A.8.13"].Risks)
	assert.Contains(t, soa["A.8.13"].Reason, "Included: treats risks R-02; implemented by ")
	// No risk names A.5.1 and ISO is the only framework: the line says so
	// instead of claiming a risk it does not have.
	assert.Empty(t, soa["A.5.1"].Risks)
	assert.Contains(t, soa["A.5.1"].Reason, "no risk in the register relies on it yet")
}

func TestSoARequirementsJustifyToo(t *testing.T) {
	s := isoWithOffice()
	s.Frameworks = append(s.Frameworks, compliance.Framework{ID: compliance.SOC2, Report: compliance.Type1, Categories: []compliance.TSCCategory{compliance.CategorySecurity}, Version: compliance.SOC2Version})
	e := soaByID(apply(t, s))["A.8.32"]
	assert.Contains(t, e.Requirements, "soc2:CC8.1", "change management is a SOC 2 requirement as well")
	assert.Contains(t, e.Reason, "required by ")
}

func TestSoAExclusionFlowsIntoApplicability(t *testing.T) {
	before := apply(t, isoWithOffice())
	s := isoWithOffice()
	s.Frameworks[0].Exclusions = []compliance.AnnexAExclusion{{Control: "A.7.4", Justification: "a shared office whose landlord monitors entry"}}
	after := apply(t, s)

	e := soaByID(after)["A.7.4"]
	assert.False(t, e.Included)
	assert.Equal(t, "Excluded: excluded by the client: a shared office whose landlord monitors entry", e.Reason)
	assert.Equal(t, []string{"R-01"}, e.Risks, "the risk that needs it is still shown")
	assert.Equal(t, []string{"R-01 needs A.7.4"}, after.SoAExcludedNeeded())
	assert.Empty(t, before.SoAExcludedNeeded())

	// Controls that only implemented A.7.4 leave the engagement, so the gap
	// assessment does not ask anyone about them.
	var dropped []string
	for _, ac := range before.Controls {
		if after.Control(ac.Control.ID) == nil {
			dropped = append(dropped, ac.Control.ID)
			assert.Equal(t, []string{"A.7.4"}, ac.Covers[compliance.ISO27001], ac.Control.ID)
		}
	}
	require.NotEmpty(t, dropped, "some control implements only A.7.4")
	for _, ex := range after.Excluded {
		if slices.Contains(dropped, ex.Control.ID) {
			assert.Contains(t, ex.Reason, "satisfies no applicable requirement")
		}
	}
}

func TestSpecRefsOfExamplesExist(t *testing.T) {
	files, err := filepath.Glob("../../examples/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		s, err := compliance.LoadSpec(f)
		require.NoError(t, err)
		assert.Empty(t, catalog.Default().CheckSpecRefs(s), f)
	}
	s := isoWithOffice()
	s.Risks[0].Controls = []string{"A.5.99"}
	s.Vendors = []compliance.Vendor{{Name: "x", MonitoredBy: []string{"VND-99"}}}
	assert.Equal(t, []string{
		"vendors[0].monitored_by[0]: VND-99 is not a control in the library",
		"risks[0].controls[0]: A.5.99 is not an ISO 27001:2022 Annex A control",
	}, catalog.Default().CheckSpecRefs(s))
}

// A bad control reference in a vendor or a risk fails loading with the
// line and column where it was written, as engage reports it.
func TestLoadSpecPositionsBadReferences(t *testing.T) {
	data, err := os.ReadFile("../../examples/kelp-health.yaml")
	require.NoError(t, err)
	text := string(data)
	require.Contains(t, text, "monitored_by: [VND-04]")
	text = strings.Replace(text, "monitored_by: [VND-04]", "monitored_by: [VND-94]", 1)
	dir := t.TempDir()
	path := filepath.Join(dir, "kelp.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	_, err = catalog.LoadSpec(path)
	require.Error(t, err)
	var es compliance.SpecErrors
	require.ErrorAs(t, err, &es)
	require.Len(t, es, 1, "%v", err)
	line := strings.Count(text[:strings.Index(text, "VND-94")], "\n") + 1
	assert.Equal(t, line, es[0].Line)
	assert.Regexp(t, `^kelp\.yaml:\d+:\d+: vendors\[\d\]\.monitored_by\[0\]: VND-94 is not a control in the library$`, err.Error())

	// The examples load clean.
	_, err = catalog.LoadSpec("../../examples/kelp-health.yaml")
	require.NoError(t, err)
}

// FuzzParseSpecChecked runs the library's reference check on whatever
// parses: it never panics, and a spec it refuses is refused with spec
// errors (every reference problem placed at a line of the file).
func FuzzParseSpecChecked(f *testing.F) {
	files, err := filepath.Glob("../../examples/*.yaml")
	require.NoError(f, err)
	for _, name := range files {
		data, err := os.ReadFile(name)
		require.NoError(f, err)
		f.Add(data)
		f.Add([]byte(strings.Replace(string(data), "VND-0", "VND-9", 1)))
	}
	lib := catalog.Default()
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := compliance.ParseSpecWith("fuzz.yaml", data, lib)
		if err == nil {
			require.NotNil(t, s)
			require.Empty(t, lib.SpecRefs(s), "a spec with dangling references was accepted")
			return
		}
		var es compliance.SpecErrors
		require.ErrorAs(t, err, &es)
		require.NotEmpty(t, es)
	})
}
