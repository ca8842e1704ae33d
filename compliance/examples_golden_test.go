package compliance

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Kelp Health example is a first-draft scope with twelve systems, five
// vendors and a risk register. It must raise exactly these findings, highest
// severity first, and nothing else: the near misses in it (an MSP whose
// access is covered and reaches no production, a current Twilio report, a
// Google Cloud report bridged by a letter, an in-scope MDM and IdP) stay
// quiet.
func TestKelpHealthExampleRisksGolden(t *testing.T) {
	s, err := LoadSpec("../examples/kelp-health.yaml")
	require.NoError(t, err)
	require.Len(t, s.Systems, 12)
	require.Len(t, s.Vendors, 5)
	require.NotEmpty(t, s.Risks)

	var got []string
	for _, r := range risksOf(t, s) {
		got = append(got, string(r.Severity)+" "+r.Rule+" "+strings.Join(r.Systems, ","))
		assert.NotEmpty(t, r.Message)
	}
	assert.Equal(t, []string{
		"high backups-out-of-scope gcs-dr-bucket,postgres-prod",
		"high third-party-production-access vendor:Lumen Digital,api",
		"high annex-a-excluded-but-needed risk:R-05,annex-a:A.8.30",
		"medium excluded-sensitive-data hibob",
		"medium excluded-logging-monitoring grafana-cloud,gcp-prod",
		"medium excluded-employee-data hibob",
		"medium vendor-report-expired vendor:HiBob,hibob",
	}, got)
}

// Findings are stored keyed by rule and systems; two findings with the same
// key would overwrite each other, so every example must keep them apart.
func TestExampleRiskKeysAreUnique(t *testing.T) {
	files, err := filepath.Glob("../examples/*.yaml")
	require.NoError(t, err)
	for _, f := range files {
		s, err := LoadSpec(f)
		require.NoError(t, err)
		seen := map[string]bool{}
		for _, r := range risksOf(t, s) {
			key := r.Rule + "|" + strings.Join(r.Systems, ",")
			assert.False(t, seen[key], "%s: %s raised twice", f, key)
			seen[key] = true
		}
	}
}
