package postcert

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

func kinds(cs []FrameworkChange) map[string]int {
	out := map[string]int{}
	for _, c := range cs {
		out[string(c.Framework)+" "+c.Kind]++
	}
	return out
}

func TestRefreshDeltaCurrentVersions(t *testing.T) {
	lib := catalog.Default()
	got := RefreshDelta(map[compliance.FrameworkID]string{
		compliance.SOC2: compliance.SOC2Version, compliance.ISO27001: compliance.ISO27001Version,
	}, lib)
	assert.Empty(t, got, "versions the library describes are not a change")
}

func TestRefreshDeltaPCIFutureDated(t *testing.T) {
	lib := catalog.Default()
	fd := lib.FutureDated()
	require.NotEmpty(t, fd)

	// On the library's own version only the future-dated requirements are
	// reported, each with the date it became required and its controls.
	got := RefreshDelta(map[compliance.FrameworkID]string{compliance.PCIDSS: "4.0.1"}, lib)
	require.Len(t, got, len(fd))
	for i, c := range got {
		assert.Equal(t, ChangeNowMandatory, c.Kind)
		assert.Equal(t, fd[i].Ref(), c.Requirement, "catalog order")
		assert.Equal(t, d("2025-04-01"), c.Effective)
		assert.Contains(t, c.Note, "31 March 2025")
	}
	var keyed FrameworkChange
	for _, c := range got {
		if c.Requirement == "pci-dss:3.5.1.1" {
			keyed = c
		}
	}
	require.NotEmpty(t, keyed.Requirement, "keyed hashes for PAN is a future-dated requirement")
	assert.NotEmpty(t, keyed.Controls)

	// From 4.0 the version change comes first, then the same requirements.
	got = RefreshDelta(map[compliance.FrameworkID]string{compliance.PCIDSS: "4.0"}, lib)
	require.Len(t, got, 1+len(fd))
	assert.Equal(t, ChangeVersion, got[0].Kind)
	assert.Equal(t, "version 4.0 → 4.0.1: review the catalog delta", got[0].Note)
	assert.Equal(t, "4.0", got[0].From)
	assert.Equal(t, "4.0.1", got[0].To)
}

func TestRefreshDeltaOnlyWhatTheDataSupports(t *testing.T) {
	lib := catalog.Default()
	for _, tc := range []struct {
		name  string
		inUse map[compliance.FrameworkID]string
		want  []FrameworkChange
	}{{
		// v3.2.1 predates the future-dated tags: the library can only say
		// the version moved.
		name:  "PCI DSS 3.2.1",
		inUse: map[compliance.FrameworkID]string{compliance.PCIDSS: "3.2.1"},
		want: []FrameworkChange{{Framework: compliance.PCIDSS, Kind: ChangeVersion, From: "3.2.1", To: "4.0.1",
			Note: "version 3.2.1 → 4.0.1: review the catalog delta"}},
	}, {
		name:  "ISO 27001:2013",
		inUse: map[compliance.FrameworkID]string{compliance.ISO27001: "2013"},
		want: []FrameworkChange{{Framework: compliance.ISO27001, Kind: ChangeVersion, From: "2013", To: "2022",
			Note: "version 2013 → 2022: review the catalog delta"}},
	}, {
		name:  "a framework the library does not hold, listed last",
		inUse: map[compliance.FrameworkID]string{"nist-csf": "2.0", compliance.SOC2: "2017-tsc-2017-pof"},
		want: []FrameworkChange{
			{Framework: compliance.SOC2, Kind: ChangeVersion, From: "2017-tsc-2017-pof", To: compliance.SOC2Version,
				Note: "version 2017-tsc-2017-pof → 2017-tsc-2022-pof: review the catalog delta"},
			{Framework: "nist-csf", Kind: ChangeNotInLibrary, From: "2.0",
				Note: "the control library has no catalog for nist-csf, so its changes cannot be checked here; review it by hand"},
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, RefreshDelta(tc.inUse, lib))
		})
	}

	unrecorded := RefreshDelta(map[compliance.FrameworkID]string{compliance.ISO27001: ""}, lib)
	require.Len(t, unrecorded, 1)
	assert.Contains(t, unrecorded[0].Note, "not recorded")

	assert.Empty(t, RefreshDelta(nil, lib))
	assert.Equal(t, RefreshDelta(map[compliance.FrameworkID]string{compliance.PCIDSS: "4.0"}, lib),
		RefreshDelta(map[compliance.FrameworkID]string{compliance.PCIDSS: "4.0"}, nil), "nil means the embedded library")
}

// A library whose PCI catalog tags nothing future-dated yields no
// requirement-level changes: nothing is invented.
func TestRefreshDeltaUntaggedLibrary(t *testing.T) {
	lib, err := catalog.New([]*catalog.FrameworkCatalog{{
		ID: compliance.PCIDSS, Name: "PCI DSS", Version: "4.0.1",
		Requirements: []*catalog.Requirement{{ID: "1", Title: "Network"}, {ID: "1.1", Title: "Governance"}, {ID: "1.1.1", Title: "Policies"}},
	}}, nil)
	require.NoError(t, err)
	assert.Empty(t, RefreshDelta(map[compliance.FrameworkID]string{compliance.PCIDSS: "4.0.1"}, lib))
	assert.Equal(t, map[string]int{"pci-dss version": 1}, kinds(RefreshDelta(map[compliance.FrameworkID]string{compliance.PCIDSS: "4.0"}, lib)))
}
