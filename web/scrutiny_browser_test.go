package main

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestBrowserIssuedReportAndReviewDesk drives the customers' scrutiny in
// chromium against the real engagement (dev server, worker with its
// identity check, Postgres, the local blob store): the lead records the
// issued report with an exception and its file; maps an unmapped customer
// question; the owner answers a routed one on their own page, the
// question showing its background; the lead approves that answer and
// allows files in the export. Another client's lead, an owner and the
// consultant are refused every one of these by URL, ID or form field, and
// nothing they send changes the record.
func TestBrowserIssuedReportAndReviewDesk(t *testing.T) {
	newPerson := browser(t)
	tmp := testenv.DevServer(t)
	s := newSite(t)
	spec := s.liveWindow(engA)
	s.runEngagement(t, tmp, spec)
	ctx := context.Background()
	today := compliance.DateOf(time.Now().UTC())
	due := today.AddDays(20)
	csv := "question_id,question,control\nQ1,Do you review access quarterly?,ACC-04\nQ2,Is change approved before release?,SIG-12.3\n"
	imp, err := s.svc.ImportCustomerReview(ctx, engagement.ImportCustomerReviewRequest{EngagementID: engA, Customer: "Acme Bank", Due: due,
		FileName: "acme.csv", Data: []byte(csv), Actor: identity.CLIActor(leadA)})
	must(t, err)
	rid := imp.ReviewID
	if len(imp.Unmapped) != 1 || imp.Unmapped[0] != "Q2" {
		t.Fatalf("unmapped: %v, want [Q2]", imp.Unmapped)
	}

	// The lead records the issued report with one exception and its file.
	lead := newPerson()
	s.signInByLink(t, lead, leadA, engA)
	reportFile := filepath.Join(t.TempDir(), "soc2-report.pdf")
	must(t, os.WriteFile(reportFile, []byte("%PDF-1.4 the issued SOC 2 report\n"), 0o600))
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA),
		chromedp.WaitVisible(chromedp.ID("h-report")),
	))
	accessibilityBasics(t, lead, "engagement with the review desk")
	must(t, chromedp.Do(lead,
		chromedp.SetValue(chromedp.ID("rep-date"), today.String()),
		chromedp.SetValue(chromedp.ID("rep-start"), today.AddDays(-120).String()),
		chromedp.SetValue(chromedp.ID("rep-end"), today.AddDays(-1).String()),
		chromedp.SetValue(chromedp.ID("rep-opinion"), "qualified"),
		chromedp.SendKeys(chromedp.ID("exc-ref-1"), "ACC-04"),
		chromedp.SendKeys(chromedp.ID("exc-desc-1"), "Two quarterly access reviews were late."),
		chromedp.SendKeys(chromedp.ID("exc-resp-1"), "Reviews are now scheduled with reminders."),
		chromedp.SetUploadFiles(chromedp.ID("rep-file"), []string{reportFile}),
		chromedp.Click(chromedp.CSS(`form.report button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "recording the report")
	msg, err := chromedp.Run(lead, chromedp.Text(chromedp.CSS(".msg")))
	must(t, err)
	for _, want := range []string{"qualified opinion and 1 exception(s)", "soc2-report.pdf is kept as evidence"} {
		if !strings.Contains(msg, want) {
			t.Errorf("after recording the report: %q lacks %q", msg, want)
		}
	}
	reports, err := s.db.Store.Reports(ctx, engA)
	must(t, err)
	if len(reports) != 1 || len(reports[0].Report.Exceptions) != 1 || reports[0].Report.File == nil {
		t.Fatalf("recorded reports: %+v", reports)
	}
	if e := reports[0].Report.Exceptions[0]; e.Ref != "ACC-04" || e.ManagementResponse != "Reviews are now scheduled with reminders." {
		t.Errorf("the exception as recorded: %+v", e)
	}
	if f := reports[0].Report.File; f.Filename != "soc2-report.pdf" {
		t.Errorf("the report's file: %+v", f)
	}
	if _, err := s.svc.Blobs.Stat(ctx, reports[0].Report.File.SHA256); err != nil {
		t.Errorf("the report's bytes are not in the blob store: %v", err)
	}
	screenshot(t, lead, "engagement-report-recorded")

	// The lead maps the unmapped question; its owner is asked.
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"#h-reviews"),
		chromedp.WaitVisible(chromedp.ID("triage-Q2")),
		chromedp.SendKeys(chromedp.ID("map-"+rid+"-Q2"), "CHG-01"),
		chromedp.Click(chromedp.CSS(`#triage-Q2 button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "mapping Q2")
	if q := s.question(t, rid, "Q2"); q.Status != custreview.StatusRouted || q.Owner == "" {
		t.Fatalf("Q2 after mapping: %+v", q)
	}

	// The owner of ACC-04 answers Q1 on their own page.
	pid := workflows.PromptWorkflowID(engA, "customer-review/"+rid+"/Q1")
	waitFor(t, "Q1's prompt", func() bool {
		for _, p := range s.openFor(engA, delegateA) {
			if p.ID == pid {
				return true
			}
		}
		return false
	})
	owner := newPerson()
	s.signInByLink(t, owner, delegateA, engA)
	form := `form.answer:has(input[name=prompt][value="` + pid + `"])`
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(form)),
	))
	legend, err := chromedp.Run(owner, chromedp.Text(chromedp.CSS(form+" legend")))
	must(t, err)
	if !strings.Contains(legend, "Do you review access quarterly?") || !strings.Contains(legend, "Acme Bank") {
		t.Errorf("the owner's question reads %q", legend)
	}
	must(t, retrySwapped(func() error {
		return chromedp.Do(owner,
			chromedp.Click(chromedp.CSS(form+` input[value="`+workflows.ChoiceAnswer+`"]`)),
			chromedp.SendKeys(chromedp.CSS(form+` textarea`), "Yes: every quarter, tracked in the access review log."),
			chromedp.SendKeys(chromedp.CSS(form+` input[name=link]`), "https://wiki.brightlane.io/acc-04"),
			chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
		)
	}))
	assertNoError(t, owner, "the owner's answer to Q1")
	waitFor(t, "Q1 recorded as answered", func() bool { return s.question(t, rid, "Q1").Status == custreview.StatusAnswered })

	// The owner explains, in their own words, what the exception on their
	// control means for a customer.
	waitFor(t, "the owner's reading", func() bool {
		d, err := s.svc.MyReadings(ctx, engA, delegateA)
		return err == nil && len(d) > 0
	})
	explain := `form.explain[data-subject="exception:1"]`
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(explain)),
	))
	accessibilityBasics(t, owner, "owner with the report to explain")
	must(t, chromedp.Do(owner,
		chromedp.SendKeys(chromedp.CSS(explain+" textarea"), "Two reviews ran late; no access was left in place, and reminders now fire."),
		chromedp.Click(chromedp.CSS(explain+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, owner, "the owner's explanation")
	waitFor(t, "the explanation recorded", func() bool {
		rs, err := s.db.Store.Reports(ctx, engA)
		if err != nil || len(rs) == 0 {
			return false
		}
		for _, e := range rs[0].Explained {
			if e.Subject == "exception:1" && e.WrittenBy == delegateA && strings.HasPrefix(e.Body, "Two reviews ran late") {
				return true
			}
		}
		return false
	})
	// Another owner cannot write it through a form field.
	if got := s.signIn(ownerA, engA).post("/e/"+engA+"/explain", url.Values{"report": {reports[0].Key.String()}, "subject": {"exception:1"},
		"text": {"not mine"}}).StatusCode; got != http.StatusNotFound {
		t.Errorf("another owner explaining exception 1: %d, want 404", got)
	}

	// Others cannot approve it, allow files or map by URL, ID or field.
	s.isolation(t, rid)

	// The lead approves Q1 and allows files in the export.
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"#h-reviews"),
		chromedp.WaitVisible(chromedp.ID("answer-Q1")),
		chromedp.Click(chromedp.CSS(`#answer-Q1 button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "approving Q1")
	if q := s.question(t, rid, "Q1"); q.Status != custreview.StatusApproved || q.ApprovedBy != leadA {
		t.Fatalf("Q1 after approval: %+v", q)
	}
	must(t, chromedp.Do(lead,
		chromedp.Click(chromedp.CSS(`form.allow-files button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "allowing files")
	must(t, chromedp.Do(lead, chromedp.WaitVisible(chromedp.CSS(`a.with-files`))))
	screenshot(t, lead, "engagement-review-desk")
	reviews, err := s.svc.CustomerReviews(ctx, engA)
	must(t, err)
	if len(reviews) != 1 || reviews[0].Files.By != leadA {
		t.Fatalf("the files decision: %+v", reviews)
	}
	// The lead's download with files is the zip.
	c := s.signIn(leadA, engA)
	resp := c.get("/e/" + engA + "/reviews/" + rid + "/export?files=1")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("the export with files: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// question reads one question of engagement A's review.
func (s *site) question(t *testing.T, rid, id string) postgres.CustomerQuestion {
	t.Helper()
	qs, err := s.db.Store.CustomerQuestions(context.Background(), engA, rid)
	must(t, err)
	for _, q := range qs {
		if q.QuestionID == id {
			return q
		}
	}
	t.Fatalf("no question %s in %s", id, rid)
	return postgres.CustomerQuestion{}
}

// isolation: client B's lead, through their own engagement's URLs with A's
// review and question IDs, or A's URLs; A's owner and consultant on the
// lead's forms; a cross-site post. None changes anything of A's.
func (s *site) isolation(t *testing.T, rid string) {
	t.Helper()
	before := s.question(t, rid, "Q1")
	approve := url.Values{"question": {"Q1"}}
	otherLead := s.signIn(leadB, engB)
	for _, path := range []string{"/e/" + engA + "/reviews/" + rid + "/approve", "/e/" + engA + "/reviews/" + rid + "/allow-files", "/e/" + engA + "/report"} {
		if got := otherLead.post(path, approve).StatusCode; got != http.StatusNotFound {
			t.Errorf("client B's lead POST %s: %d, want 404", path, got)
		}
	}
	if got := otherLead.get("/e/" + engA + "/reviews/" + rid + "/export").StatusCode; got != http.StatusNotFound {
		t.Errorf("client B's lead downloads A's review: %d, want 404", got)
	}
	// Their own engagement's URL with A's review ID reaches nothing of A's.
	for _, path := range []string{"/e/" + engB + "/reviews/" + rid + "/approve", "/e/" + engB + "/reviews/" + rid + "/allow-files"} {
		resp := otherLead.post(path, approve)
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "err=") {
			t.Errorf("client B's lead POST %s: %d %s, want a refusal", path, resp.StatusCode, loc)
		}
	}
	if loc := otherLead.get("/e/" + engB + "/reviews/" + rid + "/export?files=1").Header.Get("Location"); !strings.Contains(loc, "err=") {
		t.Errorf("client B's lead exports A's review through B: %q, want a refusal", loc)
	}
	for _, who := range []string{ownerA, consultant} {
		c := s.signIn(who, engA)
		for _, path := range []string{"/e/" + engA + "/reviews/" + rid + "/approve", "/e/" + engA + "/reviews/" + rid + "/allow-files",
			"/e/" + engA + "/reviews/" + rid + "/map"} {
			if got := c.post(path, url.Values{"question": {"Q2"}, "control": {"ACC-01"}}).StatusCode; got != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, path, got)
			}
		}
	}
	lead := s.signIn(leadA, engA)
	if got := lead.postFrom("/e/"+engA+"/reviews/"+rid+"/approve", approve, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("a cross-site approval: %d, want 403", got)
	}
	after := s.question(t, rid, "Q1")
	if after.Status != before.Status || after.ApprovedBy != "" {
		t.Errorf("Q1 changed under refused requests: %+v", after)
	}
	reviews, err := s.svc.CustomerReviews(context.Background(), engA)
	must(t, err)
	if reviews[0].Files.Allowed() {
		t.Errorf("files were allowed by a refused request: %+v", reviews[0].Files)
	}
}
