package catalog_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

func TestEveryMappingHasARationale(t *testing.T) {
	l := lib(t)
	if m := l.MissingRationales(); len(m) > 0 {
		t.Errorf("%d mappings have no rationale:\n  %s", len(m), strings.Join(m, "\n  "))
	}
	// Rationales are keyed by the same IDs as the maps: none is left over.
	for _, c := range l.Controls {
		for fw, why := range c.Why {
			for id := range why {
				assert.Contains(t, c.Maps[fw], id, "%s has a rationale for %s %s it does not map", c.ID, fw, id)
			}
		}
	}
}

// TestEveryRequirementIsNamedByARationale is the check that no requirement is
// mapped only through controls whose rationale does not say what they satisfy
// there (catalog.NamesRequirement: the ID or a word of the requirement's title).
func TestEveryRequirementIsNamedByARationale(t *testing.T) {
	l := lib(t)
	if u := l.UnnamedRequirements(); len(u) > 0 {
		t.Errorf("%d requirements are mapped only through rationales that do not name them:\n  %s", len(u), strings.Join(u, "\n  "))
	}
	named, total := 0, 0
	for _, c := range l.Controls {
		for fw, ids := range c.Maps {
			for _, id := range ids {
				total++
				if catalog.NamesRequirement(l.Requirement(fw, id), c.Rationale(fw, id)) {
					named++
				}
			}
		}
	}
	t.Logf("%d of %d rationales name their requirement by ID or title word", named, total)
}

func TestNamesRequirement(t *testing.T) {
	r := &catalog.Requirement{ID: "8.3", Title: "Strong authentication for users"}
	for why, want := range map[string]bool{
		"see 8.3 for the rule":                  true,
		"users authenticate with two factors":   true,  // "authenticate" meets "authentication"
		"passwords are long":                    false, // no title word
		"see 8.3.6 for length":                  false, // a child's ID is not this ID
		"the and for with":                      false,
		"":                                      false,
		"Authentication is enforced everywhere": true,
	} {
		assert.Equal(t, want, catalog.NamesRequirement(r, why), why)
	}
}

func TestControlMapsLoadInBothForms(t *testing.T) {
	src := `
- id: OLD-01
  title: Old form
  maps:
    soc2: [CC6.1, CC6.2]
- id: NEW-01
  title: New form
  maps:
    soc2:
      CC6.2: "registration: approved first"
      CC6.1: second in file order
    pci-dss: []
`
	var cs []*catalog.Control
	require.NoError(t, yaml.Unmarshal([]byte(src), &cs))
	require.Len(t, cs, 2)
	assert.Equal(t, []string{"CC6.1", "CC6.2"}, cs[0].Maps[compliance.SOC2])
	assert.Empty(t, cs[0].Rationale(compliance.SOC2, "CC6.1"))
	assert.Equal(t, "Old form", cs[0].Title)
	assert.Equal(t, []string{"CC6.2", "CC6.1"}, cs[1].Maps[compliance.SOC2], "file order is kept")
	assert.Equal(t, "registration: approved first", cs[1].Rationale(compliance.SOC2, "CC6.2"))
	assert.Empty(t, cs[1].Maps[compliance.PCIDSS])

	for name, bad := range map[string]string{
		"unknown field":  "- id: X\n  titel: typo\n",
		"duplicate ID":   "- id: X\n  maps:\n    soc2:\n      CC6.1: a\n      CC6.1: b\n",
		"nested value":   "- id: X\n  maps:\n    soc2:\n      CC6.1: {why: a}\n",
		"scalar mapping": "- id: X\n  maps:\n    soc2: CC6.1\n",
	} {
		var cs []*catalog.Control
		assert.Error(t, yaml.Unmarshal([]byte(bad), &cs), name)
	}
}

var pairsOfFrameworks = [][2]compliance.FrameworkID{
	{compliance.SOC2, compliance.ISO27001}, {compliance.SOC2, compliance.PCIDSS}, {compliance.PCIDSS, compliance.ISO27001},
}

func TestCrosswalkIsStableAcrossRuns(t *testing.T) {
	a, b := lib(t), lib(t) // two independent loads: no shared maps to hide nondeterminism
	for _, p := range pairsOfFrameworks {
		x1, err := a.Crosswalk(p[0], p[1])
		require.NoError(t, err)
		for range 5 {
			x2, err := b.Crosswalk(p[0], p[1])
			require.NoError(t, err)
			require.Equal(t, x1, x2, "%s to %s differs between runs", p[0], p[1])
		}
		// The order is the catalogs' order, then control IDs.
		pos := func(fw compliance.FrameworkID, id string) int {
			for i, r := range a.Framework(fw).Requirements {
				if r.ID == id {
					return i
				}
			}
			t.Fatalf("%s %s not in catalog", fw, id)
			return -1
		}
		for i := 1; i < len(x1.Pairs); i++ {
			prev, cur := x1.Pairs[i-1], x1.Pairs[i]
			pf, cf := pos(p[0], prev.From), pos(p[0], cur.From)
			require.True(t, pf < cf || pf == cf && pos(p[1], prev.To) < pos(p[1], cur.To), "pair %d out of order", i)
		}
		t.Logf("%s to %s: %d pairs", p[0], p[1], len(x1.Pairs))
	}
}

func TestCrosswalkPairsAreExactlyTheSharedControls(t *testing.T) {
	l := lib(t)
	for _, p := range pairsOfFrameworks {
		want := map[string]bool{}
		for _, c := range l.Controls {
			for _, f := range c.Maps[p[0]] {
				for _, to := range c.Maps[p[1]] {
					want[f+" "+to+" "+c.ID] = true
				}
			}
		}
		xw, err := l.Crosswalk(p[0], p[1])
		require.NoError(t, err)
		got := map[string]bool{}
		for _, pr := range xw.Pairs {
			require.NotEmpty(t, pr.Links)
			for i, k := range pr.Links {
				if i > 0 {
					assert.Less(t, pr.Links[i-1].Control, k.Control)
				}
				got[pr.From+" "+pr.To+" "+k.Control] = true
				c := l.Control(k.Control)
				assert.Equal(t, c.Rationale(p[0], pr.From), k.FromWhy)
				assert.Equal(t, c.Rationale(p[1], pr.To), k.ToWhy)
				assert.NotEmpty(t, k.FromWhy)
				assert.NotEmpty(t, k.ToWhy)
			}
		}
		assert.Equal(t, want, got, "%s to %s", p[0], p[1])
	}
	_, err := l.Crosswalk(compliance.SOC2, compliance.SOC2)
	assert.Error(t, err)
	_, err = l.Crosswalk(compliance.SOC2, "nist")
	assert.Error(t, err)
}

func TestExportCarriesEveryRationale(t *testing.T) {
	l := lib(t)
	for _, ec := range l.Export().Controls {
		for fw, ids := range ec.Maps {
			for _, id := range ids {
				assert.NotEmpty(t, ec.Why[fw][id], "export of %s lacks the rationale for %s %s", ec.ID, fw, id)
			}
		}
	}
}

// TestRationaleChecksCatchBadData plants the two faults the shipped-library
// tests guard against, so those tests cannot pass vacuously.
func TestRationaleChecksCatchBadData(t *testing.T) {
	base := lib(t)
	good := *base.Control("ACC-10")
	vague := good
	vague.ID = "ZZZ-01"
	vague.Maps = map[compliance.FrameworkID][]string{compliance.ISO27001: {"A.8.18"}, compliance.SOC2: {"CC6.1"}}
	vague.Why = map[compliance.FrameworkID]map[string]string{
		compliance.ISO27001: {"A.8.18": "helps keep things safe"}, // names nothing of A.8.18
	} // and CC6.1 has no rationale at all
	l, err := catalog.New(base.Frameworks, []*catalog.Control{&good, &vague})
	require.NoError(t, err)
	assert.Equal(t, []string{"ZZZ-01 soc2:CC6.1"}, l.MissingRationales())
	assert.Equal(t, []string{"iso27001:A.8.18"}, l.UnnamedRequirements())
}
