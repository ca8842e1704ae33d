package compliance_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

const examplePolicy = "review_policy:\n  high: quarterly\n  moderate: semi-annual\n  low: semi-annual\n"

func withPolicy(t *testing.T, path, policy string) []byte {
	t.Helper()
	base, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Contains(t, string(base), examplePolicy)
	return []byte(strings.Replace(string(base), examplePolicy, policy, 1))
}

func TestReviewPolicyParsed(t *testing.T) {
	s, err := compliance.ParseSpec("ok.yaml", withPolicy(t, "../examples/saas-startup.yaml", examplePolicy+"control_risk:\n  ACC-04: high\n"))
	require.NoError(t, err)
	assert.Equal(t, 1, s.ReviewEveryQuarters("ACC-04", false), "high risk: quarterly")
	assert.Equal(t, 2, s.ReviewEveryQuarters("ACC-08", false), "unset is moderate: half-yearly")

	s, err = compliance.ParseSpec("none.yaml", withPolicy(t, "../examples/saas-startup.yaml", ""))
	require.NoError(t, err)
	assert.Equal(t, 1, s.ReviewEveryQuarters("ACC-08", false), "no policy: quarterly")

	// A PCI DSS service provider's PCI controls stay quarterly.
	p, err := compliance.LoadSpec("../examples/payments-co.yaml")
	require.NoError(t, err)
	assert.Equal(t, 1, p.ReviewEveryQuarters("ACC-08", true))
	assert.Equal(t, 2, p.ReviewEveryQuarters("ACC-08", false))
}

func TestReviewPolicyErrorsNameTheLine(t *testing.T) {
	for policy, want := range map[string]string{
		"review_policy:\n  extreme: quarterly\n": `risk level "extreme" is not one of low, moderate, high`,
		"review_policy:\n  low: annual\n":        `review frequency "annual" is not one of quarterly, semi-annual`,
	} {
		_, err := compliance.ParseSpec("bad.yaml", withPolicy(t, "../examples/saas-startup.yaml", policy))
		require.Error(t, err, policy)
		assert.Contains(t, err.Error(), want)
		assert.Regexp(t, `bad\.yaml:\d+:\d+`, err.Error(), "file:line:col")
	}
}
