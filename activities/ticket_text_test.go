package activities

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPolicyGapTicketAsksForADraftWithAnOutline(t *testing.T) {
	in := OpenRemediationInput{EngagementID: "brightlane", ControlID: "ACC-04", Title: "Access policy", Due: time.Date(2026, 12, 22, 17, 0, 0, 0, time.UTC),
		Gap: RegisterEntry{ControlID: "ACC-04", Rank: 2}}
	in.Gap.Type, in.Gap.Status = "policy", "missing"
	in.Gap.Evidence, in.Gap.Description = "the approved policy with its review date", "A written access-control policy exists."
	in.Gap.Requirements = []string{"soc2 CC5.3", "iso27001 A.5.15"}
	assert.Contains(t, ticketSummary(in), "Draft and approve the policy")
	d := ticketDescription(in)
	for _, want := range []string{"Policy outline the auditor will look for", "the approved policy with its review date", "soc2 CC5.3; iso27001 A.5.15", "starter remediation done brightlane/ACC-04"} {
		assert.Contains(t, d, want)
	}
	in.Gap.Type = "technical"
	assert.NotContains(t, ticketSummary(in), "Draft")
	assert.NotContains(t, ticketDescription(in), "Policy outline")
}
