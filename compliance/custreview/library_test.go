package custreview

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

func TestChangesUnsettleOnlyLaterAndTouchedAnswers(t *testing.T) {
	approved := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	ev := EvidenceChanged("ACC-04", "ACC-04/2027-Q1", approved.Add(time.Hour))
	assert.True(t, ev.Unsettles([]string{"CHG-01", "ACC-04"}, approved))
	assert.False(t, ev.Unsettles([]string{"CHG-01"}, approved), "another control's evidence")
	assert.False(t, EvidenceChanged("ACC-04", "o", approved.Add(-time.Hour)).Unsettles([]string{"ACC-04"}, approved),
		"evidence the owner already had when the answer was approved")
	assert.Contains(t, ev.Why, "new evidence of ACC-04 (ACC-04/2027-Q1)")
	rep := ReportChanged("soc2 2027-03-02", approved.Add(24*time.Hour))
	assert.True(t, rep.Unsettles([]string{"GOV-01"}, approved), "a new report touches every answer")
	assert.False(t, rep.Unsettles([]string{"GOV-01"}, approved.Add(48*time.Hour)))
}

func TestReconfirmByOwnerThenLead(t *testing.T) {
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	since := time.Now()
	settled := Reconfirmation{}
	waiting := Reconfirmation{Why: "new evidence", Since: &since}
	confirmed := Reconfirmation{Why: "new evidence", Since: &since, ConfirmedBy: "leo@brightlane.io"}
	assert.Equal(t, []string{"", "owner", "lead"}, []string{settled.WaitsOn(), waiting.WaitsOn(), confirmed.WaitsOn()})

	assert.NoError(t, CheckReconfirm("leo@brightlane.io", "Leo@Brightlane.io", waiting, ""))
	assert.ErrorContains(t, CheckReconfirm("leo@brightlane.io", "maya@brightlane.io", waiting, ""), "only its owner")
	assert.ErrorContains(t, CheckReconfirm("leo@brightlane.io", "leo@brightlane.io", settled, ""), "does not need")
	assert.ErrorContains(t, CheckReconfirm("leo@brightlane.io", "leo@brightlane.io", confirmed, ""), "waits on the lead")

	assert.NoError(t, CheckReapprove(spec, "maya@brightlane.io", confirmed))
	assert.ErrorContains(t, CheckReapprove(spec, "leo@brightlane.io", confirmed), "may not triage or approve")
	assert.ErrorContains(t, CheckReapprove(spec, "maya@brightlane.io", waiting), "owner's re-confirmation first")
	assert.ErrorContains(t, CheckReapprove(spec, "maya@brightlane.io", settled), "does not need")
}
