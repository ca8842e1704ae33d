package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance/readiness"
)

// A review that tested nothing says so, in every format, rather than that
// every sampled occurrence passed.
func TestReadinessSaysWhenNothingWasTested(t *testing.T) {
	rep := readiness.Report{EngagementID: "acme", Controls: []readiness.ControlResult{{
		Control: readiness.Control{ID: "CHG-01", Frequency: "per-event"}, PlannedSize: 43, NotTested: "not tested: no population — no events were recorded"}}}
	for _, format := range []string{"text", "markdown"} {
		var b bytes.Buffer
		require.NoError(t, writeReadiness(&b, format, rep))
		assert.Contains(t, b.String(), "othing was tested", format)
		assert.NotContains(t, b.String(), "passed every test", format)
	}
	var b bytes.Buffer
	require.NoError(t, writeReadiness(&b, "text", rep))
	assert.Contains(t, b.String(), "CHG-01   per-event  0           0 of 43             not tested: no population")
}
