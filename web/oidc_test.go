package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// oidcSignIn walks the browser's redirects: the web's start, the
// provider's authorisation, the web's callback. It returns the callback's
// response.
func oidcSignIn(t *testing.T, c *client) *http.Response {
	t.Helper()
	start := c.get("/auth/oidc/start")
	if start.StatusCode != http.StatusFound {
		t.Fatalf("start: %d", start.StatusCode)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	auth, err := noRedirect.Get(start.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	_ = auth.Body.Close()
	back := auth.Header.Get("Location")
	if !strings.HasPrefix(back, c.s.ts.URL+"/auth/oidc/callback") {
		t.Fatalf("provider sent the browser to %q (status %d)", back, auth.StatusCode)
	}
	return c.get(strings.TrimPrefix(back, c.s.ts.URL))
}

func TestOIDCSignIn(t *testing.T) {
	s := newSite(t)
	idp := testenv.NewOIDCProvider(t)
	o, err := NewOIDC(context.Background(), idp.URL, idp.ClientID, idp.ClientSecret, s.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	s.srv.OIDC = o

	t.Run("verified person of an engagement", func(t *testing.T) {
		idp.SignInAs(leadA, true, false)
		c := s.client()
		if got := oidcSignIn(t, c); got.StatusCode != http.StatusSeeOther {
			t.Fatalf("callback: %d, want 303: %s", got.StatusCode, body(t, got))
		}
		if page := body(t, c.get("/")); !strings.Contains(page, engA) {
			t.Errorf("signed in by OIDC, the portfolio does not show %s:\n%s", engA, page)
		}
	})
	for name, tc := range map[string]struct {
		email              string
		verified, badNonce bool
	}{
		"unverified email": {leadA, false, false},
		"wrong nonce":      {leadA, true, true},
		"not a person":     {"stranger@elsewhere.example", true, false},
	} {
		t.Run(name, func(t *testing.T) {
			idp.SignInAs(tc.email, tc.verified, tc.badNonce)
			c := s.client()
			if got := oidcSignIn(t, c); got.StatusCode != http.StatusForbidden {
				t.Errorf("callback: %d, want 403", got.StatusCode)
			}
			if got := c.get("/").StatusCode; got != http.StatusSeeOther {
				t.Errorf("portfolio after a refused sign-in: %d, want 303 to /signin", got)
			}
		})
	}
	t.Run("state from another browser", func(t *testing.T) {
		idp.SignInAs(leadA, true, false)
		c := s.client()
		if got := c.get("/auth/oidc/callback?code=x&state=forged").StatusCode; got != http.StatusForbidden {
			t.Errorf("forged callback: %d, want 403", got)
		}
	})
}
