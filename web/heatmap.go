package main

import (
	"fmt"
	"html"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// Heat-map geometry, in SVG user units.
const (
	hmLabelW = 110
	hmCell   = 18
	hmHeadH  = 40
)

// cellStyle is a cell's colour and words for its worst status; the words
// go in the cell's <title> so a screen reader and a hover say the same.
func cellStyle(t drift.Tally) (fill, words string) {
	switch {
	case t.Missed > 0:
		return "#b3261e", fmt.Sprintf("%d missed", t.Missed)
	case t.Retrospective > 0:
		return "#e8710a", fmt.Sprintf("%d raised retrospectively", t.Retrospective)
	case t.Overdue > 0:
		return "#f9ab00", fmt.Sprintf("%d overdue", t.Overdue)
	case t.Late > 0:
		return "#fdd663", fmt.Sprintf("%d late", t.Late)
	case t.OnTime > 0:
		return "#188038", fmt.Sprintf("%d on time", t.OnTime)
	case t.Pending > 0:
		return "#dadce0", fmt.Sprintf("%d not yet due", t.Pending)
	default:
		return "#ffffff", "nothing due"
	}
}

// heatmapSVG draws controls × months server-side. Each cell with anything
// due links to the occurrence page of that control and month.
func heatmapSVG(engagementID string, h drift.Heatmap) string {
	var b strings.Builder
	w := hmLabelW + hmCell*len(h.Months) + 4
	ht := hmHeadH + hmCell*len(h.Rows) + 4
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="hm-title" width="%d" height="%d" viewBox="0 0 %d %d">`, w, ht, w, ht)
	fmt.Fprintf(&b, `<title id="hm-title">Evidence coverage of %s: %d controls by %d months, on time %.0f%%</title>`,
		html.EscapeString(engagementID), len(h.Rows), len(h.Months), h.OnTimeRate*100)
	for i, m := range h.Months {
		x := hmLabelW + i*hmCell + hmCell/2
		fmt.Fprintf(&b, `<text x="%d" y="%d" font-size="9" transform="rotate(-60 %d %d)">%s</text>`, x, hmHeadH-4, x, hmHeadH-4, html.EscapeString(m))
	}
	for r, row := range h.Rows {
		y := hmHeadH + r*hmCell
		fmt.Fprintf(&b, `<text x="0" y="%d" font-size="10">%s</text>`, y+hmCell-5, html.EscapeString(row.ControlID))
		for c, cell := range row.Cells {
			fill, words := cellStyle(cell.Tally)
			rect := fmt.Sprintf(`<rect x="%d" y="%d" width="%d" height="%d" fill="%s" stroke="#999" stroke-width="0.5"><title>%s %s: %s</title></rect>`,
				hmLabelW+c*hmCell, y, hmCell-1, hmCell-1, fill,
				html.EscapeString(row.ControlID), html.EscapeString(cell.Month), html.EscapeString(words))
			if cell.Expected+cell.Pending == 0 {
				b.WriteString(rect) // nothing of the control falls in this month
				continue
			}
			fmt.Fprintf(&b, `<a href="%s">%s</a>`, html.EscapeString(occurrenceURL(engagementID, row.ControlID, cell.Month)), rect)
		}
	}
	b.WriteString(`</svg>`)
	return b.String()
}
