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
		got = append(got, a.Ask.String()+" "+a.Due.String()+" "+a.Key+" "+a.Owner)
	}
	// Lumen Digital and Atlas IT touch no data and run nothing in scope:
	// no report is chased from them (their access is the third-party rule's
	// business). Google Cloud's bridge letter is already on file.
	assert.Equal(t, []string{
		"2026-12-01 2026-12-15 vendor/hibob/review-report/2025-01-10 fiona@kelp.example", // overdue: asked at start, two weeks
		"2027-11-10 2027-12-10 vendor/google-cloud/review-report/2027-11-10 omar@kelp.example",
		"2027-11-10 2027-12-10 vendor/hibob/obtain-report/2028-01-09 fiona@kelp.example", // a month before it lapses less a month
		"2028-01-30 2028-02-29 vendor/twilio/review-report/2028-01-30 omar@kelp.example",
		"2028-10-30 2028-11-29 vendor/google-cloud/obtain-report/2028-09-30 omar@kelp.example",
		"2029-01-30 2029-03-01 vendor/twilio/obtain-report/2028-12-31 omar@kelp.example",
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
	assert.Equal(t, "2027-12-01", bridge.Ask.String(), "asked a month before the window ends")
	assert.Equal(t, "2027-12-31", bridge.Due.String(), "due when the window ends")
	assert.Equal(t, "lee@acme.example", bridge.Owner, "no vendor owner: the lead, who owns every area here")
	first, ok := byKey["vendor/gusto/obtain-report/first"]
	require.True(t, ok)
	assert.Equal(t, "2027-01-04", first.Ask.String(), "nothing on file: asked at start")
	assert.Equal(t, "2027-01-18", first.Due.String())

	// A report ending within the last month of the window: asked the day
	// the gap opens, not before.
	s.Vendors[0].Reports[0].Period.End = Date{2027, 12, 15}
	for _, a := range VendorActions(s, Date{2027, 1, 4}) {
		if a.Kind == VendorRequestBridge {
			assert.Equal(t, "2027-12-16", a.Ask.String())
		}
	}

	// Near miss: with the letter on file, or a report covering the whole
	// window, no request.
	s.Vendors[0].Reports[0].Period.End = Date{2027, 9, 30}
	s.Vendors[0].BridgeLetter = &Date{2027, 12, 20}
	for _, a := range VendorActions(s, Date{2027, 1, 4}) {
		assert.NotEqual(t, VendorRequestBridge, a.Kind)
	}
	s.Vendors[0].BridgeLetter = nil
	s.Vendors[0].Reports[0].Period.End = Date{2027, 12, 31}
	for _, a := range VendorActions(s, Date{2027, 1, 4}) {
		assert.NotEqual(t, VendorRequestBridge, a.Kind)
	}
}

// The schedule carries obtain-report work on a year at a time, each year
// anchored on the report it asks for, so recomputing it never renames work.
func TestVendorScheduleRecursYearly(t *testing.T) {
	s, err := LoadSpec("../examples/kelp-health.yaml")
	require.NoError(t, err)
	var got []string
	for _, a := range VendorSchedule(s, Date{2026, 12, 1}, Date{2030, 1, 31}) {
		if a.Vendor == "Twilio" {
			got = append(got, a.Ask.String()+" "+a.Key)
		}
	}
	assert.Equal(t, []string{
		"2028-01-30 vendor/twilio/review-report/2028-01-30",
		"2029-01-30 vendor/twilio/obtain-report/2028-12-31",
		"2030-01-30 vendor/twilio/obtain-report/2029-12-31",
	}, got)
	// The one-cycle list is the schedule's first cycle.
	one := VendorActions(s, Date{2026, 12, 1})
	all := VendorSchedule(s, Date{2026, 12, 1}, Date{2030, 1, 31})
	for _, a := range one {
		assert.Contains(t, all, a)
	}
}
