package main

import (
	"fmt"
	"html"
	"strings"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// burndownSVG draws the remediation items open week by week as bars; the
// title and each bar's title carry the numbers for a screen reader.
func burndownSVG(points []engagement.BurnPoint) string {
	if len(points) == 0 {
		return ""
	}
	top := 1
	for _, p := range points {
		top = max(top, p.Open)
	}
	const barW, h = 14, 80
	var b strings.Builder
	w := barW*len(points) + 4
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="bd-title" width="%d" height="%d" viewBox="0 0 %d %d">`, w, h+4, w, h+4)
	fmt.Fprintf(&b, `<title id="bd-title">Remediation items open by week: %d at first, %d now</title>`, points[0].Open, points[len(points)-1].Open)
	for i, p := range points {
		bh := p.Open * h / top
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="#1a73e8"><title>%s: %d open</title></rect>`,
			i*barW+2, h-bh+2, barW-3, bh, html.EscapeString(p.Day), p.Open)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
