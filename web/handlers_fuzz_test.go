package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// The web's handlers under fuzzing (issue 12): sign-in link redemption, the
// form posts of every action and the query parameters of every page, each
// against the real handler over a real Postgres, in process. Whatever
// arrives, nothing answers 5xx or panics, and nothing changes state
// without a session and a same-origin request (the web's CSRF defence is
// http.CrossOriginProtection). A page never changes state.

// fuzzSite is a site whose handler is called directly (no TLS, no
// sockets), with a lead's session for brightlane, and a fingerprint of
// every table to tell whether a request changed anything.
type fuzzSite struct {
	*site
	h       http.Handler
	session string
	tables  []string
	ip      atomic.Uint32
	// last is the fingerprint after the previous request, when that
	// request could not have changed anything ("" when it could have).
	last string
}

// before returns the tables' fingerprint before a request: the last one
// taken, if nothing could have changed since (half the queries).
func (fs *fuzzSite) before(t testing.TB) string {
	if fs.last == "" {
		fs.last = fs.fingerprint(t)
	}
	return fs.last
}

// unchanged fails t if the tables differ from before.
func (fs *fuzzSite) unchanged(t testing.TB, before, what string) {
	t.Helper()
	after := fs.fingerprint(t)
	fs.last = after
	if after != before {
		fs.last = ""
		t.Fatalf("%s changed the tables", what)
	}
}

func newFuzzSite(f testing.TB) *fuzzSite {
	s := newSite(f)
	// Inside f.Fuzz the F's own Log panics, so the server's log lines
	// (a refused upload, a bad form) are dropped; the assertions speak.
	s.srv.Log = slog.New(slog.DiscardHandler)
	fs := &fuzzSite{site: s, h: s.srv.Handler()}
	fs.session = fs.freshSession(f)
	rows, err := s.db.Store.Pool().Query(context.Background(),
		`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`)
	if err != nil {
		f.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			f.Fatal(err)
		}
		fs.tables = append(fs.tables, name)
	}
	if rows.Err() != nil || len(fs.tables) == 0 {
		f.Fatalf("list tables: %v (%d found)", rows.Err(), len(fs.tables))
	}
	return fs
}

// freshSession signs maya (brightlane's lead) in through a link.
func (fs *fuzzSite) freshSession(t testing.TB) string {
	ctx := context.Background()
	link, err := fs.svc.CreateSignInLink(ctx, engagement.SignInLinkRequest{Email: "maya@brightlane.io", EngagementID: "brightlane"})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := fs.svc.RedeemSignInLink(ctx, link.Token)
	if err != nil {
		t.Fatal(err)
	}
	return sess.Token
}

// fingerprint sums up every table by its row count and its rows'
// transaction IDs (xmin): an insert or update writes a row version with a
// new xmin, a delete changes the count, so any change anywhere changes it,
// without reading the rows' contents (the scope records are large).
func (fs *fuzzSite) fingerprint(t testing.TB) string {
	var parts []string
	for _, tbl := range fs.tables {
		parts = append(parts, fmt.Sprintf(`SELECT %s, count(*)::text || '/' || coalesce(sum(xmin::text::bigint), 0)::text FROM %q`,
			quoteLiteral(tbl), tbl))
	}
	rows, err := fs.db.Store.Pool().Query(context.Background(), strings.Join(parts, " UNION ALL ")+" ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	for rows.Next() {
		var name, sum string
		if err := rows.Scan(&name, &sum); err != nil {
			t.Fatal(err)
		}
		b.WriteString(name + "=" + sum + ";")
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// serve runs one request from its own address (so the per-address sign-in
// limit does not hide the handler behind 429s), as a browser on this
// origin or another would send it.
func (fs *fuzzSite) serve(r *http.Request, sameOrigin bool, session string) *httptest.ResponseRecorder {
	n := fs.ip.Add(1)
	r.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:40000", byte(n>>16), byte(n>>8), byte(n))
	r.Host = "steadfast.test"
	if sameOrigin {
		r.Header.Set("Sec-Fetch-Site", "same-origin")
		r.Header.Set("Origin", "https://steadfast.test")
	} else {
		r.Header.Set("Sec-Fetch-Site", "cross-site")
		r.Header.Set("Origin", "https://evil.test")
	}
	if session != "" {
		r.AddCookie(&http.Cookie{Name: sessionCookie, Value: session})
	}
	w := httptest.NewRecorder()
	fs.h.ServeHTTP(w, r)
	return w
}

func sessionSet(w *httptest.ResponseRecorder) bool {
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return true
		}
	}
	return false
}

// FuzzSignInLink posts any form to /signin. Only a link Steadfast issued,
// spent once, signs anyone in; everything else is refused with a 4xx and
// leaves the tables as they were.
func FuzzSignInLink(f *testing.F) {
	fs := newFuzzSite(f)
	issued := map[string]bool{}
	for range 2 {
		tok := fs.link("priya@brightlane.io", "brightlane")
		issued[tok] = true
		f.Add("token=" + tok)
		f.Add("token=" + tok + "x")
	}
	for _, seed := range []string{"", "token=", "token=%00", "token=" + strings.Repeat("A", 100), "token=a&token=b",
		"token=%zz", "token=+" + strings.Repeat("a", 43) + "+", "x=1&token=\u00e9\u00e9"} {
		f.Add(seed)
	}
	spent := map[string]bool{}
	f.Fuzz(func(t *testing.T, form string) {
		before := fs.before(t)
		r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader(form))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := fs.serve(r, true, "")
		if w.Code >= 500 {
			t.Fatalf("POST /signin %q: %d %s", form, w.Code, w.Body.String())
		}
		vals, _ := url.ParseQuery(form)
		tok := strings.TrimSpace(vals.Get("token"))
		valid := issued[tok] && !spent[tok]
		if sessionSet(w) != valid || (w.Code == http.StatusSeeOther) != valid {
			t.Fatalf("POST /signin %q (a live link: %v): %d, session cookie %v", form, valid, w.Code, sessionSet(w))
		}
		if valid {
			spent[tok] = true
			fs.last = ""
			return
		}
		fs.unchanged(t, before, fmt.Sprintf("POST /signin %q without a live link", form))
	})
}

// FuzzActionPosts posts any body to each action, with and without a
// session, from this origin and another. No 5xx; without both a session
// and this origin, nothing changes.
func FuzzActionPosts(f *testing.F) {
	fs := newFuzzSite(f)
	pid := fs.prompt("brightlane", "status/ACC-04", "maya@brightlane.io", "control-status")
	actions := []string{"/e/brightlane/answer", "/e/brightlane/auditors", "/e/ferrovia-pay/answer", "/e/ferrovia-pay/auditors",
		"/signout", "/e/%2e%2e/answer", "/e/brightlane/answer/",
		// The auditor's room and the owner's upload (the multipart seed below reaches the upload).
		"/e/brightlane/audit/requests", "/e/ferrovia-pay/audit/requests", "/e/brightlane/evidence", "/e/ferrovia-pay/evidence",
		// An auditor's request answered with files (the multipart seeds
		// below), and signing out of every browser.
		"/e/brightlane/audit/answer", "/e/ferrovia-pay/audit/answer", "/signout/everywhere",
		// The lead returning a customer answer to its owner, and approving
		// an owner's explanation of the issued report.
		"/e/brightlane/reviews/acme-bank-2027-10-15/return", "/e/ferrovia-pay/reviews/acme-bank-2027-10-15/return",
		"/e/brightlane/explanations/approve", "/e/ferrovia-pay/explanations/approve"}
	for i := range actions {
		for _, seed := range []string{"", "prompt=" + url.QueryEscape(pid) + "&choice=yes", "prompt=" + url.QueryEscape(pid) + "&choice=no&note=",
			"email=auditor%40firm.example&until=2027-12-31", "email=x&until=9999-99-99", "back=%2F%2Fevil.test&prompt=x",
			"back=javascript:alert(1)", "%zz=%zz", strings.Repeat("a=b&", 300),
			"question=Q1&reason=Say+how+often.", "question=Q1&reason=%20%09", "question=&reason=x", "question=Q1&question=Q2&reason=" + strings.Repeat("y", 9000),
			"report=soc2%2F2027-10-01&subject=exception%3A1", "report=&subject=control%3AACC-04", "report=x%00&subject=%E2%80%AE"} {
			for _, flags := range []uint8{0, 1, 2, 3} {
				f.Add(uint8(i), flags, "application/x-www-form-urlencoded", seed)
			}
		}
	}
	f.Add(uint8(0), uint8(3), "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nx\r\n--x--\r\n")
	f.Add(uint8(1), uint8(3), "text/plain", "email=a")
	for _, i := range []uint8{9, 10} { // an upload, with and without a session, from here and elsewhere
		for _, flags := range []uint8{0, 1, 2, 3} {
			f.Add(i, flags, "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"occurrence\"\r\n\r\nACC-04/2027-Q1\r\n"+
				"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n")
		}
	}
	answerForm := func(prompt, evidence string) string {
		return "--x\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\n" + prompt + "\r\n" +
			"--x\r\nContent-Disposition: form-data; name=\"choice\"\r\n\r\nprovided\r\n" +
			"--x\r\nContent-Disposition: form-data; name=\"evidence\"\r\n\r\n" + evidence + "\r\n" +
			"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\nuser,role\r\n" +
			"--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b.pdf\"\r\n\r\n%PDF-1.4\r\n--x--\r\n"
	}
	for _, i := range []uint8{11, 12} {
		for _, flags := range []uint8{0, 1, 2, 3} {
			f.Add(i, flags, "multipart/form-data; boundary=x", answerForm("prompt/brightlane/audit/PBC-1", "1, 2"))
			f.Add(i, flags, "multipart/form-data; boundary=x", answerForm(pid, "-1,#3,x"))
			f.Add(i, flags, "multipart/form-data; boundary=x", answerForm("", strings.Repeat("9", 600)))
		}
	}
	f.Fuzz(func(t *testing.T, action, flags uint8, contentType, body string) {
		path := actions[int(action)%len(actions)]
		withSession, sameOrigin := flags&1 != 0, flags&2 != 0
		session := ""
		if withSession {
			session = fs.session
			if (path == "/signout" || path == "/signout/everywhere") && sameOrigin {
				session = fs.freshSession(t) // signing out ends it
				fs.last = ""
			}
		}
		before := fs.before(t)
		r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		w := fs.serve(r, sameOrigin, session)
		if w.Code >= 500 {
			t.Fatalf("POST %s (session %v, same origin %v) %q: %d %s", path, withSession, sameOrigin, body, w.Code, w.Body.String())
		}
		if withSession && sameOrigin {
			fs.last = ""
			return // allowed to act; the handlers' own tests check what
		}
		fs.unchanged(t, before, fmt.Sprintf("POST %s (session %v, same origin %v) %q", path, withSession, sameOrigin, body))
	})
}

// FuzzPageQueries requests every page with any query string and path
// segment, signed in or not. No 5xx, no state change, and without a
// session no page but the sign-in page answers 200.
func FuzzPageQueries(f *testing.F) {
	fs := newFuzzSite(f)
	pages := []string{"/", "/e/%s", "/e/%s/mine", "/e/%s/audit", "/e/%s/heatmap.svg", "/signin", "/e/%s/audit/evidence/%s",
		"/e/%s/audit/pack.zip", "/auth/oidc/start", "/auth/oidc/callback",
		// The occurrence page behind a heat-map cell, its file, and the live
		// fingerprint. (The live stream is left out: it is meant to stay open.)
		"/e/%s/occurrence/%s/2027-04", "/e/%s/occurrence/ACC-04/%s", "/e/%s/occurrence/ACC-04/2027-Q1/evidence/%s", "/e/%s/live",
		// A file of an answered audit request (its reference and number in
		// the query).
		"/e/%s/audit/answer-file"}
	for i := range pages {
		for _, q := range []string{"", "sort=client", "sort=%00", "events=evidence", "msg=<script>&err=%zz", "token=abc&err=x",
			"state=x&code=y", strings.Repeat("sort=x&", 200), "request=PBC-1&n=1", "request=&n=0", "request=%2F..%2F&n=-1"} {
			f.Add(uint8(i), true, "brightlane", "1", q)
			f.Add(uint8(i), false, "ferrovia-pay", "-1", q)
		}
	}
	f.Fuzz(func(t *testing.T, page uint8, withSession bool, id, eid, query string) {
		tmpl := pages[int(page)%len(pages)]
		path := tmpl
		switch strings.Count(tmpl, "%s") {
		case 1:
			path = fmt.Sprintf(tmpl, url.PathEscape(id))
		case 2:
			path = fmt.Sprintf(tmpl, url.PathEscape(id), url.PathEscape(eid))
		}
		r, err := http.NewRequest(http.MethodGet, "http://steadfast.test"+path+"?"+query, nil)
		if err != nil {
			return // not a URL a client could send
		}
		session := ""
		if withSession {
			session = fs.session
		}
		before := fs.before(t)
		w := fs.serve(r, true, session)
		if w.Code >= 500 {
			t.Fatalf("GET %s?%s (session %v): %d %s", path, query, withSession, w.Code, w.Body.String())
		}
		if !withSession && w.Code == http.StatusOK && tmpl != "/signin" {
			t.Fatalf("GET %s?%s without a session: 200", path, query)
		}
		if sessionSet(w) {
			t.Fatalf("GET %s?%s set a session", path, query)
		}
		fs.unchanged(t, before, fmt.Sprintf("GET %s?%s", path, query))
	})
}

// The fingerprint the fuzz targets trust does see a change: a sign-in
// (a session row, the link spent) and a sign-out (the session ended).
func TestFuzzFingerprintSeesChanges(t *testing.T) {
	fs := newFuzzSite(t)
	token := fs.link("priya@brightlane.io", "brightlane")
	before := fs.fingerprint(t)
	r := httptest.NewRequest(http.MethodPost, "/signin", strings.NewReader("token="+token))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := fs.serve(r, true, "")
	if w.Code != http.StatusSeeOther || !sessionSet(w) {
		t.Fatalf("sign in: %d", w.Code)
	}
	signedIn := fs.fingerprint(t)
	if signedIn == before {
		t.Fatal("a sign-in left the fingerprint as it was")
	}
	w = fs.serve(httptest.NewRequest(http.MethodPost, "/signout", nil), true, fs.session)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", w.Code)
	}
	if fs.fingerprint(t) == signedIn {
		t.Fatal("a sign-out left the fingerprint as it was")
	}
}

// FuzzAnswerForm parses any answer form's small fields: it never panics,
// and what it accepts names a request and at most MaxAnswerFiles positive
// evidence numbers.
func FuzzAnswerForm(f *testing.F) {
	for _, ev := range []string{"", "12", "12, 15", "#3;4 5", "-1", "0", "x", "99999999999999999999", strings.Repeat("1,", 30), "\u00e9"} {
		f.Add("prompt/brightlane/audit/PBC-1", "provided", ev)
	}
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, prompt, choice, evidence string) {
		got, err := parseAnswerForm(map[string]string{"prompt": prompt, "choice": choice, "evidence": evidence})
		if err != nil {
			return
		}
		if got.PromptID == "" || len(got.EvidenceIDs) > compliance.MaxAnswerFiles || len(evidence) > maxEvidenceField {
			t.Fatalf("accepted %q %q: %+v", prompt, evidence, got)
		}
		for _, id := range got.EvidenceIDs {
			if id <= 0 {
				t.Fatalf("accepted evidence %d from %q", id, evidence)
			}
		}
	})
}
