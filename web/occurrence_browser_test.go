package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserOccurrenceFromHeatmap: the lead clicks a heat-map cell and
// lands on that control's occurrence page, which a keyboard and a screen
// reader can use.
func TestBrowserOccurrenceFromHeatmap(t *testing.T) {
	newPerson := browser(t)
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	if n := s.seedEvidence(t, engA, now); n == 0 {
		t.Fatal("no evidence seeded")
	}
	lead := newPerson()
	s.signInByLink(t, lead, leadA, engA)
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA),
		chromedp.WaitVisible(chromedp.CSS(`figure svg a`)),
	))
	// A cell whose evidence came in on time (its title says so).
	href, err := chromedp.Run(lead, chromedp.Evaluate[string](`[...document.querySelectorAll('figure svg a')]
		.find(a => a.querySelector('title').textContent.includes('on time')).getAttribute('href')`))
	must(t, err)
	must(t, chromedp.Do(lead,
		chromedp.Click(chromedp.CSS(`figure svg a[href="`+href+`"] rect`)),
		chromedp.WaitVisible(chromedp.CSS(`section.occurrence`)),
	))
	url, err := chromedp.Run(lead, chromedp.Evaluate[string](`location.pathname`))
	must(t, err)
	if url != href || !strings.HasPrefix(url, "/e/"+engA+"/occurrence/") {
		t.Errorf("the cell %s led to %s", href, url)
	}
	text, err := chromedp.Run(lead, chromedp.Text(chromedp.CSS(`main`)))
	must(t, err)
	for _, want := range []string{"Due", "Status", "on-time", "Sampling", "Evidence given"} {
		if !strings.Contains(text, want) {
			t.Errorf("the occurrence page lacks %q:\n%s", want, text)
		}
	}
	screenshot(t, lead, "occurrence")
	accessibilityBasics(t, lead, "occurrence")
}
