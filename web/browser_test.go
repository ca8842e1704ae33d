package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The browser tests drive Debian's chromium with chromedp. Screenshots of
// every page go to web/.artifacts/screenshots (gitignored) for a person to
// look at; CI keeps them as artifacts.

// chromiumPath finds the browser; without it the test fails in CI and is
// skipped elsewhere, saying how to install it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("STEADFAST_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "chromium is not installed; `apt-get install -y chromium` (scripts/chromium.sh does it) or set STEADFAST_CHROMIUM"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// browser starts headless chromium for the test and returns a function
// that opens a fresh browser context (its own cookies) per person.
func browser(t *testing.T) func() context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		// The test server's certificate is its own; Secure cookies need TLS.
		chromedp.Flag("ignore-certificate-errors", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 1000),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	root, cancelRoot := chromedp.NewContext(alloc)
	t.Cleanup(cancelRoot)
	if err := chromedp.Do(root); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return func() context.Context {
		ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		// The first run opens the tab; a timeout belongs on what follows.
		must(t, chromedp.Do(ctx))
		ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
		t.Cleanup(cancelT)
		return ctx
	}
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := filepath.Join(".artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".jpg"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// signInByLink opens a sign-in link and presses the button, as a person
// would from their DM.
func (s *site) signInByLink(t *testing.T, ctx context.Context, email, id string) {
	t.Helper()
	if err := chromedp.Do(ctx,
		chromedp.Navigate(s.ts.URL+"/signin?token="+s.link(email, id)),
		chromedp.WaitVisible(chromedp.ID("signin")),
		chromedp.Click(chromedp.ID("signin")),
		chromedp.WaitVisible(chromedp.CSS("nav .me")),
	); err != nil {
		t.Fatalf("sign in %s: %v", email, err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	must(t, err)
	if h1 != "Your engagements" {
		t.Fatalf("after signing in %s the page is %q", email, h1)
	}
}

// accessibilityBasics checks what a keyboard and a screen reader need:
// one h1 and no skipped heading levels, a label for every field, and Tab
// reaching the skip link first with a visible focus ring.
func accessibilityBasics(t *testing.T, ctx context.Context, page string) {
	t.Helper()
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`(() => {
		const p = [];
		const hs = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]);
		if (hs.filter(l => l === 1).length !== 1) p.push('want exactly one h1, got ' + hs.filter(l => l === 1).length);
		for (let i = 1; i < hs.length; i++) if (hs[i] > hs[i-1] + 1) p.push('heading level skips from h' + hs[i-1] + ' to h' + hs[i]);
		for (const el of document.querySelectorAll('input:not([type=hidden]),textarea,select')) {
			const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
			if (!named) p.push('field without a label: ' + (el.name || el.id));
		}
		if (!document.documentElement.lang) p.push('no lang on <html>');
		return p;
	})()`))
	must(t, err)
	_, err = chromedp.Run(ctx, chromedp.Evaluate[any](`document.activeElement && document.activeElement.blur(); window.scrollTo(0,0); ''`))
	must(t, err)
	must(t, chromedp.Do(ctx, chromedp.KeyEvent(kb.Tab)))
	focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.className`))
	must(t, err)
	outline, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`))
	must(t, err)
	if focused != "skip" {
		problems = append(problems, "Tab does not reach the skip link first (got class "+focused+")")
	}
	if outline == "none" {
		problems = append(problems, "the focused element has no visible outline")
	}
	for _, p := range problems {
		t.Errorf("%s: %s", page, p)
	}
}

// retrySwapped runs act again when a live swap removed the node it was
// acting on ("Could not find node with given id"), at most five times.
func retrySwapped(act func() error) error {
	var err error
	for range 5 {
		if err = act(); err == nil || !strings.Contains(err.Error(), "Could not find node") {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
	return err
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestBrowserLeadOwnerLive runs the engagement for real (Temporal dev
// server, the worker with its identity check, Postgres) and drives it from
// chromium: the lead signs in by link and approves the scope, sees the gap
// assessment's per-owner progress appear without reloading, an owner
// answers in another browser, and the lead's page shows it within seconds.
func TestBrowserLeadOwnerLive(t *testing.T) {
	newPerson := browser(t)
	tmp := testenv.DevServer(t)
	s := newSite(t)
	s.svc.Temporal = tmp.Client
	const queue = "web-browser-test"
	s.svc.TaskQueue = queue
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testKey)})
	workflows.Register(w, &activities.Activities{Store: s.db.Store, Temporal: tmp.Client})
	must(t, w.Start())
	t.Cleanup(w.Stop)
	ctx := context.Background()
	if _, err := s.svc.Start(ctx, engagement.StartRequest{Spec: s.specs[engA], Actor: identity.CLIActor(consultant)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lead's scope sign-off", func() bool { return len(s.openFor(engA, leadA)) > 0 })

	lead := newPerson()
	s.signInByLink(t, lead, leadA, engA)
	screenshot(t, lead, "portfolio-lead")
	accessibilityBasics(t, lead, "portfolio")
	must(t, chromedp.Do(lead,
		chromedp.Navigate(s.ts.URL+"/e/"+engA),
		chromedp.WaitVisible(chromedp.ID(`h-decide`)),
	))
	screenshot(t, lead, "engagement-signoff")
	accessibilityBasics(t, lead, "engagement")
	must(t, chromedp.Do(lead,
		chromedp.Click(chromedp.CSS(`section[data-live-part=decide] input[value="`+workflows.DecisionApprove+`"]`)),
		chromedp.Click(chromedp.CSS(`section[data-live-part=decide] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, lead, "approving the scope")
	// The page stays open; the gap assessment asks its questions and the
	// live poll brings the progress table in.
	_, err := chromedp.Run(lead, chromedp.Evaluate[any](`window.__notReloaded = 42`))
	must(t, err)
	waitFor(t, "the owner's first question", func() bool { return len(s.openFor(engA, ownerA)) > 0 })
	must(t, chromedp.Do(lead, chromedp.WaitVisible(chromedp.ID(`progress`))))
	// The assessment opens its questions one owner after another; the
	// live poll (every few seconds, no reload) brings each owner's row in.
	var before string
	waitFor(t, "the progress table to list "+ownerA+" without a reload", func() bool {
		before, err = liveText(lead, "progress")
		return err == nil && strings.Contains(before, ownerA)
	})
	screenshot(t, lead, "engagement-progress")

	owner := newPerson()
	s.signInByLink(t, owner, ownerA, engA)
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(`form.answer`)),
	))
	screenshot(t, owner, "owner-questions")
	accessibilityBasics(t, owner, "owner")
	// The owner's page is live too: while the assessment opens further
	// questions a swap may replace the form between finding a node and
	// acting on it, as it would under a person's cursor. Then the whole
	// answer is given again on the fresh form.
	must(t, retrySwapped(func() error {
		return chromedp.Do(owner,
			chromedp.Click(chromedp.CSS(`form.answer input[value="`+workflows.AssessImplemented+`"]`)),
			chromedp.SendKeys(chromedp.CSS(`form.answer textarea`), "Quarterly reviews in the tracker since 2025"),
			chromedp.Click(chromedp.CSS(`form.answer button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
		)
	}))
	assertNoError(t, owner, "the owner's answer")

	// The lead's page, untouched, shows the owner's first answer.
	deadline := time.Now().Add(20 * time.Second)
	for {
		row, err := liveText(lead, "progress")
		must(t, err)
		if ownerAnswered(row, ownerA) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the lead's page did not show %s's answer within 20 s:\n%s", ownerA, row)
		}
		time.Sleep(300 * time.Millisecond)
	}
	marker, err := chromedp.Run(lead, chromedp.Evaluate[int](`window.__notReloaded`))
	must(t, err)
	if marker != 42 {
		t.Error("the lead's page was reloaded; it should have updated in place")
	}
	screenshot(t, lead, "engagement-updated")
	liveBySlack(t, s, lead)

	// The trail names the signed-in owner and the web.
	answered, err := s.db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engA, Addressee: ownerA, Status: postgres.PromptAnswered})
	must(t, err)
	if len(answered) == 0 || answered[0].AnsweredBy != ownerA || answered[0].AnsweredVia != compliance.ChannelWeb {
		t.Errorf("the answer is recorded as %+v; want by %s via web", answered, ownerA)
	}
}

// ownerAnswered reads "N of M" from the owner's row of the progress table.
func ownerAnswered(table, owner string) int {
	for _, line := range strings.Split(table, "\n") {
		if !strings.Contains(line, owner) {
			continue
		}
		f := strings.Fields(strings.TrimSpace(strings.ReplaceAll(line, owner, "")))
		if len(f) > 0 && f[0] != "0" {
			return 1
		}
		return 0
	}
	return 0
}

func assertNoError(t *testing.T, ctx context.Context, what string) {
	t.Helper()
	errText, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('.err')||{}).textContent||''`))
	must(t, err)
	if errText != "" {
		t.Fatalf("%s was refused: %s", what, errText)
	}
}

func (s *site) openFor(id, email string) []postgres.Prompt {
	ps, err := s.db.Store.Prompts(context.Background(), postgres.PromptFilter{EngagementID: id, Addressee: email, Status: postgres.PromptOpen})
	if err != nil {
		s.t.Fatal(err)
	}
	return ps
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// TestBrowserAuditor: an invited auditor downloads a sampled occurrence's
// evidence from the auditor's room and is refused another engagement.
func TestBrowserAuditor(t *testing.T) {
	newPerson := browser(t)
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	if n := s.seedEvidence(t, engA, now); n == 0 {
		t.Fatal("no evidence seeded")
	}
	s.invite(auditorA, engA, compliance.DateOf(now).AddDays(30))
	aud := newPerson()
	s.signInByLink(t, aud, auditorA, engA)
	must(t, chromedp.Do(aud,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/audit"),
		chromedp.WaitVisible(chromedp.CSS(`a.evidence`)),
	))
	screenshot(t, aud, "auditor-room")
	accessibilityBasics(t, aud, "auditor's room")
	href, err := chromedp.Run(aud, chromedp.AttributeValue(chromedp.CSS("a.evidence"), "href"))
	must(t, err)
	// The browser fetches the download with its own session cookie.
	got, err := chromedp.Run(aud, chromedp.Evaluate[string](`fetch(document.querySelector('a.evidence').href).then(r => r.status + ' ' + r.headers.get('Content-Disposition'))`, chromedp.EvalAwaitPromise))
	must(t, err)
	text, err := chromedp.Run(aud, chromedp.Evaluate[string](`fetch(document.querySelector('a.evidence').href).then(r => r.text())`, chromedp.EvalAwaitPromise))
	must(t, err)
	if !strings.HasPrefix(got, "200 attachment") || !strings.Contains(text, "https://drive.example/"+engA+"/") || !strings.Contains(text, "sha256: ") {
		t.Errorf("evidence download %s: %q\n%s", href.Value, got, text)
	}
	// Another engagement, by URL: refused with the same words as a
	// missing one, and its evidence IDs reach nothing.
	must(t, chromedp.Do(aud, chromedp.Navigate(s.ts.URL+"/e/"+engB+"/audit")))
	refused, err := chromedp.Run(aud, chromedp.Text(chromedp.CSS("body")))
	must(t, err)
	if !strings.Contains(refused, engagement.ErrNoAccess.Error()) {
		t.Errorf("another engagement's auditor's room showed:\n%s", refused)
	}
	screenshot(t, aud, "auditor-refused")
}
