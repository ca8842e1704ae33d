package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestStatusListsTailoringChanges: `starter status` shows each tailoring
// change proposed before certification, where it has got to and the
// controls it has assessed again.
func TestStatusListsTailoringChanges(t *testing.T) {
	var b bytes.Buffer
	printStatus(&b, engagement.StatusView{EngagementStatus: workflows.EngagementStatus{EngagementID: "brightlane", Phase: compliance.PhaseOperating,
		Changes: []workflows.ScopeChange{
			{ID: "tailoring-0a1b2c", Status: workflows.ChangeApproved, By: "sam@steadfast.example", NewControls: []string{"ACC-02", "BRT-03"}},
			{ID: "tailoring-ffeedd", Status: workflows.ChangeRejected, By: "maya@brightlane.io"},
		}}})
	assert.Contains(t, b.String(), "Tailoring change  tailoring-0a1b2c, approved by sam@steadfast.example; controls assessed again: ACC-02, BRT-03\n")
	assert.Contains(t, b.String(), "Tailoring change  tailoring-ffeedd, rejected by maya@brightlane.io; controls assessed again: none\n")
}
