package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/workflows"
)

// liveBySlack continues TestBrowserLeadOwnerLive: the lead's page, open
// and untouched, holds a server-sent event stream (not polling), and an
// answer the owner gives through Slack's path (answers.SlackAnswerer, as
// a click would) shows on it within seconds, without a reload.
func liveBySlack(t *testing.T, s *site, lead context.Context) {
	t.Helper()
	ctx := context.Background()
	mode, err := chromedp.Run(lead, chromedp.Evaluate[string](`document.body.getAttribute('data-live-mode') || ''`))
	must(t, err)
	if mode != "sse" {
		t.Errorf("the lead's page is live by %q, want sse (server-sent events)", mode)
	}
	waitFor(t, "another question for "+ownerA, func() bool { return len(s.openFor(engA, ownerA)) > 0 })
	row, err := liveText(lead, "progress")
	must(t, err)
	before := answeredOf(row, ownerA)
	const leoSlack = "U0LEOTEST"
	must(t, s.db.Store.RememberSlackID(ctx, engA, ownerA, leoSlack))
	sa := &answers.SlackAnswerer{Service: &answers.Service{Temporal: s.svc.Temporal}, Store: s.db.Store, Key: testKey}
	clicked := time.Now()
	out, err := sa.Answer(ctx, slack.Interaction{Kind: slack.KindNoteSubmit, PromptID: s.openFor(engA, ownerA)[0].ID,
		SlackUserID: leoSlack, DeliveryID: "browser-live-click", Choice: workflows.AssessImplemented, Note: "Reviewed in Slack"})
	if err != nil || out.Message != "" {
		t.Fatalf("the Slack answer: %v %q", err, out.Message)
	}
	answered := time.Now()
	t.Logf("the Slack answer's update returned after %s", answered.Sub(clicked))
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		row, err = liveText(lead, "progress")
		must(t, err)
		if answeredOf(row, ownerA) > before {
			t.Logf("the Slack answer on the lead's page %s after the click, %s after its update returned", time.Since(clicked), time.Since(answered))
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lead's page did not show the Slack answer within 10 s (had %d answered):\n%s", before, row)
		}
	}
	marker, err := chromedp.Run(lead, chromedp.Evaluate[int](`window.__notReloaded`))
	must(t, err)
	if marker != 42 {
		t.Error("the lead's page was reloaded; it should have updated in place")
	}
	screenshot(t, lead, "engagement-after-slack")
}

// answeredOf reads N from "N of M" in the owner's row of the progress table.
func answeredOf(table, owner string) int {
	for _, line := range strings.Split(table, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(line), owner); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				n, _ := strconv.Atoi(f[0])
				return n
			}
		}
	}
	return -1
}

// liveText reads an element's text in one step in the page: a live page
// may swap the element between a lookup and a read.
func liveText(ctx context.Context, id string) (string, error) {
	return chromedp.Run(ctx, chromedp.Evaluate[string](`(document.getElementById(`+strconv.Quote(id)+`)||{}).innerText||''`))
}
