package report

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestScopeStatementGolden checks the statement of every example, in
// Markdown and JSON, against testdata/. Run with -update to rewrite.
func TestScopeStatementGolden(t *testing.T) {
	for _, name := range []string{"saas-startup", "kelp-health", "payments-co"} {
		t.Run(name, func(t *testing.T) {
			spec, err := compliance.LoadSpec("../../examples/" + name + ".yaml")
			require.NoError(t, err)
			st := BuildScopeStatement(spec, nil)
			js, err := json.MarshalIndent(st, "", "  ")
			require.NoError(t, err)
			golden(t, filepath.Join("testdata", "scope-statement-"+name+".md"), []byte(st.Markdown()))
			golden(t, filepath.Join("testdata", "scope-statement-"+name+".json"), append(js, '\n'))
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create it")
	assert.Equal(t, string(want), string(got))
}

// TestScopeStatementPeriodFromIssuedReport: once the report is recorded its
// period replaces the planned window; names cannot inject markup.
func TestScopeStatementPeriodFromIssuedReport(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Client.Name = "Evil [link](http://x) <script>"
	period := compliance.Span{Start: compliance.Date{Year: 2027, Month: 3, Day: 1}, End: compliance.Date{Year: 2027, Month: 8, Day: 15}}
	st := BuildScopeStatement(spec, []postcert.Certification{{Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}, ReportPeriod: period}})
	assert.Equal(t, period, st.Frameworks[0].Period)
	assert.Equal(t, "the issued report", st.Frameworks[0].PeriodFrom)
	md := st.Markdown()
	assert.Contains(t, md, "issued 2027-10-01")
	assert.Contains(t, md, `Evil \[link\](http://x) &lt;script&gt;`)
	assert.NotContains(t, md, "<script>")
}
