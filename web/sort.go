package main

import (
	"cmp"
	"slices"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// sortPortfolio orders the portfolio by a column the person clicked.
func sortPortfolio(rows []engagement.PortfolioRow, by string) {
	switch by {
	case "audit":
		slices.SortStableFunc(rows, func(a, b engagement.PortfolioRow) int { return cmp.Compare(a.DaysToAudit, b.DaysToAudit) })
	case "open":
		slices.SortStableFunc(rows, func(a, b engagement.PortfolioRow) int { return cmp.Compare(b.OpenTotal, a.OpenTotal) })
	case "drift":
		rank := map[string]int{"critical": 0, "drifting": 1, "watch": 2, "ok": 3}
		slices.SortStableFunc(rows, func(a, b engagement.PortfolioRow) int {
			ra, oka := rank[a.Drift]
			rb, okb := rank[b.Drift]
			if !oka {
				ra = 4
			}
			if !okb {
				rb = 4
			}
			return cmp.Compare(ra, rb)
		})
	case "phase":
		slices.SortStableFunc(rows, func(a, b engagement.PortfolioRow) int { return cmp.Compare(a.Phase, b.Phase) })
	}
}
