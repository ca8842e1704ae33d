package compliance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestGapWithdrawal: only an open gap is withdrawn; a verified, accepted or
// withdrawn item is closed and stays as it is; the note names the change,
// its approver and the tailoring's reason when there are any.
func TestGapWithdrawal(t *testing.T) {
	for status, withdrawable := range map[string]bool{ItemOpen: true, ItemDone: true, ItemVerified: false, ItemAccepted: false, ItemWithdrawn: false} {
		assert.Equal(t, withdrawable, GapWithdrawable(status), status)
		assert.Equal(t, !withdrawable, ItemClosed(status), status)
	}
	assert.Equal(t, "Withdrawn: tailoring-abc (approved by lead@example.com) took GOV-07 out of scope (HR owns it)",
		GapWithdrawnNote("tailoring-abc", "GOV-07", "lead@example.com", "HR owns it"))
	assert.Equal(t, "Withdrawn: tailoring-abc took GOV-07 out of scope", GapWithdrawnNote("tailoring-abc", "GOV-07", "", ""))
}
