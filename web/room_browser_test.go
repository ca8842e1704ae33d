package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	tclient "go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// liveWindow moves engagement id's SOC 2 window around today (the dev
// server's clock is the wall clock): it began four months ago and runs two
// more, so occurrences have fallen due and the audit is ahead.
func (s *site) liveWindow(id string) *compliance.Spec {
	s.t.Helper()
	spec := s.specs[id]
	today := compliance.DateOf(time.Now().UTC())
	start := compliance.Date{Year: today.AddDays(-120).Year, Month: today.AddDays(-120).Month, Day: 1}
	for i := range spec.Frameworks {
		if spec.Frameworks[i].Window != nil {
			spec.Frameworks[i].Window.Start, spec.Frameworks[i].Window.End = start, today.AddDays(60)
		}
	}
	spec.AuditDate = today.AddDays(90)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	err = s.db.Store.RecordScope(context.Background(), postgres.ScopeRecord{EngagementID: id,
		WorkflowID: workflows.EngagementWorkflowID(id), Revision: 1, Spec: *spec, Plan: plan,
		Phase: workflows.PhaseOperated, RecordedBy: "test", At: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	return spec
}

// runEngagement runs engagement id on the dev server with the worker (and
// its identity check), its window closed and waiting for the readiness
// review: the phase in which the auditor's requests arrive.
func (s *site) runEngagement(t *testing.T, tmp testenv.Temporal, spec *compliance.Spec) {
	t.Helper()
	const queue = "web-room-browser-test"
	s.svc.Temporal, s.svc.TaskQueue = tmp.Client, queue
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testKey)})
	workflows.Register(w, &activities.Activities{Store: s.db.Store, Temporal: tmp.Client})
	must(t, w.Start())
	t.Cleanup(w.Stop)
	_, plan, err := s.db.Store.SpecAndPlan(context.Background(), spec.ID)
	must(t, err)
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: workflows.PhaseOperated, Revision: 1,
		Spec: *spec, Plan: &plan, OperatingStarted: true, OperatingClosed: true, StartedAt: time.Now(), UpdatedAt: time.Now()}
	id := workflows.EngagementWorkflowID(spec.ID)
	_, err = tmp.Client.ExecuteWorkflow(context.Background(), tclient.StartWorkflowOptions{ID: id, TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	must(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") })
}

// TestBrowserAuditorsRoom drives the auditor's room and the owner's page
// in chromium against the real engagement (dev server, worker, Postgres,
// the local blob store): the lead invites the auditor; the auditor adds a
// request; the owner answers it in another browser; the auditor sees the
// answer. The owner uploads a file for a sampled occurrence; the auditor
// downloads those bytes, and the signed pack carries the answered request
// and the file.
func TestBrowserAuditorsRoom(t *testing.T) {
	newPerson := browser(t)
	tmp := testenv.DevServer(t)
	s := newSite(t)
	key, err := evidencepack.GenerateKey()
	must(t, err)
	s.srv.PackKey = key
	spec := s.liveWindow(engA)
	s.runEngagement(t, tmp, spec)
	ctx := context.Background()
	must(t, s.svc.InviteAuditor(ctx, engagement.InviteAuditorRequest{EngagementID: engA, Email: auditorA,
		Until: compliance.DateOf(time.Now()).AddDays(30), Actor: identity.CLIActor(leadA)}))

	// A sampled occurrence of one of the owner's controls that the owner
	// page offers for upload.
	rep, err := engagement.ReviewAsOf(ctx, s.db.Store, engagement.ReadinessRequest{EngagementID: engA}, time.Now())
	must(t, err)
	offered, err := s.svc.OwnerRoom(ctx, engA, ownerA)
	must(t, err)
	var control, occ string
	for _, c := range rep.Controls {
		for _, sm := range c.Sample {
			if c.Owner == ownerA && occ == "" && slices.ContainsFunc(offered.Uploads, func(u engagement.UploadTarget) bool { return u.Key == sm.OccurrenceKey }) {
				control, occ = c.ID, sm.OccurrenceKey
			}
		}
	}
	if occ == "" {
		t.Fatalf("no sampled occurrence of %s's controls is offered for upload", ownerA)
	}

	// The auditor asks.
	aud := newPerson()
	s.signInByLink(t, aud, auditorA, engA)
	due := compliance.DateOf(time.Now()).AddDays(14).String()
	must(t, chromedp.Do(aud,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/audit"),
		chromedp.WaitVisible(chromedp.ID("h-ask")),
	))
	accessibilityBasics(t, aud, "auditor's room")
	must(t, chromedp.Do(aud,
		chromedp.SendKeys(chromedp.ID("ask-ref"), "PBC-7"),
		chromedp.SendKeys(chromedp.ID("ask-control"), control),
		chromedp.SendKeys(chromedp.ID("ask-desc"), "Evidence of the latest "+control+" occurrence"),
		chromedp.SetValue(chromedp.ID("ask-due"), due),
		chromedp.Click(chromedp.CSS(`form.ask button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, aud, "the auditor's request")
	screenshot(t, aud, "room-request-added")

	// The owner answers it from their page, in another browser.
	waitFor(t, "the request's question to "+ownerA, func() bool {
		for _, p := range s.openFor(engA, ownerA) {
			if p.Kind == auditreq.PromptKind {
				return true
			}
		}
		return false
	})
	owner := newPerson()
	s.signInByLink(t, owner, ownerA, engA)
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(`section[data-live-part=audit] form.answer`)),
	))
	screenshot(t, owner, "owner-audit-request")
	accessibilityBasics(t, owner, "owner page")
	must(t, chromedp.Do(owner,
		chromedp.Click(chromedp.CSS(`section[data-live-part=audit] input[value="`+auditreq.ChoiceProvided+`"]`)),
		chromedp.SendKeys(chromedp.CSS(`section[data-live-part=audit] input[type=url]`), "https://drive.example/pbc-7"),
		chromedp.Click(chromedp.CSS(`section[data-live-part=audit] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, owner, "the owner's answer to the request")
	waitFor(t, "the request to be answered", func() bool {
		rs, err := s.db.Store.AuditRequests(ctx, engA, postgres.AuditRequestFilter{Status: postgres.AuditAnswered})
		return err == nil && len(rs) == 1
	})

	// The auditor sees the answer in the room.
	must(t, chromedp.Do(aud, chromedp.Navigate(s.ts.URL+"/e/"+engA+"/audit"), chromedp.WaitVisible(chromedp.CSS(`tr[data-request="PBC-7"]`))))
	row, err := chromedp.Run(aud, chromedp.Text(chromedp.CSS(`tr[data-request="PBC-7"]`)))
	must(t, err)
	if !strings.Contains(row, auditreq.ChoiceProvided) || !strings.Contains(row, "https://drive.example/pbc-7") || !strings.Contains(row, ownerA) {
		t.Errorf("the room's row for PBC-7 does not show the owner's answer: %q", row)
	}
	screenshot(t, aud, "room-request-answered")

	// A request about no control goes to the lead; the lead's delegate
	// answers it from their own page (the prompt's validator lets them).
	audHTTP := s.signIn(auditorA, engA)
	resp := audHTTP.post("/e/"+engA+"/audit/requests", url.Values{"request": {"PBC-8"}, "description": {"The organisation chart as of the window's start"}, "due": {due}})
	if loc, _ := url.QueryUnescape(resp.Header.Get("Location")); !strings.Contains(loc, "sent to "+leadA) {
		t.Fatalf("PBC-8 was not sent to the lead: %s", loc)
	}
	var leadQ postgres.Prompt
	waitFor(t, "PBC-8's question to the lead", func() bool {
		for _, p := range s.openFor(engA, leadA) {
			if p.Kind == auditreq.PromptKind {
				leadQ = p
				return true
			}
		}
		return false
	})
	del := s.signIn(delegateA, engA)
	if page := body(t, del.get("/e/"+engA+"/mine")); !strings.Contains(page, `id="h-lead"`) || !strings.Contains(page, leadQ.ID) {
		t.Fatalf("the delegate's page does not offer the lead's question %s", leadQ.ID)
	}
	if got := s.signIn(ownerA, engA).post("/e/"+engA+"/answer", url.Values{"prompt": {leadQ.ID}, "choice": {auditreq.ChoiceCannotProvide}, "note": {"x"}}).StatusCode; got != http.StatusNotFound {
		t.Errorf("an owner who is not a delegate answered the lead's question: %d, want 404", got)
	}
	resp = del.post("/e/"+engA+"/answer", url.Values{"prompt": {leadQ.ID}, "choice": {auditreq.ChoiceCannotProvide},
		"note": {"The chart is rebuilt monthly; the March one was not kept"}, "back": {"/e/" + engA + "/mine"}})
	if loc, _ := url.QueryUnescape(resp.Header.Get("Location")); !strings.Contains(loc, "msg=Answer recorded") {
		t.Fatalf("the delegate's answer: %s", loc)
	}
	waitFor(t, "PBC-8 answered by the delegate", func() bool {
		rs, err := s.db.Store.AuditRequests(ctx, engA, postgres.AuditRequestFilter{Status: postgres.AuditAnswered})
		return err == nil && len(rs) == 2
	})
	answered, err := s.db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engA, Addressee: leadA, Status: postgres.PromptAnswered})
	must(t, err)
	if len(answered) != 1 || answered[0].AnsweredBy != delegateA || answered[0].AnsweredVia != compliance.ChannelWeb {
		t.Errorf("the lead's question is recorded as %+v; want answered by %s via web", answered, delegateA)
	}

	// The owner uploads a file for the sampled occurrence.
	content := []byte("%PDF-1.4\n% minutes of the access review for " + occ + "\n")
	file := filepath.Join(t.TempDir(), "review minutes.pdf")
	must(t, os.WriteFile(file, content, 0o600))
	must(t, chromedp.Do(owner,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.ID("h-upload")),
		chromedp.SetValue(chromedp.ID("up-occ"), occ),
		chromedp.SetUploadFiles(chromedp.ID("up-file"), []string{file}),
		chromedp.Click(chromedp.CSS(`form.upload button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, owner, "the owner's upload")
	screenshot(t, owner, "owner-uploaded")
	sum := sha256.Sum256(content)
	sha := hex.EncodeToString(sum[:])
	evs, err := s.db.Store.EvidenceFor(ctx, engA)
	must(t, err)
	var ev postgres.Evidence
	for _, e := range evs {
		if e.OccurrenceKey == occ {
			ev = e
		}
	}
	if ev.ArtifactSHA256 != sha || ev.SubmittedBy != ownerA || ev.Channel != compliance.ChannelWeb || ev.ContentType != "application/pdf" ||
		ev.Filename != "review minutes.pdf" || ev.ArtifactSize != int64(len(content)) {
		t.Fatalf("the upload is recorded as %+v; want the file's SHA-256 %s, by %s via web, sniffed as a PDF", ev, sha, ownerA)
	}

	// The auditor downloads the file's bytes from the sample.
	sel := `a.evidence.file[href$="/audit/evidence/` + strconv.FormatInt(ev.ID, 10) + `"]`
	must(t, chromedp.Do(aud, chromedp.Navigate(s.ts.URL+"/e/"+engA+"/audit"), chromedp.WaitVisible(chromedp.CSS(sel))))
	screenshot(t, aud, "room-file-sampled")
	got, err := chromedp.Run(aud, chromedp.Evaluate[string](`fetch(document.querySelector('`+sel+`').href).then(r => r.text().then(b => r.status + '\n' + r.headers.get('Content-Disposition') + '\n' + b))`, chromedp.EvalAwaitPromise))
	must(t, err)
	if want := "200\nattachment; filename=\"review minutes.pdf\"\n" + string(content); got != want {
		t.Errorf("the auditor's download:\n%q\nwant\n%q", got, want)
	}

	// The signed pack, as the auditor downloads it, holds the answered
	// request and the file, and verifies.
	pack := s.signIn(auditorA, engA).get("/e/" + engA + "/audit/pack.zip")
	if pack.StatusCode != http.StatusOK {
		t.Fatalf("pack: %d", pack.StatusCode)
	}
	dir := unzip(t, pack)
	res, err := evidencepack.Verify(dir, key.Public().(ed25519.PublicKey))
	must(t, err)
	must(t, res.Err())
	csvBody, err := os.ReadFile(filepath.Join(dir, evidencepack.AuditRequestsCSV))
	must(t, err)
	if !strings.Contains(string(csvBody), "PBC-7") || !strings.Contains(string(csvBody), "https://drive.example/pbc-7") {
		t.Errorf("the pack's %s lacks the answered request:\n%s", evidencepack.AuditRequestsCSV, csvBody)
	}
	stored, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(evidencepack.ArtifactPath(compliance.Artifact{SHA256: sha, Filename: ev.Filename}))))
	must(t, err)
	if !bytes.Equal(stored, content) {
		t.Error("the pack's copy of the uploaded file differs from what was uploaded")
	}
}

// unzip writes a zip response into a fresh directory.
func unzip(t *testing.T, resp *http.Response) string {
	t.Helper()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	zr, err := zip.NewReader(bytes.NewReader(body), int64(len(body)))
	must(t, err)
	dir := t.TempDir()
	for _, f := range zr.File {
		rc, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		must(t, err)
		_ = rc.Close()
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, b, 0o644))
	}
	return dir
}
