package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	tclient "go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// fileEvidence records an evidence row of engagement id that is a stored
// file, its bytes put in the site's blob store.
func (s *site) fileEvidence(t *testing.T, id, control, name string, content []byte) postgres.Evidence {
	t.Helper()
	ctx := context.Background()
	obj, err := s.svc.Blobs.Put(ctx, bytes.NewReader(content))
	must(t, err)
	now := time.Now()
	e := postgres.Evidence{EngagementID: id, ControlID: control, OccurrenceKey: control + "/test", PeriodStart: now.AddDate(0, -1, 0),
		PeriodEnd: now, DueAt: now, SubmittedAt: now, SubmittedBy: "test@" + id, Channel: compliance.ChannelCLI, Kind: "file",
		Value: name, SubmissionKey: "test/" + name, ArtifactSHA256: obj.SHA256, ArtifactSize: obj.Size, ContentType: obj.ContentType, Filename: name}
	e.ID, err = s.db.Store.AddEvidence(ctx, e)
	must(t, err)
	return e
}

// postAnswer posts the owner page's audit answer form as a browser of the
// site would: the small fields first, then each file.
func (c *client) postAnswer(id string, fields map[string]string, files map[string][]byte) *http.Response {
	c.s.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, k := range []string{"prompt", "back", "choice", "note", "link", "evidence"} {
		if v, ok := fields[k]; ok {
			_ = mw.WriteField(k, v)
		}
	}
	for name, content := range files {
		fw, err := mw.CreateFormFile(uploadField, name)
		if err != nil {
			c.s.t.Fatal(err)
		}
		_, _ = fw.Write(content)
	}
	_ = mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.s.ts.URL+"/e/"+id+"/audit/answer", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.s.ts.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// TestBrowserAuditAnswerWithFiles: the auditor asks; the owner answers in
// chromium with two files and an evidence row the engagement already
// holds; the auditor downloads each file in chromium, byte for byte; the
// signed pack lists them with their hashes and carries their bytes. Along
// the way: another engagement's person cannot answer or read, another
// engagement's evidence row cannot be attached (from the form, or by a raw
// Temporal client whose actor is attested), and nothing is recorded for a
// refused answer.
func TestBrowserAuditAnswerWithFiles(t *testing.T) {
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
	offered, err := s.svc.OwnerRoom(ctx, engA, ownerA)
	must(t, err)
	if len(offered.Controls) == 0 {
		t.Fatalf("%s owns no control", ownerA)
	}
	control := offered.Controls[0].ControlID

	audHTTP := s.signIn(auditorA, engA)
	due := compliance.DateOf(time.Now()).AddDays(14).String()
	resp := audHTTP.post("/e/"+engA+"/audit/requests", url.Values{"request": {"PBC-9"}, "control": {control},
		"description": {"The access review's export and the reviewer's sign-off"}, "due": {due}})
	if loc, _ := url.QueryUnescape(resp.Header.Get("Location")); !strings.Contains(loc, "sent to "+ownerA) {
		t.Fatalf("PBC-9 was not sent to %s: %s", ownerA, loc)
	}
	var q postgres.Prompt
	waitFor(t, "PBC-9's question to "+ownerA, func() bool {
		for _, p := range s.openFor(engA, ownerA) {
			if p.Kind == auditreq.PromptKind {
				q = p
				return true
			}
		}
		return false
	})

	mine := s.fileEvidence(t, engA, control, "q2-review.csv", []byte("user,reviewed\nana,yes\n"))
	theirs := s.fileEvidence(t, engB, "ACC-04", "ferrovia-secret.csv", []byte("card,pan\nx,4111\n"))

	// Another client's lead cannot answer A's request: the same 404 as a
	// request that does not exist.
	if got := s.signIn(leadB, engB).postAnswer(engA, map[string]string{"prompt": q.ID, "choice": auditreq.ChoiceProvided},
		map[string][]byte{"x.txt": []byte("x")}).StatusCode; got != http.StatusNotFound {
		t.Errorf("client B's lead answering A's request: %d, want 404", got)
	}
	// The owner cannot attach B's evidence row, from the form...
	owner := s.signIn(ownerA, engA)
	resp = owner.postAnswer(engA, map[string]string{"prompt": q.ID, "choice": auditreq.ChoiceProvided, "evidence": fmt.Sprint(theirs.ID)}, nil)
	if loc, _ := url.QueryUnescape(resp.Header.Get("Location")); !strings.Contains(loc, "err=evidence") || !strings.Contains(loc, "is not evidence of "+engA) {
		t.Errorf("attaching B's evidence from the form: %s", loc)
	}
	// ...nor by a raw Temporal client with an attested actor: the store
	// refuses the row inside the answer's transaction.
	raw := workflows.AnswerPromptRequest{Choice: auditreq.ChoiceProvided, Files: []compliance.AnswerFile{{EvidenceID: theirs.ID}},
		Actor: identity.WebActor(testKey, q.ID, "raw-theirs", ownerA)}
	h, err := tmp.Client.UpdateWorkflow(ctx, tclient.UpdateWorkflowOptions{WorkflowID: q.ID, UpdateID: "raw-theirs",
		UpdateName: workflows.UpdateAnswerPrompt, WaitForStage: tclient.WorkflowUpdateStageCompleted, Args: []any{raw}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	if err == nil || !strings.Contains(err.Error(), "is not a stored file of engagement "+engA) {
		t.Errorf("a raw client attaching B's evidence: %v", err)
	}
	if got := s.openFor(engA, ownerA); len(got) == 0 || !hasID(got, q.ID) {
		t.Fatalf("after the refusals PBC-9's question is no longer open: %+v", got)
	}
	var n int
	must(t, s.db.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM answer_files`).Scan(&n))
	if n != 0 {
		t.Fatalf("refused answers left %d file rows", n)
	}

	// The owner answers in the browser with two files and the row.
	dir := t.TempDir()
	files := map[string][]byte{
		"access export.csv": []byte("user,role,last_login\nana,admin,2027-05-01\n"),
		"sign-off.pdf":      []byte("%PDF-1.4\n% signed off by the reviewer\n"),
	}
	var paths []string
	for name, content := range files {
		p := filepath.Join(dir, name)
		must(t, os.WriteFile(p, content, 0o600))
		paths = append(paths, p)
	}
	ob := newPerson()
	s.signInByLink(t, ob, ownerA, engA)
	form := `section[data-live-part=audit] form.audit-answer`
	must(t, chromedp.Do(ob,
		chromedp.Navigate(s.ts.URL+"/e/"+engA+"/mine"),
		chromedp.WaitVisible(chromedp.CSS(form)),
	))
	accessibilityBasics(t, ob, "owner page with an audit request")
	must(t, chromedp.Do(ob,
		chromedp.Click(chromedp.CSS(form+` input[value="`+auditreq.ChoiceProvided+`"]`)),
		chromedp.SendKeys(chromedp.CSS(form+` input[name=evidence]`), fmt.Sprint(mine.ID)),
		chromedp.SetUploadFiles(chromedp.CSS(form+` input[type=file]`), paths),
		chromedp.Click(chromedp.CSS(form+` button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.msg, .err`)),
	))
	assertNoError(t, ob, "the owner's answer with files")
	screenshot(t, ob, "owner-audit-answer-files")

	stored, err := s.db.Store.AnswerFiles(ctx, engA, "PBC-9")
	must(t, err)
	if len(stored) != 3 {
		t.Fatalf("the answer carries %d files, want 3: %+v", len(stored), stored)
	}
	for _, f := range stored {
		if f.AddedBy != ownerA || f.Channel != compliance.ChannelWeb || f.EngagementID != engA {
			t.Errorf("file %d is recorded as %+v; want added by %s via web in %s", f.Seq, f, ownerA, engA)
		}
		if f.EvidenceID != nil {
			if *f.EvidenceID != mine.ID || f.SHA256 != mine.ArtifactSHA256 {
				t.Errorf("the linked row is recorded as %+v; want evidence %d", f, mine.ID)
			}
			continue
		}
		want, ok := files[f.Filename]
		sum := sha256.Sum256(want)
		if !ok || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(want)) {
			t.Errorf("uploaded file %+v does not match what was sent", f)
		}
	}
	files[mine.Filename] = []byte("user,reviewed\nana,yes\n")

	// The auditor downloads each file from the room, byte for byte.
	aud := newPerson()
	s.signInByLink(t, aud, auditorA, engA)
	must(t, chromedp.Do(aud, chromedp.Navigate(s.ts.URL+"/e/"+engA+"/audit"),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-request="PBC-9"] a.answer-file`))))
	screenshot(t, aud, "room-answer-files")
	got, err := chromedp.Run(aud, chromedp.Evaluate[[]map[string]string](`Promise.all([...document.querySelectorAll('tr[data-request="PBC-9"] a.answer-file')].map(a =>
		fetch(a.href).then(r => r.text().then(b => ({name: a.textContent, status: String(r.status), sha: r.headers.get('X-Evidence-SHA256'), body: b})))))`,
		chromedp.EvalAwaitPromise))
	must(t, err)
	if len(got) != 3 {
		t.Fatalf("the room links %d files of PBC-9, want 3", len(got))
	}
	for _, g := range got {
		if want, ok := files[g["name"]]; !ok || g["status"] != "200" || g["body"] != string(want) {
			t.Errorf("the auditor's download of %q: status %s, %q; want %q", g["name"], g["status"], g["body"], want)
		}
	}

	// Reading: B's lead, and A's owner (who has no room), get 404.
	for who, c := range map[string]*client{leadB: s.signIn(leadB, engB), ownerA: owner} {
		if got := c.get("/e/" + engA + "/audit/answer-file?request=PBC-9&n=1").StatusCode; got != http.StatusNotFound {
			t.Errorf("%s reading PBC-9's file: %d, want 404", who, got)
		}
	}
	if got := audHTTP.get("/e/" + engA + "/audit/answer-file?request=&n=1").StatusCode; got != http.StatusNotFound {
		t.Errorf("a file of no request: %d, want 404", got)
	}

	// The signed pack lists the files with their hashes and carries them.
	pack := audHTTP.get("/e/" + engA + "/audit/pack.zip")
	if pack.StatusCode != http.StatusOK {
		t.Fatalf("pack: %d", pack.StatusCode)
	}
	pdir := unzip(t, pack)
	res, err := evidencepack.Verify(pdir, key.Public().(ed25519.PublicKey))
	must(t, err)
	must(t, res.Err())
	raw2, err := os.ReadFile(filepath.Join(pdir, evidencepack.AuditRequestsJSON))
	must(t, err)
	var rows []evidencepack.AuditRow
	must(t, json.Unmarshal(raw2, &rows))
	if len(rows) != 1 || len(rows[0].Files) != 3 {
		t.Fatalf("the pack's %s: %s", evidencepack.AuditRequestsJSON, raw2)
	}
	for _, f := range rows[0].Files {
		body, err := os.ReadFile(filepath.Join(pdir, filepath.FromSlash(evidencepack.ArtifactPath(compliance.Artifact{SHA256: f.SHA256, Filename: f.Filename}))))
		must(t, err)
		if !bytes.Equal(body, files[f.Filename]) {
			t.Errorf("the pack's copy of %s differs from what was given", f.Filename)
		}
	}
	csvBody, err := os.ReadFile(filepath.Join(pdir, evidencepack.AuditRequestsCSV))
	must(t, err)
	if !strings.Contains(string(csvBody), rows[0].Files[0].SHA256) {
		t.Errorf("the pack's CSV does not list the files' hashes:\n%s", csvBody)
	}
}

func hasID(ps []postgres.Prompt, id string) bool {
	for _, p := range ps {
		if p.ID == id {
			return true
		}
	}
	return false
}
