package engagement

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ChangeRemediation is the remediation of one change's gaps, started by the
// change's round once the engagement's own remediation had ended (by the
// engagement or by any cycle of its programme): how its items stand, read
// from the record. `status` and the web's engagement page show it.
type ChangeRemediation struct {
	// Change is the change (its round) whose gaps these are.
	Change string `json:"change"`
	// Open counts the items not closed yet (open, or done in Jira without
	// evidence); Closed those closed with evidence; Accepted those the
	// lead accepted as known exceptions; Withdrawn those a later change
	// took out of scope.
	Open      int `json:"open"`
	Closed    int `json:"closed"`
	Accepted  int `json:"accepted"`
	Withdrawn int `json:"withdrawn"`
	// Overdue counts the open items past their due date.
	Overdue int `json:"overdue"`
	// Owners are the owners of the open items (of every item once none is
	// open), sorted.
	Owners []string `json:"owners"`
	// Due is the earliest due date of an open item (of any item once none
	// is open).
	Due   time.Time                  `json:"due"`
	Items []postgres.RemediationItem `json:"items"`
}

// changeRemediations groups an engagement's remediation items by the
// change whose round found their gaps, leaving out the engagement's own
// remediation, in the order the changes' first items were opened.
func changeRemediations(engagementID string, items []postgres.RemediationItem, now time.Time) []ChangeRemediation {
	var out []ChangeRemediation
	byChange := map[string]int{}
	sorted := slices.Clone(items)
	slices.SortStableFunc(sorted, func(a, b postgres.RemediationItem) int { return a.OpenedAt.Compare(b.OpenedAt) })
	for _, it := range sorted {
		round := workflows.ItemRound(engagementID, it.ControlID, it.ItemID)
		if round == "" {
			continue
		}
		i, ok := byChange[round]
		if !ok {
			i = len(out)
			byChange[round] = i
			out = append(out, ChangeRemediation{Change: round})
		}
		out[i].Items = append(out[i].Items, it)
	}
	for i := range out {
		out[i].tally(now)
	}
	return out
}

// tally counts the change's items and names their owners and due date.
func (c *ChangeRemediation) tally(now time.Time) {
	owners := map[string]bool{}
	var due time.Time
	for _, it := range c.Items {
		switch it.Status {
		case compliance.ItemVerified:
			c.Closed++
		case compliance.ItemAccepted:
			c.Accepted++
		case compliance.ItemWithdrawn:
			c.Withdrawn++
		case compliance.ItemOpen, compliance.ItemDone:
			c.Open++
			if it.Due.AddDate(0, 0, 1).Before(now) {
				c.Overdue++
			}
			owners[strings.ToLower(it.OwnerEmail)] = true
			if due.IsZero() || it.Due.Before(due) {
				due = it.Due
			}
		}
	}
	if c.Open == 0 {
		for _, it := range c.Items {
			owners[strings.ToLower(it.OwnerEmail)] = true
			if due.IsZero() || it.Due.Before(due) {
				due = it.Due
			}
		}
	}
	for o := range owners {
		c.Owners = append(c.Owners, o)
	}
	slices.Sort(c.Owners)
	c.Due = due
	slices.SortStableFunc(c.Items, func(a, b postgres.RemediationItem) int { return cmp.Compare(a.Rank, b.Rank) })
}

// ChangeGaps is what a portfolio row says of the changes' own
// remediations: how many of their items are open, and how many of those
// are overdue.
type ChangeGaps struct {
	Open, Overdue int
}

// changeGaps sums the changes' remediations; nil when there are none.
func changeGaps(crs []ChangeRemediation) *ChangeGaps {
	if len(crs) == 0 {
		return nil
	}
	var g ChangeGaps
	for _, c := range crs {
		g.Open += c.Open
		g.Overdue += c.Overdue
	}
	return &g
}
