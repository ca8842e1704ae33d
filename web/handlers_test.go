package main

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// Engagements of two clients, and the people the matrix signs in as.
const (
	engA = "brightlane"   // client A
	engB = "ferrovia-pay" // client B

	leadA       = "maya@brightlane.io"
	sponsorA    = "tom@brightlane.io"
	delegateA   = "priya@brightlane.io" // control owner and lead delegate
	ownerA      = "leo@brightlane.io"
	consultant  = "sam@steadfast.example" // named on both engagements
	auditorA    = "auditor@cpa.example"
	leadB       = "elena@ferrovia.example"
	personKindQ = "control-status"
)

func TestAuthorizationMatrix(t *testing.T) {
	s := newSite(t)
	s.invite(auditorA, engA, compliance.DateOf(time.Now()).AddDays(30))
	for _, who := range []string{leadA, sponsorA, delegateA, ownerA, consultant} {
		s.prompt(engA, "q/"+who, who, personKindQ)
	}
	// 200: the page; 404: not yours (the same as not existing).
	type row struct {
		who                    string
		eng, mine, audit, live int
		invite                 int // POST /e/A/auditors: 303 when allowed
	}
	rows := []row{
		{leadA, 200, 200, 200, 200, 303},
		{delegateA, 200, 200, 200, 200, 303},
		{sponsorA, 200, 200, 404, 200, 404},
		{consultant, 200, 200, 404, 200, 404},
		{ownerA, 404, 200, 404, 200, 404},
		{auditorA, 404, 404, 200, 200, 404},
		{leadB, 404, 404, 404, 404, 404},
	}
	for _, r := range rows {
		t.Run(r.who, func(t *testing.T) {
			signInEng := engA
			if r.who == leadB {
				signInEng = engB
			}
			c := s.signIn(r.who, signInEng)
			for path, want := range map[string]int{"/e/" + engA: r.eng, "/e/" + engA + "/heatmap.svg": r.eng, "/e/" + engA + "/mine": r.mine,
				"/e/" + engA + "/audit": r.audit, "/e/" + engA + "/live": r.live} {
				if got := c.get(path).StatusCode; got != want {
					t.Errorf("GET %s as %s: %d, want %d", path, r.who, got, want)
				}
			}
			resp := c.post("/e/"+engA+"/auditors", url.Values{"email": {"other@cpa.example"}, "until": {compliance.DateOf(time.Now()).AddDays(5).String()}})
			if resp.StatusCode != r.invite {
				t.Errorf("POST invite as %s: %d, want %d", r.who, resp.StatusCode, r.invite)
			}
			// Without Temporal an allowed invitation reaches the service's
			// update and comes back as its error; never as a refusal.
			if r.invite == 303 && strings.Contains(resp.Header.Get("Location"), "may+not") {
				t.Errorf("invite as %s refused: %s", r.who, resp.Header.Get("Location"))
			}
			// Everyone may answer their own question; without Temporal the
			// answer reaches the service and comes back as its error, which
			// proves the gate let it through. Nobody may answer another's.
			own := "q/" + r.who
			resp = c.post("/e/"+engA+"/answer", url.Values{"prompt": {"prompt/" + engA + "/" + own}, "choice": {"yes"}})
			wantOwn := 303
			if r.mine == 404 {
				wantOwn = 404
			}
			if resp.StatusCode != wantOwn {
				t.Errorf("POST own answer as %s: %d, want %d", r.who, resp.StatusCode, wantOwn)
			}
			if r.who != ownerA {
				resp = c.post("/e/"+engA+"/answer", url.Values{"prompt": {"prompt/" + engA + "/q/" + ownerA}, "choice": {"yes"}})
				if resp.StatusCode != 404 {
					t.Errorf("POST someone else's answer as %s: %d, want 404", r.who, resp.StatusCode)
				}
			}
		})
	}
}

func TestPortfolioShowsOnlyYourEngagements(t *testing.T) {
	s := newSite(t)
	lead := body(t, s.signIn(leadA, engA).get("/"))
	if !strings.Contains(lead, engA) || strings.Contains(lead, engB) {
		t.Errorf("lead of A's portfolio should list %s and not %s:\n%s", engA, engB, lead)
	}
	cons := body(t, s.signIn(consultant, engA).get("/"))
	if !strings.Contains(cons, engA) || !strings.Contains(cons, engB) {
		t.Errorf("the consultant named on both should see both:\n%s", cons)
	}
}

func TestClientACannotReachClientB(t *testing.T) {
	s := newSite(t)
	pB := s.prompt(engB, "q/b", leadB, personKindQ)
	c := s.signIn(leadA, engA)
	for _, p := range []string{"/e/" + engB, "/e/" + engB + "/mine", "/e/" + engB + "/audit", "/e/" + engB + "/live",
		"/e/" + engB + "/heatmap.svg", "/e/" + engB + "/audit/evidence/1", "/e/" + engB + "/audit/pack.zip", "/e/no-such"} {
		if got := c.get(p).StatusCode; got != 404 {
			t.Errorf("GET %s as lead of A: %d, want 404", p, got)
		}
	}
	// By URL: B's answer endpoint; by form field: B's prompt through A's URL.
	if got := c.post("/e/"+engB+"/answer", url.Values{"prompt": {pB}, "choice": {"yes"}}).StatusCode; got != 404 {
		t.Errorf("POST B's answer URL: %d, want 404", got)
	}
	if got := c.post("/e/"+engA+"/answer", url.Values{"prompt": {pB}, "choice": {"yes"}}).StatusCode; got != 404 {
		t.Errorf("POST B's prompt through A's URL: %d, want 404", got)
	}
	if got := c.post("/e/"+engB+"/auditors", url.Values{"email": {"x@cpa.example"}, "until": {"2099-01-01"}}).StatusCode; got != 404 {
		t.Errorf("POST invite to B: %d, want 404", got)
	}
	// A's lead cannot get a sign-in link minted for B's people either.
	if _, err := s.svc.CreateSignInLink(context.Background(), engagement.SignInLinkRequest{Email: leadA, EngagementID: engB}); err == nil {
		t.Error("a sign-in link for a person of A was made for B")
	}
}

func TestCrossOriginStateChangesRefused(t *testing.T) {
	s := newSite(t)
	c := s.signIn(leadA, engA)
	form := url.Values{"email": {"x@cpa.example"}, "until": {"2099-01-01"}}
	if got := c.postFrom("/e/"+engA+"/auditors", form, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-origin invite: %d, want 403", got)
	}
	if got := c.postFrom("/signout", nil, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-origin sign-out: %d, want 403", got)
	}
	c2 := s.client()
	if got := c2.postFrom("/signin", url.Values{"token": {s.link(leadA, engA)}}, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-origin sign-in (login CSRF): %d, want 403", got)
	}
	// The same request from the page's own origin passes.
	if got := c.post("/e/"+engA+"/auditors", form).StatusCode; got != http.StatusSeeOther {
		t.Errorf("same-origin invite: %d, want 303", got)
	}
}

func TestSignInLinks(t *testing.T) {
	s := newSite(t)
	t.Run("used twice", func(t *testing.T) {
		tok := s.link(leadA, engA)
		if got := s.client().post("/signin", url.Values{"token": {tok}}).StatusCode; got != 303 {
			t.Fatalf("first use: %d", got)
		}
		if got := s.client().post("/signin", url.Values{"token": {tok}}).StatusCode; got != 403 {
			t.Errorf("second use: %d, want 403", got)
		}
	})
	t.Run("expired", func(t *testing.T) {
		old := *s.svc
		old.Now = func() time.Time { return time.Now().Add(-engagement.SignInLinkTTL - time.Minute) }
		res, err := old.CreateSignInLink(context.Background(), engagement.SignInLinkRequest{Email: leadA, EngagementID: engA})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.client().post("/signin", url.Values{"token": {res.Token}}).StatusCode; got != 403 {
			t.Errorf("expired link: %d, want 403", got)
		}
	})
	t.Run("unknown", func(t *testing.T) {
		if got := s.client().post("/signin", url.Values{"token": {"not-a-token"}}).StatusCode; got != 403 {
			t.Errorf("unknown link: %d, want 403", got)
		}
	})
	t.Run("GET does not spend it", func(t *testing.T) {
		tok := s.link(ownerA, engA)
		c := s.client()
		if got := c.get("/signin?token=" + tok).StatusCode; got != 200 {
			t.Fatalf("GET sign-in page: %d", got)
		}
		if got := c.post("/signin", url.Values{"token": {tok}}).StatusCode; got != 303 {
			t.Errorf("link after a GET: %d, want 303", got)
		}
	})
	t.Run("stored hashed", func(t *testing.T) {
		tok := s.link(sponsorA, engA)
		var n int
		if err := s.db.Store.Pool().QueryRow(context.Background(),
			`SELECT count(*) FROM web_signin_links WHERE token_sha256 = sha256(convert_to($1, 'UTF8'))`, tok).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("link rows with the token's SHA-256: %d, want 1", n)
		}
	})
	t.Run("cookie", func(t *testing.T) {
		resp := s.client().post("/signin", url.Values{"token": {s.link(leadA, engA)}})
		var got *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == sessionCookie {
				got = c
			}
		}
		if got == nil || !got.HttpOnly || !got.Secure || got.SameSite != http.SameSiteLaxMode {
			t.Errorf("session cookie %+v: want HttpOnly, Secure, SameSite=Lax", got)
		}
	})
	t.Run("signed out", func(t *testing.T) {
		c := s.signIn(leadA, engA)
		if got := c.post("/signout", nil).StatusCode; got != 303 {
			t.Fatalf("sign out: %d", got)
		}
		if got := c.get("/e/" + engA).StatusCode; got != 303 {
			t.Errorf("page after sign-out: %d, want 303 to /signin", got)
		}
	})
	t.Run("no session", func(t *testing.T) {
		c := s.client()
		if got := c.get("/").StatusCode; got != 303 {
			t.Errorf("portfolio without a session: %d, want 303", got)
		}
		if got := c.post("/e/"+engA+"/answer", url.Values{"prompt": {"x"}}).StatusCode; got != 401 {
			t.Errorf("answer without a session: %d, want 401", got)
		}
	})
}

func TestSignInRateLimited(t *testing.T) {
	s := newSite(t)
	c := s.client()
	limited := false
	for i := 0; i < perIPBurst+2; i++ {
		if c.post("/signin", url.Values{"token": {"guess"}}).StatusCode == http.StatusTooManyRequests {
			limited = true
			break
		}
	}
	if !limited {
		t.Errorf("%d wrong tokens from one address were all answered; want 429", perIPBurst+2)
	}
}

func TestSignInRateLimitedPerPerson(t *testing.T) {
	s := newSite(t)
	limited := false
	for i := 0; i < perEmailBurs+1; i++ {
		// Each from a client of its own: the per-address limit is not what stops it.
		if got := s.client().post("/signin", url.Values{"token": {s.link(leadA, engA)}}).StatusCode; got == http.StatusTooManyRequests {
			limited = true
		} else if got != http.StatusSeeOther {
			t.Fatalf("sign-in %d: %d", i, got)
		}
	}
	if !limited {
		t.Errorf("%d sign-ins for one person in a row were all let in; want 429", perEmailBurs+1)
	}
}

func TestAuditorInviteExpires(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	s.invite(auditorA, engA, compliance.DateOf(time.Now()).AddDays(-2))
	if _, err := s.svc.CreateSignInLink(ctx, engagement.SignInLinkRequest{Email: auditorA, EngagementID: engA}); err == nil {
		t.Error("an auditor whose invitation ended got a sign-in link")
	}
	if err := s.svc.InviteAuditor(ctx, engagement.InviteAuditorRequest{EngagementID: engA, Email: auditorA,
		Until: compliance.DateOf(time.Now()).AddDays(3), Actor: compliance.Actor{Person: ownerA, Channel: compliance.ChannelWeb}}); err == nil {
		t.Error("a control owner invited an auditor")
	}
}

func TestAnswerChoiceMustBeOffered(t *testing.T) {
	s := newSite(t)
	pid := s.prompt(engA, "q/own", ownerA, personKindQ)
	resp := s.signIn(ownerA, engA).post("/e/"+engA+"/answer", url.Values{"prompt": {pid}, "choice": {strings.Repeat("x", 5000)}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "choose+one") {
		t.Errorf("a choice not offered: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}
