package gaps_test

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
)

var auditable = gaps.Auditability{EvidenceExists: true, Sampleable: true}

// smallLibrary builds a library from the real framework catalogs and two
// synthetic controls, so the ranking property is tested on exactly the
// controls the issue describes.
func smallLibrary(t *testing.T) (*catalog.Library, *catalog.Applicability) {
	t.Helper()
	real, err := catalog.Load()
	require.NoError(t, err)
	controls := []*catalog.Control{
		{ID: "WID-01", Title: "Widely mapped review", Description: "x", Evidence: "x", Owner: "x",
			Domain: compliance.DomainAccess, Type: catalog.TypeProcedure, Frequency: compliance.FreqMonthly, Automated: false,
			Maps: map[compliance.FrameworkID][]string{
				compliance.SOC2:     {"CC6.1", "CC6.2", "CC6.3"},
				compliance.ISO27001: {"A.5.15", "A.5.18", "A.8.2"},
				compliance.PCIDSS:   {"7.2.1", "7.2.2", "7.2.4"},
			}},
		{ID: "ANN-01", Title: "Annual policy review", Description: "x", Evidence: "x", Owner: "x",
			Domain: compliance.DomainGovernance, Type: catalog.TypePolicy, Frequency: compliance.FreqAnnual, Automated: true,
			Maps: map[compliance.FrameworkID][]string{compliance.SOC2: {"CC5.3"}}},
	}
	l, err := catalog.New(real.Frameworks, controls)
	require.NoError(t, err)
	a, err := l.Apply(catalog.Scope{Frameworks: []compliance.Framework{
		{ID: compliance.SOC2}, {ID: compliance.ISO27001}, {ID: compliance.PCIDSS, Entity: compliance.Merchant, Assessment: compliance.ROC},
	}})
	require.NoError(t, err)
	return l, a
}

func TestMissingWidelyMappedMonthlyManualOutranksImplementedAnnual(t *testing.T) {
	_, a := smallLibrary(t)
	// Even with the annual control's evidence gone, the missing monthly one
	// fails the audit first.
	for _, annual := range []gaps.Auditability{auditable, {EvidenceExists: true}, {}} {
		reg, err := gaps.Rank(gaps.Input{Applicability: a, Assessments: []gaps.Assessment{
			{ControlID: "ANN-01", Status: gaps.Implemented, Auditability: annual},
			{ControlID: "WID-01", Status: gaps.Missing},
		}})
		require.NoError(t, err)
		require.Len(t, reg.Entries, 2)
		top, second := reg.Entries[0], reg.Entries[1]
		assert.Equal(t, "WID-01", top.ControlID)
		assert.Equal(t, 1, top.Rank)
		assert.Equal(t, "ANN-01", second.ControlID)
		assert.Greater(t, top.Score, second.Score)

		reasons := strings.Join(top.Reasons, "\n")
		assert.Contains(t, reasons, "missing")
		assert.Contains(t, reasons, "operates monthly")
		assert.Contains(t, reasons, "9 requirements across 3 frameworks")
		assert.Contains(t, reasons, "customers rely on soc2:CC6.1")
		assert.Contains(t, reasons, "by hand")
		assert.NotEmpty(t, second.Reasons)
		assert.Equal(t, annual != auditable, second.Gap)
	}
}

func TestImplementedAndAuditableIsNotAGap(t *testing.T) {
	_, a := smallLibrary(t)
	reg, err := gaps.Rank(gaps.Input{Applicability: a, Assessments: []gaps.Assessment{
		{ControlID: "ANN-01", Status: gaps.Implemented, Auditability: auditable},
		{ControlID: "WID-01", Status: gaps.Implemented, Auditability: auditable},
	}})
	require.NoError(t, err)
	assert.Empty(t, reg.Gaps())
	for _, e := range reg.Entries {
		assert.Zero(t, e.Score)
		assert.False(t, e.Gap)
	}
	// Ties break by breadth, then ID: deterministic.
	assert.Equal(t, "WID-01", reg.Entries[0].ControlID)
}

func TestSeverityOrdersStatuses(t *testing.T) {
	_, a := smallLibrary(t)
	score := func(s gaps.Status, au gaps.Auditability) int {
		reg, err := gaps.Rank(gaps.Input{Applicability: a, Assessments: []gaps.Assessment{{ControlID: "WID-01", Status: s, Auditability: au}}})
		require.NoError(t, err)
		for _, e := range reg.Entries {
			if e.ControlID == "WID-01" {
				return e.Score
			}
		}
		t.Fatal("WID-01 not ranked")
		return 0
	}
	missing, unknown := score(gaps.Missing, gaps.Auditability{}), score(gaps.Unknown, gaps.Auditability{})
	partial, implNoEvidence := score(gaps.Partial, auditable), score(gaps.Implemented, gaps.Auditability{})
	implGaps := score(gaps.Implemented, gaps.Auditability{EvidenceExists: true})
	assert.Greater(t, missing, unknown)
	assert.Greater(t, unknown, partial)
	assert.Greater(t, partial, implNoEvidence)
	assert.Greater(t, implNoEvidence, implGaps)
	assert.Positive(t, implGaps)
}

func realScope(t *testing.T) *catalog.Applicability {
	t.Helper()
	l, err := catalog.Load()
	require.NoError(t, err)
	a, err := l.Apply(catalog.Scope{Frameworks: []compliance.Framework{{ID: compliance.SOC2}, {ID: compliance.ISO27001}}})
	require.NoError(t, err)
	return a
}

func TestRankingDeterministicAndComplete(t *testing.T) {
	a := realScope(t)
	statuses := []gaps.Status{gaps.Implemented, gaps.Partial, gaps.Missing, gaps.Unknown}
	var in []gaps.Assessment
	for i, ac := range a.Controls {
		in = append(in, gaps.Assessment{ControlID: ac.Control.ID, Status: statuses[i%len(statuses)],
			Auditability: gaps.Auditability{EvidenceExists: i%3 != 0, Sampleable: i%5 != 0}})
	}
	first, err := gaps.Rank(gaps.Input{Applicability: a, Assessments: in})
	require.NoError(t, err)
	require.Len(t, first.Entries, len(a.Controls))

	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		shuffled := append([]gaps.Assessment(nil), in...)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		again, err := gaps.Rank(gaps.Input{Applicability: a, Assessments: shuffled})
		require.NoError(t, err)
		assert.Equal(t, first, again, "input order must not change the ranking")
	}
	for i, e := range first.Entries {
		assert.Equal(t, i+1, e.Rank)
		assert.NotEmpty(t, e.Reasons, e.ControlID)
		if i > 0 {
			prev := first.Entries[i-1]
			assert.GreaterOrEqual(t, prev.Score, e.Score)
			if prev.Gap != e.Gap {
				assert.True(t, prev.Gap, "gaps rank before non-gaps")
			}
		}
	}
}

func TestUnassessedControlsRankAsUnknown(t *testing.T) {
	a := realScope(t)
	reg, err := gaps.Rank(gaps.Input{Applicability: a})
	require.NoError(t, err)
	require.Len(t, reg.Gaps(), len(a.Controls))
	for _, e := range reg.Entries {
		assert.Equal(t, gaps.Unknown, e.Status)
		assert.Contains(t, e.Reasons[0], "not yet assessed")
	}
}

func TestNotApplicableLeavesRegister(t *testing.T) {
	a := realScope(t)
	reg, err := gaps.Rank(gaps.Input{Applicability: a, Assessments: []gaps.Assessment{{ControlID: "ACC-04", Status: gaps.NotApplicable}}})
	require.NoError(t, err)
	assert.Len(t, reg.Entries, len(a.Controls)-1)
}

func TestRankRejectsBadInput(t *testing.T) {
	a := realScope(t)
	_, err := gaps.Rank(gaps.Input{})
	assert.ErrorContains(t, err, "no applicability")
	_, err = gaps.Rank(gaps.Input{Applicability: a, Assessments: []gaps.Assessment{
		{ControlID: "ACC-04", Status: "done"},
		{ControlID: "NOPE-1", Status: gaps.Missing},
		{ControlID: "ACC-01", Status: gaps.Missing}, {ControlID: "ACC-01", Status: gaps.Partial},
	}})
	require.Error(t, err)
	assert.ErrorContains(t, err, `control ACC-04: status "done"`)
	assert.ErrorContains(t, err, "control NOPE-1: not an applicable control")
	assert.ErrorContains(t, err, "control ACC-01: assessed twice")

	st, err := gaps.ParseStatus(" Missing ")
	require.NoError(t, err)
	assert.Equal(t, gaps.Missing, st)
	_, err = gaps.ParseStatus("fine")
	assert.Error(t, err)
}

func BenchmarkRank(b *testing.B) {
	l, err := catalog.Load()
	require.NoError(b, err)
	a, err := l.Apply(catalog.Scope{Frameworks: []compliance.Framework{{ID: compliance.SOC2}, {ID: compliance.ISO27001}, {ID: compliance.PCIDSS, Entity: compliance.ServiceProvider, Assessment: compliance.ROC}}})
	require.NoError(b, err)
	for b.Loop() {
		if _, err := gaps.Rank(gaps.Input{Applicability: a}); err != nil {
			b.Fatal(err)
		}
	}
}
