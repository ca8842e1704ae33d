package main

import (
	"context"
	"io"
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
// question showing its background, and explains the report's exception;
// the lead approves the explanation on the engagement page (its author,
// a lead delegate, is refused with the validator's sentence); the lead
// returns the answer with a reason, sees it returned, the owner answers
// the second prompt carrying the reason, and the lead approves the new
// answer and allows files in the export. Another client's lead, an owner
// and the consultant are refused every one of these by URL, ID or form
// field, and nothing they send changes the record.
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
	// The others, signed in once each (sign-ins from one address are
	// rate-limited).
	people := map[string]*client{}
	for _, p := range [][2]string{{ownerA, engA}, {consultant, engA}, {leadB, engB}, {leadA, engA}} {
		people[p[0]] = s.signIn(p[0], p[1])
	}
	// Another owner cannot write it through a form field.
	if got := people[ownerA].post("/e/"+engA+"/explain", url.Values{"report": {reports[0].Key.String()}, "subject": {"exception:1"},
		"text": {"not mine"}}).StatusCode; got != http.StatusNotFound {
		t.Errorf("another owner explaining exception 1: %d, want 404", got)
	}

	// The explanations waiting for approval are on the lead's page. The
	// owner, a lead delegate, sees the button but may not approve their
	// own words: the validator's sentence, as the CLI prints it.
	approveExp := `tr[data-subject="exception:1"] form.approve-explanation`
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"#h-explained"),
		chromedp.WaitVisible(chromedp.CSS(approveExp)),
		chromedp.Click(chromedp.CSS(approveExp+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	refusal, err := chromedp.Run(owner, chromedp.Text(chromedp.CSS(".err")))
	must(t, err)
	if want := delegateA + " wrote this explanation and may not approve it too"; !strings.Contains(refusal, want) {
		t.Errorf("the author approving their own explanation: %q, want %q", refusal, want)
	}
	if strings.Contains(refusal, "retryable") || strings.Contains(refusal, "type:") {
		t.Errorf("the refusal carries Temporal's wording: %q", refusal)
	}
	s.explanationIsolation(t, reports[0].Key.String(), people)
	// The lead approves it; it leaves the list and the owner's page says so.
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"#h-explained"),
		chromedp.WaitVisible(chromedp.CSS(approveExp)),
	))
	shown, err := chromedp.Run(lead, chromedp.Text(chromedp.CSS(`tr[data-subject="exception:1"]`)))
	must(t, err)
	for _, want := range []string{"Two reviews ran late", delegateA, "exception 1 (ACC-04)"} {
		if !strings.Contains(shown, want) {
			t.Errorf("the explanation to approve reads %q, lacks %q", shown, want)
		}
	}
	must(t, chromedp.Do(lead,
		chromedp.Click(chromedp.CSS(approveExp+" button[type=submit]")),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "approving the explanation")
	msg, err = chromedp.Run(lead, chromedp.Text(chromedp.CSS(".msg")))
	must(t, err)
	if !strings.Contains(msg, "The explanation of exception:1 by "+delegateA+" is approved by "+leadA) {
		t.Errorf("after approving the explanation: %q", msg)
	}
	if n, err := chromedp.Run(lead, chromedp.Evaluate[int](`document.querySelectorAll('form.approve-explanation').length`)); err != nil || n != 0 {
		t.Errorf("approved, the explanation is still offered for approval (%d forms, %v)", n, err)
	}
	rs, err := s.db.Store.Reports(ctx, engA)
	must(t, err)
	for _, e := range rs[0].Explained {
		if e.Subject == "exception:1" && e.ApprovedBy != leadA {
			t.Errorf("the explanation as recorded: %+v", e)
		}
	}
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(explain)),
	))
	if st, err := chromedp.Run(owner, chromedp.Text(chromedp.CSS(explain+" .approved"))); err != nil || !strings.Contains(st, "Approved by "+leadA) {
		t.Errorf("the owner's page after the approval: %q %v", st, err)
	}

	// Others cannot approve it, allow files or map by URL, ID or field.
	s.isolation(t, rid, people)

	// The lead returns Q1's answer to its owner with a reason; the desk
	// shows it returned with the reason, and the owner is asked again.
	const why = "Name the log, and link last quarter's review."
	blank := people[leadA].post("/e/"+engA+"/reviews/"+rid+"/return", url.Values{"question": {"Q1"}, "reason": {"  "}})
	if got := refusedWith(blank); !strings.Contains(got, "say why the answer goes back") {
		t.Errorf("a return without a reason (the form's required bypassed): %d %q", blank.StatusCode, got)
	}
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"#h-reviews"),
		chromedp.WaitVisible(chromedp.ID("answer-Q1")),
		chromedp.SendKeys(chromedp.ID("return-"+rid+"-Q1"), why),
		chromedp.Click(chromedp.CSS(`#answer-Q1 form.return button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "returning Q1")
	must(t, chromedp.Do(lead, chromedp.WaitVisible(chromedp.ID("returned-Q1"))))
	returned, err := chromedp.Run(lead, chromedp.Text(chromedp.ID("returned-Q1")))
	must(t, err)
	for _, want := range []string{why, leadA, "Yes: every quarter"} {
		if !strings.Contains(returned, want) {
			t.Errorf("the returned row reads %q, lacks %q", returned, want)
		}
	}
	if cell, err := chromedp.Run(lead, chromedp.Text(chromedp.CSS(".on-owners"))); err != nil || !strings.Contains(cell, "1 returned by the lead") {
		t.Errorf("the open review's questions on owners: %q %v", cell, err)
	}
	if q := s.question(t, rid, "Q1"); q.Status != custreview.StatusReturned || q.ReturnedReason != why || q.ReturnedBy != leadA {
		t.Fatalf("Q1 after the return: %+v", q)
	}
	screenshot(t, lead, "engagement-answer-returned")
	pid2 := workflows.PromptWorkflowID(engA, "customer-review/"+rid+"/Q1/round-2")
	waitFor(t, "Q1's second prompt", func() bool {
		for _, p := range s.openFor(engA, delegateA) {
			if p.ID == pid2 {
				return true
			}
		}
		return false
	})
	again := `form.answer:has(input[name=prompt][value="` + pid2 + `"])`
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(again)),
	))
	legend, err = chromedp.Run(owner, chromedp.Text(chromedp.CSS(again+" legend")))
	must(t, err)
	if !strings.Contains(legend, why) || !strings.Contains(legend, "Yes: every quarter") {
		t.Errorf("the owner's second question reads %q", legend)
	}
	const newAnswer = "Every quarter, in the access review log (ServiceNow); last quarter's review is linked."
	must(t, retrySwapped(func() error {
		return chromedp.Do(owner,
			chromedp.Click(chromedp.CSS(again+` input[value="`+workflows.ChoiceAnswer+`"]`)),
			chromedp.SendKeys(chromedp.CSS(again+` textarea`), newAnswer),
			chromedp.SendKeys(chromedp.CSS(again+` input[name=link]`), "https://wiki.brightlane.io/acc-04/q3"),
			chromedp.Click(chromedp.CSS(again+` button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
		)
	}))
	assertNoError(t, owner, "the owner's second answer to Q1")
	waitFor(t, "Q1 answered again", func() bool {
		q := s.question(t, rid, "Q1")
		return q.Status == custreview.StatusAnswered && q.Answer == newAnswer
	})

	// The lead approves Q1 and allows files in the export.
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"#h-reviews"),
		chromedp.WaitVisible(chromedp.ID("answer-Q1")),
		chromedp.Click(chromedp.CSS(`#answer-Q1 button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "approving Q1")
	if q := s.question(t, rid, "Q1"); q.Status != custreview.StatusApproved || q.ApprovedBy != leadA || q.Answer != newAnswer {
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
	resp := people[leadA].get("/e/" + engA + "/reviews/" + rid + "/export?files=1")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("the export with files: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// refusedWith is the refusal a form post was sent back with ("" if none).
func refusedWith(resp *http.Response) string {
	if resp.StatusCode != http.StatusSeeOther {
		return ""
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return ""
	}
	return u.Query().Get("err")
}

// explanationIsolation: an owner who is not a lead sees no approval
// button and their forged approval is refused; client B's lead reaches
// nothing of A's through A's URL or their own; a cross-site approval is
// refused. The explanation stays unapproved.
func (s *site) explanationIsolation(t *testing.T, key string, people map[string]*client) {
	t.Helper()
	form := url.Values{"report": {key}, "subject": {"exception:1"}}
	// The owner has no engagement page; the consultant's has no button.
	for who, want := range map[string]int{ownerA: http.StatusNotFound, consultant: http.StatusOK} {
		resp := people[who].get("/e/" + engA)
		body, err := io.ReadAll(resp.Body)
		must(t, err)
		_ = resp.Body.Close()
		if resp.StatusCode != want || strings.Contains(string(body), "approve-explanation") {
			t.Errorf("%s's engagement page: %d (want %d), offers the approval: %v", who, resp.StatusCode, want, strings.Contains(string(body), "approve-explanation"))
		}
	}
	for _, who := range []string{ownerA, consultant} {
		if got := people[who].post("/e/"+engA+"/explanations/approve", form).StatusCode; got != http.StatusNotFound {
			t.Errorf("%s forging an approval: %d, want 404", who, got)
		}
	}
	otherLead := people[leadB]
	for _, path := range []string{"/e/" + engA + "/explanations/approve", "/e/" + engB + "/explanations/approve"} {
		if got := otherLead.post(path, form).StatusCode; got != http.StatusNotFound {
			t.Errorf("client B's lead POST %s: %d, want 404", path, got)
		}
	}
	if got := people[leadA].postFrom("/e/"+engA+"/explanations/approve", form, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("a cross-site approval: %d, want 403", got)
	}
	rs, err := s.db.Store.Reports(context.Background(), engA)
	must(t, err)
	for _, e := range rs[0].Explained {
		if e.ApprovedBy != "" {
			t.Errorf("an explanation was approved by a refused request: %+v", e)
		}
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
func (s *site) isolation(t *testing.T, rid string, people map[string]*client) {
	t.Helper()
	before := s.question(t, rid, "Q1")
	approve := url.Values{"question": {"Q1"}}
	otherLead := people[leadB]
	for _, path := range []string{"/e/" + engA + "/reviews/" + rid + "/approve", "/e/" + engA + "/reviews/" + rid + "/allow-files", "/e/" + engA + "/report",
		"/e/" + engA + "/reviews/" + rid + "/return"} {
		if got := otherLead.post(path, approve).StatusCode; got != http.StatusNotFound {
			t.Errorf("client B's lead POST %s: %d, want 404", path, got)
		}
	}
	if got := otherLead.get("/e/" + engA + "/reviews/" + rid + "/export").StatusCode; got != http.StatusNotFound {
		t.Errorf("client B's lead downloads A's review: %d, want 404", got)
	}
	// Their own engagement's URL with A's review ID reaches nothing of A's.
	for _, path := range []string{"/e/" + engB + "/reviews/" + rid + "/approve", "/e/" + engB + "/reviews/" + rid + "/allow-files",
		"/e/" + engB + "/reviews/" + rid + "/return"} {
		resp := otherLead.post(path, url.Values{"question": {"Q1"}, "reason": {"not theirs"}})
		if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || !strings.Contains(loc, "err=") {
			t.Errorf("client B's lead POST %s: %d %s, want a refusal", path, resp.StatusCode, loc)
		}
	}
	if loc := otherLead.get("/e/" + engB + "/reviews/" + rid + "/export?files=1").Header.Get("Location"); !strings.Contains(loc, "err=") {
		t.Errorf("client B's lead exports A's review through B: %q, want a refusal", loc)
	}
	for _, who := range []string{ownerA, consultant} {
		c := people[who]
		for _, path := range []string{"/e/" + engA + "/reviews/" + rid + "/approve", "/e/" + engA + "/reviews/" + rid + "/allow-files",
			"/e/" + engA + "/reviews/" + rid + "/map", "/e/" + engA + "/reviews/" + rid + "/return"} {
			if got := c.post(path, url.Values{"question": {"Q1"}, "control": {"ACC-01"}, "reason": {"not the lead"}}).StatusCode; got != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, path, got)
			}
		}
	}
	lead := people[leadA]
	if got := lead.postFrom("/e/"+engA+"/reviews/"+rid+"/approve", approve, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("a cross-site approval: %d, want 403", got)
	}
	after := s.question(t, rid, "Q1")
	if after.Status != before.Status || after.ApprovedBy != "" || after.Returns != 0 {
		t.Errorf("Q1 changed under refused requests: %+v", after)
	}
	reviews, err := s.svc.CustomerReviews(context.Background(), engA)
	must(t, err)
	if reviews[0].Files.Allowed() {
		t.Errorf("files were allowed by a refused request: %+v", reviews[0].Files)
	}
}
