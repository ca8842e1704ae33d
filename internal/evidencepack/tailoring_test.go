package evidencepack_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// tailoring.csv lists every override of the tailored example with its
// justification: three not applicable, one inherited, the owner,
// frequency, evidence and risk overrides and the two custom controls.
func TestPackListsTheTailoring(t *testing.T) {
	spec, err := catalog.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	files, err := evidencepack.Build(readiness.Report{EngagementID: spec.ID}, evidencepack.TailoringPart(spec))
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(files[evidencepack.TailoringCSV])).ReadAll()
	require.NoError(t, err)
	require.Equal(t, evidencepack.TailoringHeader, rows[0])
	got := map[string]int{}
	byKey := map[string][]string{}
	for _, r := range rows[1:] {
		got[r[2]]++
		byKey[r[0]+" "+r[2]] = r
	}
	assert.Equal(t, map[string]int{
		catalog.ChangeNotApplicable: 3, catalog.ChangeInherited: 1, catalog.ChangeCustom: 2,
		catalog.ChangeOwner: 2, catalog.ChangeFrequency: 1, catalog.ChangeEvidence: 1, catalog.ChangeRisk: 1,
	}, got)
	assert.Equal(t, []string{"ACC-04", "User access review", "owner", "priya@brightlane.io (owner of access)", "leo@brightlane.io",
		spec.Tailoring.Controls["ACC-04"].Justification}, byKey["ACC-04 owner"])
	assert.Equal(t, []string{"quarterly", "monthly"}, byKey["ACC-04 frequency"][3:5])
	assert.Equal(t, "performed by Amazon Web Services", byKey["CRY-02 inherited"][4])
	assert.Contains(t, byKey["AST-09 not-applicable"][5], "No on-premises equipment")
	assert.Contains(t, byKey["BRT-01 custom-control"][5], "soc2 CC6.1: the isolation test")
	for _, r := range rows[1:] {
		assert.NotEmpty(t, r[5], "every row has its reason: %v", r)
	}
}
