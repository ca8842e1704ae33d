package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// The room's and the owner page's actions in the authorization matrix:
// role × action. Without Temporal an action the page lets through reaches
// the service and comes back as a message (303); one the page keeps from
// the person is the 404 of "not yours". The service's early checks (the
// rules the validators enforce) show as a refusal in the message.
func TestRoomActionsMatrix(t *testing.T) {
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	s.svc.Now = func() time.Time { return now }
	s.invite(auditorA, engA, compliance.DateOf(now).AddDays(30))
	leadQ := s.prompt(engA, "q/lead", leadA, personKindQ)
	occ := ownerOccurrence(t, s, engA, ownerA)

	type row struct {
		who string
		// ask: POST a request in the room; upload: a file for ownerA's
		// occurrence; forLead: answer the lead's question.
		ask, upload, forLead int
		// askRefused, uploadRefused: let through, then refused by the rule.
		askRefused, uploadRefused bool
	}
	rows := []row{
		{who: leadA, ask: 303, upload: 303, forLead: 303},
		{who: delegateA, ask: 303, upload: 303, forLead: 303},
		{who: ownerA, ask: 404, upload: 303, forLead: 404},
		{who: sponsorA, ask: 404, upload: 303, forLead: 404, uploadRefused: true},
		{who: consultant, ask: 404, upload: 303, forLead: 404, uploadRefused: true},
		{who: auditorA, ask: 303, upload: 404, forLead: 404},
		{who: leadB, ask: 404, upload: 404, forLead: 404},
	}
	due := compliance.DateOf(now).AddDays(10).String()
	for _, r := range rows {
		t.Run(r.who, func(t *testing.T) {
			eng := engA
			if r.who == leadB {
				eng = engB
			}
			c := s.signIn(r.who, eng)
			resp := c.post("/e/"+engA+"/audit/requests", url.Values{"request": {"PBC-1"}, "control": {"GOV-01"},
				"description": {"Board minutes"}, "due": {due}})
			checkLetThrough(t, "add request", r.who, resp, r.ask, r.askRefused)
			resp = c.postFile("/e/"+engA+"/evidence", s.ts.URL, map[string]string{"occurrence": occ}, "minutes.pdf", []byte("%PDF-1.4 minutes"))
			checkLetThrough(t, "upload", r.who, resp, r.upload, r.uploadRefused)
			resp = c.post("/e/"+engA+"/answer", url.Values{"prompt": {leadQ}, "choice": {"yes"}})
			checkLetThrough(t, "answer the lead's question", r.who, resp, r.forLead, false)
		})
	}
}

// checkLetThrough checks one action's status, and for a 303 whether the
// message is a refusal by the rules ("may not").
func checkLetThrough(t *testing.T, what, who string, resp *http.Response, want int, refused bool) {
	t.Helper()
	if resp.StatusCode != want {
		t.Errorf("%s as %s: %d, want %d (%s)", what, who, resp.StatusCode, want, resp.Header.Get("Location"))
		return
	}
	if want != 303 {
		return
	}
	loc, _ := url.QueryUnescape(resp.Header.Get("Location"))
	t.Logf("%s as %s: %s", what, who, loc)
	if got := strings.Contains(loc, "may not"); got != refused {
		t.Errorf("%s as %s: refused by the rules %v, want %v: %s", what, who, got, refused, loc)
	}
}

// ownerOccurrence is the latest occurrence of email's controls whose period
// has begun, as the owner page offers it.
func ownerOccurrence(t *testing.T, s *site, id, email string) string {
	t.Helper()
	v, err := s.svc.OwnerRoom(context.Background(), id, email)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Uploads) == 0 {
		t.Fatalf("%s is offered no occurrence to upload for", email)
	}
	return v.Uploads[0].Key
}

// TestRoomActionsStayInTheirEngagement: client A's people reach nothing of
// client B's room by URL, and a cross-origin form is refused before any
// handler runs.
func TestRoomActionsStayInTheirEngagement(t *testing.T) {
	s := newSite(t)
	s.invite(auditorA, engA, compliance.DateOf(time.Now()).AddDays(30))
	for _, who := range []string{leadA, auditorA, ownerA} {
		c := s.signIn(who, engA)
		if got := c.post("/e/"+engB+"/audit/requests", url.Values{"request": {"PBC-9"}, "description": {"x"}, "due": {"2099-01-01"}}).StatusCode; got != 404 {
			t.Errorf("%s adds a request to B: %d, want 404", who, got)
		}
		if got := c.postFile("/e/"+engB+"/evidence", s.ts.URL, map[string]string{"occurrence": "GOV-01/2027-03-01"}, "a.txt", []byte("x")).StatusCode; got != 404 {
			t.Errorf("%s uploads to B: %d, want 404", who, got)
		}
	}
	// B's lead's question through A's URL, as A's delegate.
	pB := s.prompt(engB, "q/b", leadB, personKindQ)
	if got := s.signIn(delegateA, engA).post("/e/"+engA+"/answer", url.Values{"prompt": {pB}, "choice": {"yes"}}).StatusCode; got != 404 {
		t.Errorf("A's delegate answers B's lead's question: %d, want 404", got)
	}
	// Cross-origin: refused (403) whoever is signed in.
	aud := s.signIn(auditorA, engA)
	if got := aud.postFrom("/e/"+engA+"/audit/requests", url.Values{"request": {"PBC-2"}, "description": {"x"}, "due": {"2099-01-01"}}, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-origin request: %d, want 403", got)
	}
	own := s.signIn(ownerA, engA)
	if got := own.postFile("/e/"+engA+"/evidence", "https://evil.example", map[string]string{"occurrence": "GOV-01/2027-03-01"}, "a.txt", []byte("x")).StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-origin upload: %d, want 403", got)
	}
	var n int
	if err := s.db.Store.Pool().QueryRow(context.Background(), `SELECT count(*) FROM audit_requests`).Scan(&n); err != nil || n != 0 {
		t.Errorf("audit requests recorded: %d (%v), want 0", n, err)
	}
	ev, err := s.db.Store.EvidenceFor(context.Background(), engB)
	if err != nil || len(ev) != 0 {
		t.Errorf("B's evidence: %d rows (%v), want none", len(ev), err)
	}
}

// TestUploadTooLarge: a file over the web's limit is refused with 413 and
// nothing is stored.
func TestUploadTooLarge(t *testing.T) {
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	s.svc.Now = func() time.Time { return now }
	s.srv.MaxUpload = 1 << 10
	occ := ownerOccurrence(t, s, engA, ownerA)
	resp := s.signIn(ownerA, engA).postFile("/e/"+engA+"/evidence", s.ts.URL, map[string]string{"occurrence": occ}, "big.bin", make([]byte, 200<<10))
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("200 KB over a 1 KB limit: %d, want 413 (%s)", resp.StatusCode, resp.Header.Get("Location"))
	}
}
