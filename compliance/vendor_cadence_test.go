package compliance

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVendorActionsKelpHealth(t *testing.T) {
	s, err := LoadSpec("../examples/kelp-health.yaml")
	require.NoError(t, err)
	start := Date{2026, 12, 1}
	var got []string
	for _, a := range VendorActions(s, start) {
		got = append(got, a.Due.String()+" "+a.Key+" "+a.Owner)
	}
	// Lumen Digital and Atlas IT touch no data and run nothing in scope:
	// no report is chased from them (their access is the third-party rule's
	// business). Google Cloud's bridge letter is already on file.
	assert.Equal(t, []string{
		"2026-12-01 vendor/hibob/review-report/2025-01-10 fiona@kelp.example", // overdue: due at start
		"2027-12-10 vendor/google-cloud/review-report/2027-11-10 omar@kelp.example",
		"2027-12-10 vendor/hibob/obtain-report/2028-01-09 fiona@kelp.example",
		"2028-02-29 vendor/twilio/review-report/2028-01-30 omar@kelp.example",
		"2028-11-29 vendor/google-cloud/obtain-report/2028-09-30 omar@kelp.example",
		"2029-03-01 vendor/twilio/obtain-report/2028-12-31 omar@kelp.example",
	}, got)
}

func TestVendorActionsBridgeAndMissing(t *testing.T) {
	s := mustSpec(t, withVendors(`  - name: AWS
    kind: subservice
    service: cloud hosting
    treatment: carve-out
    monitored_by: [VND-04]
    reports:
      - type: soc2-type2
        period: {start: 2026-10-01, end: 2027-09-30}
        issued: 2027-11-15
  - name: Gusto
    kind: saas
    service: payroll
    data: [employee-data]
`))
	byKey := map[string]VendorAction{}
	for _, a := range VendorActions(s, Date{2027, 1, 4}) {
		byKey[a.Key] = a
	}
	bridge, ok := byKey["vendor/aws/request-bridge-letter/2027-09-30"]
	require.True(t, ok, "%v", byKey)
	assert.Equal(t, "2027-12-31", bridge.Due.String(), "asked for when the window ends")
	assert.Equal(t, "lee@acme.example", bridge.Owner, "no vendor owner: the lead, who owns every area here")
	first, ok := byKey["vendor/gusto/obtain-report/first"]
	require.True(t, ok)
	assert.Equal(t, "2027-01-04", first.Due.String())

	// With the letter on file, no request.
	s.Vendors[0].BridgeLetter = &Date{2027, 12, 20}
	for _, a := range VendorActions(s, Date{2027, 1, 4}) {
		assert.NotEqual(t, VendorRequestBridge, a.Kind)
	}
}
