package activities

import (
	"fmt"
	"strings"
)

// ticketSummary names the gap; a missing policy becomes a drafting task.
func ticketSummary(in OpenRemediationInput) string {
	if in.Gap.Type == "policy" && in.Gap.Status != "implemented" {
		return fmt.Sprintf("[%s] Draft and approve the policy: %s", in.ControlID, in.Title)
	}
	return fmt.Sprintf("[%s] %s (%s)", in.ControlID, in.Title, in.Gap.Status)
}

// ticketDescription is what the owner needs to close the gap the way the
// auditor will test it.
func ticketDescription(in OpenRemediationInput) string {
	g := in.Gap
	var b strings.Builder
	fmt.Fprintf(&b, "Gap ranked %d of the register by audit impact; status: %s.\n", g.Rank, g.Status)
	for _, r := range g.Reasons {
		fmt.Fprintf(&b, "- %s\n", r)
	}
	fmt.Fprintf(&b, "\nWhat operating means and how the auditor tests it:\n%s\n", g.Description)
	fmt.Fprintf(&b, "\nEvidence the auditor samples: %s\n", g.Evidence)
	if len(g.Requirements) > 0 {
		fmt.Fprintf(&b, "\nRequirements at stake: %s\n", strings.Join(g.Requirements, "; "))
	}
	if g.Type == "policy" {
		b.WriteString("\nPolicy outline the auditor will look for: purpose and scope; roles and the named owner; " +
			"the rules themselves, specific enough to test; how exceptions are approved and recorded; " +
			"review cadence (at least annual) with the date of the last review; approval by management with a date; " +
			"and how staff acknowledge it.\n")
	}
	fmt.Fprintf(&b, "\nDue %s. Close it by linking the evidence: `starter remediation done %s/%s --as EMAIL --evidence URL`, or answer the Steadfast prompt when this ticket is done.",
		in.Due.Format("2 Jan 2006"), in.EngagementID, g.ControlID)
	return b.String()
}
