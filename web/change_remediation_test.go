package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestEngagementPageShowsChangeRemediation: the items of a change's own
// remediation (opened by its round once the engagement's remediation had
// ended) show on the engagement page under their change: how many are
// open (and overdue), closed and accepted, the open items' owners and the
// earliest due date, and each item; an item a later change withdrew is
// counted as withdrawn. The engagement's own remediation item is not
// counted there. The portfolio's row sums the changes' open items.
func TestEngagementPageShowsChangeRemediation(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	now := time.Now().UTC()
	const change = "tailoring-c0ffee"
	open := func(itemID, control string, due time.Time) {
		must(t, s.db.Store.OpenItem(ctx, postgres.RemediationItem{EngagementID: engA, ControlID: control, ItemID: itemID, Rank: 1,
			Title: control + " title", OwnerEmail: ownerA, Due: due, TicketLabel: "steadfast-" + control, OpenedAt: now.AddDate(0, 0, -3)}))
	}
	open(workflows.GapWorkflowID(engA, "ACC-04"), "ACC-04", now.AddDate(0, -2, 0))
	open(workflows.RoundGapWorkflowID(engA, change, "OPS-15"), "OPS-15", now.AddDate(0, 0, 20))
	open(workflows.RoundGapWorkflowID(engA, change, "ACC-02"), "ACC-02", now.AddDate(0, 0, 10))
	must(t, s.db.Store.ChangeItem(ctx, postgres.ItemChange{EngagementID: engA, ItemID: workflows.RoundGapWorkflowID(engA, change, "ACC-02"),
		Status: compliance.ItemAccepted, By: leadA, Channel: compliance.ChannelWeb, At: now}))

	// A later change took OPS-16 out of scope: withdrawn, not open.
	open(workflows.RoundGapWorkflowID(engA, change, "OPS-16"), "OPS-16", now.AddDate(0, 0, -5))
	withdrawn, err := s.db.Store.WithdrawItem(ctx, postgres.ItemWithdrawal{EngagementID: engA, ItemID: workflows.RoundGapWorkflowID(engA, change, "OPS-16"),
		ChangeID: "tailoring-later", By: leadA, Note: "Withdrawn: tailoring-later took OPS-16 out of scope", At: now})
	must(t, err)
	if withdrawn.Status != compliance.ItemWithdrawn {
		t.Fatalf("OPS-16 is %s, want withdrawn", withdrawn.Status)
	}

	lead := s.signIn(leadA, engA)
	page := body(t, lead.get("/e/"+engA))
	i := strings.Index(page, `id="change-remediations"`)
	if i < 0 {
		t.Fatalf("the engagement page shows no change remediation:\n%.3000s", page)
	}
	table := page[i:]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []string{
		`<tr id="change-` + change + `"><td>` + change + `</td><td class="open">1</td><td class="closed">0</td><td class="accepted">1</td><td class="withdrawn">1</td>`,
		`<td class="owners">` + ownerA + `</td><td class="due">` + now.AddDate(0, 0, 20).Format("2006-01-02") + `</td>`,
		"OPS-15 OPS-15 title", "ACC-02 ACC-02 title</td><td>accepted",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("the change's remediation lacks %q:\n%s", want, table)
		}
	}
	if strings.Contains(table, "ACC-04") {
		t.Errorf("the engagement's own remediation item is listed as a change's:\n%s", table)
	}

	// The portfolio sums the changes' open items (the overdue one was
	// withdrawn, so none is overdue).
	portfolio := body(t, lead.get("/"))
	if want := `<td class="change-gaps">1 open</td>`; !strings.Contains(portfolio, want) {
		t.Errorf("the portfolio lacks %q:\n%.4000s", want, portfolio)
	}
}
