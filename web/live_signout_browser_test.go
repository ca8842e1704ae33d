package main

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserSignedOutElsewhere: the lead's engagement page is open and
// live in chromium; the lead is signed out everywhere from another
// browser. Within five seconds the open page says it is signed out (an
// alert with a link to sign in again) and stops listening; the next
// navigation goes to the sign-in page.
func TestBrowserSignedOutElsewhere(t *testing.T) {
	newPerson := browser(t)
	s := newSite(t)
	s.srv.liveHub.limits.AccessRecheck = time.Hour // only the notification can end it
	page := newPerson()
	s.signInByLink(t, page, leadA, engA)
	must(t, chromedp.Do(page, chromedp.Navigate(s.ts.URL+"/e/"+engA), chromedp.WaitVisible(chromedp.CSS("h1"))))
	waitFor(t, "the page's live stream", func() bool {
		mode, err := chromedp.Run(page, chromedp.Evaluate[string](`document.body.getAttribute('data-live-mode') || ''`))
		return err == nil && mode == "sse"
	})
	other := s.signIn(leadA, engA)
	start := time.Now()
	if resp := other.post("/signout/everywhere", nil); resp.StatusCode != 303 {
		t.Fatalf("sign out everywhere: %d", resp.StatusCode)
	}
	ctx, cancel := context.WithTimeout(page, 5*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.ID("signed-out"))); err != nil {
		t.Fatalf("the open page did not say it was signed out within 5 s: %v", err)
	}
	t.Logf("sign-out everywhere to the page saying so: %s", time.Since(start))
	role, err := chromedp.Run(page, chromedp.Evaluate[string](`document.getElementById('signed-out').getAttribute('role') + ' ' + document.body.getAttribute('data-live-mode')`))
	must(t, err)
	if role != "alert signedout" {
		t.Errorf("the notice is %q, want an alert and the page's live mode signedout", role)
	}
	screenshot(t, page, "signed-out-elsewhere")
	must(t, chromedp.Do(page, chromedp.Click(chromedp.CSS("#signed-out a")), chromedp.WaitVisible(chromedp.CSS("h1"))))
	h1, err := chromedp.Run(page, chromedp.Text(chromedp.CSS("h1")))
	must(t, err)
	if h1 != "Sign in to Steadfast" {
		t.Errorf("after signing out the link leads to %q, want the sign-in page", h1)
	}
}
