package main

import (
	"bytes"
	"testing"
	"time"

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

// TestStatusListsChangeRemediations: `starter status` shows each change's
// own remediation (started by its round once remediation had ended): its
// items open, closed and accepted, the open items' owners, the earliest
// due date and how many are overdue, and the items a later change
// withdrew.
func TestStatusListsChangeRemediations(t *testing.T) {
	var b bytes.Buffer
	printStatus(&b, engagement.StatusView{EngagementStatus: workflows.EngagementStatus{EngagementID: "brightlane", Phase: workflows.PhaseProgramme},
		ChangeRemediations: []engagement.ChangeRemediation{{Change: "tailoring-c0ffee", Open: 2, Closed: 1, Accepted: 1, Overdue: 1,
			Owners: []string{"leo@brightlane.io", "priya@brightlane.io"}, Due: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)}}})
	assert.Contains(t, b.String(), "Change remediation  tailoring-c0ffee: 2 open, 1 closed with evidence, 1 accepted; owners leo@brightlane.io, priya@brightlane.io; due 2027-01-05 — 1 overdue (`starter remediation brightlane`)\n")

	// An item a later change withdrew is counted as such.
	b.Reset()
	printStatus(&b, engagement.StatusView{EngagementStatus: workflows.EngagementStatus{EngagementID: "brightlane", Phase: workflows.PhaseProgramme},
		ChangeRemediations: []engagement.ChangeRemediation{{Change: "tailoring-c0ffee", Open: 1, Withdrawn: 1,
			Owners: []string{"leo@brightlane.io"}, Due: time.Date(2027, 1, 5, 0, 0, 0, 0, time.UTC)}}})
	assert.Contains(t, b.String(), "Change remediation  tailoring-c0ffee: 1 open, 0 closed with evidence, 0 accepted, 1 withdrawn by a later change; owners leo@brightlane.io; due 2027-01-05 (`starter remediation brightlane`)\n")
}
