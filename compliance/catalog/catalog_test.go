package catalog_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

func lib(t testing.TB) *catalog.Library {
	t.Helper()
	l, err := catalog.Load()
	require.NoError(t, err)
	return l
}

func count(fc *catalog.FrameworkCatalog, keep func(*catalog.Requirement) bool) int {
	n := 0
	for _, r := range fc.Requirements {
		if keep(r) {
			n++
		}
	}
	return n
}

func TestCountsPerFramework(t *testing.T) {
	l := lib(t)
	soc2 := l.Framework(compliance.SOC2)
	assert.Len(t, soc2.Requirements, 61)
	for cat, want := range map[compliance.TSCCategory]int{
		compliance.CategorySecurity: 33, compliance.CategoryAvailability: 3, compliance.CategoryConfidentiality: 2,
		compliance.CategoryProcessingIntegrity: 5, compliance.CategoryPrivacy: 18,
	} {
		assert.Equal(t, want, count(soc2, func(r *catalog.Requirement) bool { return r.Category == cat }), "SOC 2 %s criteria", cat)
	}

	iso := l.Framework(compliance.ISO27001)
	assert.Len(t, iso.Requirements, 127)
	assert.Equal(t, 34, count(iso, func(r *catalog.Requirement) bool { return r.Kind == catalog.KindClause }))
	for theme, want := range map[catalog.Theme]int{
		catalog.ThemeOrganizational: 37, catalog.ThemePeople: 8, catalog.ThemePhysical: 14, catalog.ThemeTechnological: 34,
	} {
		assert.Equal(t, want, count(iso, func(r *catalog.Requirement) bool { return r.Theme == theme }), "Annex A %s", theme)
	}

	pci := l.Framework(compliance.PCIDSS)
	assert.Len(t, pci.Requirements, 366)
	assert.Equal(t, 15, count(pci, func(r *catalog.Requirement) bool { return r.Kind == catalog.KindPrincipal }))
	assert.Equal(t, 280, count(pci, func(r *catalog.Requirement) bool { return r.Kind == catalog.KindTestable }))
	assert.Equal(t, 251, count(pci, func(r *catalog.Requirement) bool {
		return r.Kind == catalog.KindTestable && len(l.Children(compliance.PCIDSS, r.ID)) == 0
	}), "testable requirements with no numbered child")
	// 51 requirements were future-dated in v4.0 (mandatory since 31 March 2025).
	fd := count(pci, func(r *catalog.Requirement) bool { return r.FutureDated })
	assert.Equal(t, 51, fd)
	assert.Equal(t, "4.0.1", pci.Version)
}

var idPatterns = map[compliance.FrameworkID]*regexp.Regexp{
	compliance.SOC2:     regexp.MustCompile(`^(CC[1-9]|A1|C1|PI1|P[1-8])\.[1-9]$`),
	compliance.ISO27001: regexp.MustCompile(`^((?:[4-9]|10)\.[1-9](?:\.[1-9])?|A\.[5-8]\.[1-9][0-9]?)$`),
	compliance.PCIDSS:   regexp.MustCompile(`^(?:[1-9]|1[0-2]|A[1-3])(?:\.[1-9][0-9]?){0,4}$`),
}

func TestIDsWellFormedWithParents(t *testing.T) {
	l := lib(t)
	for _, fc := range l.Frameworks {
		for _, r := range fc.Requirements {
			assert.Regexp(t, idPatterns[fc.ID], r.ID, "%s ID", fc.ID)
			switch {
			case fc.ID == compliance.PCIDSS && r.Depth() > 1,
				fc.ID == compliance.ISO27001 && r.Kind == catalog.KindClause && r.Depth() > 2:
				want := r.ID[:strings.LastIndex(r.ID, ".")]
				assert.Equal(t, want, r.Parent, "%s %s has no parent in the catalog", fc.ID, r.ID)
				assert.NotNil(t, l.Requirement(fc.ID, r.Parent))
			default:
				assert.Empty(t, r.Parent, "%s %s is top-level", fc.ID, r.ID)
			}
		}
	}
}

func TestFullCoverage(t *testing.T) {
	l := lib(t)
	if u := l.Uncovered(); len(u) > 0 {
		t.Errorf("%d requirements no control satisfies:\n  %s", len(u), strings.Join(u, "\n  "))
	}
	// The bar, spelled out: every SOC 2 Security criterion, every ISO
	// clause and Annex A control, every PCI testable requirement.
	for _, fc := range l.Frameworks {
		for _, r := range fc.Requirements {
			must := r.Category == compliance.CategorySecurity || fc.ID == compliance.ISO27001 || r.Kind == catalog.KindTestable
			if must && !l.Covered(r) {
				t.Errorf("%s is not covered", r.Ref())
			}
		}
	}
}

func TestControlsWellFormed(t *testing.T) {
	l := lib(t)
	assert.GreaterOrEqual(t, len(l.Controls), 120)
	assert.LessOrEqual(t, len(l.Controls), 200)
	idRe := regexp.MustCompile(`^[A-Z]{3}-\d{2}$`)
	seen := map[string]bool{}
	for _, c := range l.Controls {
		assert.Regexp(t, idRe, c.ID)
		assert.False(t, seen[c.ID], "duplicate control %s", c.ID)
		seen[c.ID] = true
		assert.Positive(t, c.MappedCount(), "%s maps no requirement", c.ID)
		assert.Contains(t, compliance.Domains, c.Domain, c.ID)
		assert.Contains(t, compliance.Frequencies, c.Frequency, c.ID)
		assert.Contains(t, catalog.ControlTypes, c.Type, c.ID)
		assert.NotEmpty(t, c.Owner, c.ID)
		assert.GreaterOrEqual(t, len(strings.Fields(c.Description)), 12, "%s description is a paragraph", c.ID)
		assert.Contains(t, c.Description, "auditor", "%s says how an auditor tests it", c.ID)
		assert.NotEmpty(t, c.Evidence, c.ID)
		for fw, ids := range c.Maps {
			for _, id := range ids {
				assert.NotNil(t, l.Requirement(fw, id), "%s maps unknown %s %s", c.ID, fw, id)
			}
		}
	}
}

func TestDuplicateControlIDRejected(t *testing.T) {
	l := lib(t)
	c := *l.Controls[0]
	_, err := catalog.New(l.Frameworks, append(l.Controls[:1:1], &c))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "duplicate ID")
}

func TestBadMappingRejectedWithContext(t *testing.T) {
	l := lib(t)
	bad := *l.Controls[0]
	bad.Maps = map[compliance.FrameworkID][]string{compliance.PCIDSS: {"8.3.99"}}
	bad.Frequency = "fortnightly"
	_, err := catalog.New(l.Frameworks, []*catalog.Control{&bad})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"8.3.99", which is not in the catalog`)
	assert.Contains(t, err.Error(), `frequency "fortnightly"`)
}

// Labels are short names of our own. Standards' text reads as sentences with
// normative verbs ("shall") or the AICPA's "The entity …"; neither belongs here.
func TestLabelsShortAndOurOwn(t *testing.T) {
	l := lib(t)
	check := func(where, title string) {
		assert.LessOrEqual(t, len([]rune(title)), catalog.MaxTitleChars, where)
		assert.LessOrEqual(t, len(strings.Fields(title)), catalog.MaxTitleWords, where)
		assert.NotContains(t, strings.ToLower(title), "shall", where)
		assert.False(t, strings.HasPrefix(title, "The entity"), where)
		assert.False(t, strings.HasSuffix(title, "."), "%s: a label, not a sentence", where)
	}
	for _, fc := range l.Frameworks {
		for _, r := range fc.Requirements {
			check(r.Ref(), r.Title)
		}
	}
	for _, c := range l.Controls {
		check(c.ID, c.Title)
		assert.NotContains(t, strings.ToLower(c.Description), " shall ", c.ID)
		assert.NotContains(t, c.Description, "The entity", c.ID)
	}
}

func TestFind(t *testing.T) {
	l := lib(t)
	ms := l.Find("acc-04")
	require.Len(t, ms, 1)
	assert.Equal(t, "ACC-04", ms[0].Control.ID)

	ms = l.Find("a.8.32")
	require.Len(t, ms, 1)
	assert.Equal(t, "A.8.32", ms[0].Requirement.ID)

	assert.Len(t, l.Find("A1.1"), 2, "SOC 2 A1.1 and PCI DSS A1.1")
	ms = l.Find("pci-dss:A1.1")
	require.Len(t, ms, 1)
	assert.Equal(t, compliance.PCIDSS, ms[0].Requirement.Framework)
	assert.Empty(t, l.Find("ZZZ-99"))
	assert.Empty(t, l.Find(""))
}

func TestExportShape(t *testing.T) {
	l := lib(t)
	b, err := json.Marshal(l.Export())
	require.NoError(t, err)
	var doc struct {
		Frameworks []struct {
			ID           string `json:"id"`
			Version      string `json:"version"`
			Requirements []struct {
				ID    string `json:"id"`
				Title string `json:"title"`
				Kind  string `json:"kind"`
			} `json:"requirements"`
		} `json:"frameworks"`
		Controls []struct {
			ID        string              `json:"id"`
			Title     string              `json:"title"`
			Frequency string              `json:"frequency"`
			Maps      map[string][]string `json:"maps"`
		} `json:"controls"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	require.Len(t, doc.Frameworks, 3)
	for i, id := range []string{"soc2", "iso27001", "pci-dss"} {
		f := doc.Frameworks[i]
		assert.Equal(t, id, f.ID)
		assert.NotEmpty(t, f.Version)
		require.NotEmpty(t, f.Requirements)
		for _, r := range f.Requirements {
			assert.NotEmpty(t, r.ID)
			assert.NotEmpty(t, r.Title)
			assert.NotEmpty(t, r.Kind)
		}
	}
	assert.Equal(t, "CC1.1", doc.Frameworks[0].Requirements[0].ID)
	assert.Equal(t, "criterion", doc.Frameworks[0].Requirements[0].Kind)
	require.Len(t, doc.Controls, len(l.Controls))
	for _, c := range doc.Controls {
		assert.NotEmpty(t, c.ID)
		assert.NotEmpty(t, c.Title)
		assert.NotEmpty(t, c.Frequency)
		assert.Len(t, c.Maps, 3, "%s maps every framework key", c.ID)
		for _, k := range []string{"soc2", "iso27001", "pci-dss"} {
			assert.NotNil(t, c.Maps[k], "%s maps.%s is a list", c.ID, k)
		}
	}
	// The raw text holds the documented keys exactly.
	for _, key := range []string{`"frameworks":`, `"requirements":`, `"kind":"criterion"`, `"controls":`, `"maps":{"iso27001":`, `"pci-dss":[`} {
		assert.Contains(t, string(b), key)
	}
}

// TestMeasurements logs the sharing figures the issue asks to report.
func TestMeasurements(t *testing.T) {
	st := lib(t).Stats()
	for _, f := range st.Frameworks {
		t.Logf("%-9s %3d requirements: controls/requirement mean %.2f max %d (%s); requirements/control mean %.2f max %d (%s)",
			f.Framework, f.Requirements, f.ControlsPerRequirement.Mean, f.ControlsPerRequirement.Max, f.ControlsPerRequirement.MaxID,
			f.RequirementsPerControl.Mean, f.RequirementsPerControl.Max, f.RequirementsPerControl.MaxID)
		assert.GreaterOrEqual(t, f.ControlsPerRequirement.Mean, 1.0)
	}
	t.Logf("requirements/control across frameworks: mean %.2f max %d (%s)", st.RequirementsPerControl.Mean, st.RequirementsPerControl.Max, st.RequirementsPerControl.MaxID)
	t.Logf("controls serving 1/2/3 frameworks: %d/%d/%d; two or more %.1f%%, all three %.1f%%",
		st.ByFrameworkCount[1], st.ByFrameworkCount[2], st.ByFrameworkCount[3], 100*st.ShareTwoOrMore, 100*st.ShareThree)
	assert.Equal(t, st.Controls, st.ByFrameworkCount[1]+st.ByFrameworkCount[2]+st.ByFrameworkCount[3])
	assert.Zero(t, st.ByFrameworkCount[0])
}

func FuzzFind(f *testing.F) {
	l, err := catalog.Load()
	require.NoError(f, err)
	for _, s := range []string{"ACC-04", "cc6.1", "A1.1", "pci-dss:A1.1", "iso27001:a.8.32", ":", "8.3.6", " 12.10.7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		for _, m := range l.Find(q) {
			id := q
			if i := strings.Index(id, ":"); i >= 0 {
				id = id[i+1:]
			}
			id = strings.TrimSpace(id)
			switch {
			case m.Control != nil:
				assert.True(t, strings.EqualFold(m.Control.ID, id))
			case m.Requirement != nil:
				assert.True(t, strings.EqualFold(m.Requirement.ID, id))
			default:
				t.Fatal("empty match")
			}
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := catalog.Load(); err != nil {
			b.Fatal(err)
		}
	}
}
