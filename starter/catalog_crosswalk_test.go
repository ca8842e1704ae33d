package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// fixedCrosswalkLibrary is a three-control library small enough to read in a
// golden file; it covers a pair with two linking controls, a control linking
// two pairs, a control in one framework only, and a rationale a spreadsheet
// would read as a formula.
func fixedCrosswalkLibrary(t *testing.T) *catalog.Library {
	t.Helper()
	fws := []*catalog.FrameworkCatalog{
		{ID: compliance.SOC2, Name: "SOC 2", Version: "test", Requirements: []*catalog.Requirement{
			{ID: "CC6.1", Title: "Logical access safeguards", Category: compliance.CategorySecurity},
			{ID: "CC6.2", Title: "User registration and removal", Category: compliance.CategorySecurity},
			{ID: "CC6.3", Title: "Role-based access changes", Category: compliance.CategorySecurity},
		}},
		{ID: compliance.ISO27001, Name: "ISO/IEC 27001", Version: "test", Requirements: []*catalog.Requirement{
			{ID: "A.5.15", Title: "Access control rules"},
			{ID: "A.5.16", Title: "Identity lifecycle"},
			{ID: "A.8.5", Title: "Secure authentication"},
		}},
		{ID: compliance.PCIDSS, Name: "PCI DSS", Version: "test", Requirements: []*catalog.Requirement{
			{ID: "8", Title: "Identify and authenticate"},
			{ID: "8.4", Title: "MFA"},
			{ID: "8.4.2", Title: "MFA for all CDE access"},
		}},
	}
	control := func(id, title string, maps map[compliance.FrameworkID]map[string]string, order map[compliance.FrameworkID][]string) *catalog.Control {
		return &catalog.Control{
			ID: id, Title: title, Description: "d", Evidence: "e", Owner: "o",
			Domain: compliance.Domains[0], Type: catalog.TypeTechnical, Frequency: compliance.Frequencies[0],
			Maps: order, Why: maps,
		}
	}
	cs := []*catalog.Control{
		// Declared out of ID order: the crosswalk must sort links by control.
		control("XMP-02", "Single sign-on",
			map[compliance.FrameworkID]map[string]string{
				compliance.SOC2:     {"CC6.2": "accounts are registered once, in the identity provider", "CC6.1": "=SSO is the access safeguard"},
				compliance.ISO27001: {"A.8.5": "every application uses the same secure authentication", "A.5.16": "one identity lifecycle for all applications"},
			},
			map[compliance.FrameworkID][]string{compliance.SOC2: {"CC6.2", "CC6.1"}, compliance.ISO27001: {"A.8.5", "A.5.16"}}),
		control("XMP-01", "MFA everywhere",
			map[compliance.FrameworkID]map[string]string{
				compliance.SOC2:     {"CC6.1": "MFA is a logical access safeguard"},
				compliance.ISO27001: {"A.8.5": "MFA is secure authentication"},
				compliance.PCIDSS:   {"8.4.2": "MFA for all CDE access"},
			},
			map[compliance.FrameworkID][]string{compliance.SOC2: {"CC6.1"}, compliance.ISO27001: {"A.8.5"}, compliance.PCIDSS: {"8.4.2"}}),
		control("XMP-03", "Role model",
			map[compliance.FrameworkID]map[string]string{compliance.SOC2: {"CC6.3": "roles decide access changes"}},
			map[compliance.FrameworkID][]string{compliance.SOC2: {"CC6.3"}}),
	}
	l, err := catalog.New(fws, cs)
	require.NoError(t, err)
	return l
}

// TestCrosswalkGolden compares every output format for the fixed library with
// testdata/crosswalk/*. Regenerate with STEADFAST_UPDATE_GOLDEN=1 after an
// intended change, and read the diff.
func TestCrosswalkGolden(t *testing.T) {
	l := fixedCrosswalkLibrary(t)
	for _, format := range []string{"text", "csv", "json"} {
		t.Run(format, func(t *testing.T) {
			xw, err := l.Crosswalk(compliance.SOC2, compliance.ISO27001)
			require.NoError(t, err)
			xw.LibraryVersion = "test" // the golden must not change with every library bump
			var out bytes.Buffer
			require.NoError(t, writeCrosswalk(&out, l, xw, format))
			golden := filepath.Join("testdata", "crosswalk", "soc2-iso27001."+format)
			if os.Getenv("STEADFAST_UPDATE_GOLDEN") == "1" {
				require.NoError(t, os.MkdirAll(filepath.Dir(golden), 0o755))
				require.NoError(t, os.WriteFile(golden, out.Bytes(), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err, "run with STEADFAST_UPDATE_GOLDEN=1 to create it")
			assert.Equal(t, string(want), out.String())
		})
	}
}

func TestCatalogCrosswalkCommand(t *testing.T) {
	out, err := runCatalog(t, "crosswalk", "--from", "soc2", "--to", "iso27001", "--requirement", "CC6.6")
	require.NoError(t, err)
	assert.Contains(t, out, "SOC 2 CC6.6  Threats from outside the boundary")
	assert.Contains(t, out, "<-> ISO/IEC 27001 A.8.20  Network security")
	assert.Contains(t, out, "NET-06  Trust boundary protection")
	assert.Contains(t, out, "iso27001: trust-boundary controls are core network security")

	again, err := runCatalog(t, "crosswalk", "--from", "soc2", "--to", "iso27001", "--requirement", "CC6.6")
	require.NoError(t, err)
	assert.Equal(t, out, again, "same output on every run")

	out, err = runCatalog(t, "crosswalk", "--from", "PCI-DSS", "--to", "soc2", "--format", "csv", "--requirement", "8.4.3")
	require.NoError(t, err)
	assert.Equal(t, "from_framework,from_id,from_title,to_framework,to_id,to_title,control,control_title,from_rationale,to_rationale\n"+
		"pci-dss,8.4.3,MFA for remote network access,soc2,CC6.6,Threats from outside the boundary,ACC-18,MFA for remote access,"+
		"MFA for all remote network access by staff and third parties,MFA on remote network access keeps threats from outside the boundary from using stolen passwords\n", out)

	for args, want := range map[string][]string{
		"bad format":  {"crosswalk", "--format", "xml"},
		"unknown fw":  {"crosswalk", "--to", "nist"},
		"same fw":     {"crosswalk", "--from", "soc2", "--to", "soc2"},
		"no such req": {"crosswalk", "--requirement", "ZZ9"},
	} {
		_, err := runCatalog(t, want...)
		assert.Error(t, err, args)
	}

	out, err = runCatalog(t, "show", "ACC-18")
	require.NoError(t, err)
	assert.Contains(t, out, "why: MFA on remote network access keeps threats from outside the boundary")
	out, err = runCatalog(t, "show", "iso27001:A.8.18")
	require.NoError(t, err)
	assert.Contains(t, out, "why: use of privileged utility programs is restricted and logged")
}
