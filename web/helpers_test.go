package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// testKey is the actor key shared by the test's web and worker.
var testKey = []byte("0123456789abcdef0123456789abcdef-web-test")

// site is a web server on a fresh database with two clients' engagements.
type site struct {
	t     testing.TB
	db    testenv.Database
	svc   *engagement.Service
	srv   *Server
	ts    *httptest.Server
	specs map[string]*compliance.Spec
}

// newSite starts the web over TLS (so Secure cookies travel, as in
// production) with brightlane (client A) and ferrovia-pay (client B)
// recorded as scoped.
func newSite(t testing.TB) *site {
	t.Helper()
	db := testenv.Postgres(t)
	s := &site{t: t, db: db, specs: map[string]*compliance.Spec{}}
	blobs, err := blob.NewLocal(t.TempDir(), 0)
	if err != nil {
		t.Fatal(err)
	}
	s.svc = &engagement.Service{Store: db.Store, TaskQueue: "web-test", Blobs: blobs}
	for _, f := range []string{"saas-startup.yaml", "payments-co.yaml"} {
		s.record(f)
	}
	s.srv = &Server{Svc: s.svc, ActorKey: testKey, SecureCookies: true, Log: testLogger(t),
		LivePoll: 500 * time.Millisecond}
	s.ts = httptest.NewTLSServer(s.srv.Handler())
	t.Cleanup(s.ts.Close)
	t.Cleanup(s.srv.Close) // first: open live streams would hold ts.Close
	return s
}

func (s *site) record(file string) {
	s.t.Helper()
	root, err := testenv.RepoRoot()
	if err != nil {
		s.t.Fatal(err)
	}
	spec, err := compliance.LoadSpec(filepath.Join(root, "examples", file))
	if err != nil {
		s.t.Fatal(err)
	}
	plan, err := compliance.PlanEngagement(spec, time.Now())
	if err != nil {
		s.t.Fatal(err)
	}
	err = s.db.Store.RecordScope(context.Background(), postgres.ScopeRecord{EngagementID: spec.ID,
		WorkflowID: workflows.EngagementWorkflowID(spec.ID), Revision: 1, Spec: *spec, Plan: plan,
		Phase: compliance.PhaseScoping, RecordedBy: "test", At: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	s.specs[spec.ID] = spec
}

// prompt opens a question for email in engagement id.
func (s *site) prompt(id, key, email, kind string) string {
	s.t.Helper()
	pid := workflows.PromptWorkflowID(id, key)
	err := s.db.Store.OpenPrompt(context.Background(), postgres.Prompt{ID: pid, EngagementID: id, Key: key, Kind: kind,
		Subject: "CC6.1 Access", Question: "Is it in place?", AddresseeEmail: email,
		Choices: []compliance.PromptChoice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No", NoteRequired: true}},
		DueAt:   time.Now().Add(48 * time.Hour), CreatedAt: time.Now()})
	if err != nil {
		s.t.Fatal(err)
	}
	return pid
}

// link makes a sign-in token for email in engagement id.
func (s *site) link(email, id string) string {
	s.t.Helper()
	res, err := s.svc.CreateSignInLink(context.Background(), engagement.SignInLinkRequest{Email: email, EngagementID: id})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Token
}

// client is a browser-like client: a cookie jar, no redirects followed,
// and same-origin headers on every request as a browser would send.
type client struct {
	s  *site
	hc *http.Client
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	// A copy: the test server hands out one shared client.
	base := *s.ts.Client()
	hc := &base
	hc.Jar = jar
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{s: s, hc: hc}
}

// signIn spends a fresh link for email and returns the signed-in client.
func (s *site) signIn(email, id string) *client {
	s.t.Helper()
	c := s.client()
	resp := c.post("/signin", url.Values{"token": {s.link(email, id)}})
	if resp.StatusCode != http.StatusSeeOther {
		s.t.Fatalf("sign in %s: status %d, want 303", email, resp.StatusCode)
	}
	return c
}

func (c *client) do(req *http.Request) *http.Response {
	c.s.t.Helper()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.s.t.Fatal(err)
	}
	c.s.t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func (c *client) get(path string) *http.Response {
	req, _ := http.NewRequest(http.MethodGet, c.s.ts.URL+path, nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

func (c *client) post(path string, form url.Values) *http.Response {
	return c.postFrom(path, form, c.s.ts.URL)
}

// postFrom posts as a page of origin would (a browser sends Origin and
// Sec-Fetch-Site).
func (c *client) postFrom(path string, form url.Values, origin string) *http.Response {
	req, _ := http.NewRequest(http.MethodPost, c.s.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	site := "same-origin"
	if origin != c.s.ts.URL {
		site = "cross-site"
	}
	req.Header.Set("Sec-Fetch-Site", site)
	return c.do(req)
}

func body(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// testLogger sends the server's log to the test's log.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, nil))
}

type testWriter struct{ t testing.TB }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
