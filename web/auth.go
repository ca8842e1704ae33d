package main

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// sessionCookie holds the session token; the record holds its SHA-256.
const sessionCookie = "steadfast_session"

// Sign-in rate limits: per client address, and per person once the link
// names them, so neither guessing tokens nor replaying a leaked mailbox
// can run fast.
var (
	perIPRate    = rate.Every(6 * time.Second) // 10 a minute
	perIPBurst   = 10
	perEmailRate = rate.Every(12 * time.Second) // 5 a minute
	perEmailBurs = 5
)

// maxLimiterKeys bounds the limiter maps; past it they start afresh rather
// than grow without end under a flood of addresses.
const maxLimiterKeys = 10000

type signInLimits struct {
	mu      sync.Mutex
	byIP    map[string]*rate.Limiter
	byEmail map[string]*rate.Limiter
}

func newSignInLimits() *signInLimits {
	return &signInLimits{byIP: map[string]*rate.Limiter{}, byEmail: map[string]*rate.Limiter{}}
}

func (l *signInLimits) allow(m map[string]*rate.Limiter, key string, r rate.Limit, b int) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	lim, ok := m[key]
	if !ok {
		if len(m) >= maxLimiterKeys {
			clear(m)
		}
		lim = rate.NewLimiter(r, b)
		m[key] = lim
	}
	return lim.Allow()
}

func (l *signInLimits) allowIP(ip string) bool { return l.allow(l.byIP, ip, perIPRate, perIPBurst) }
func (l *signInLimits) allowEmail(email string) bool {
	return l.allow(l.byEmail, strings.ToLower(email), perEmailRate, perEmailBurs)
}

// clientIP is the connection's address; a proxy in front must not be
// trusted blindly, so forwarded headers are ignored.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// signInPage shows a button that spends the link's token: a GET never
// spends it, so a mail scanner or link preview cannot sign anyone in or
// burn the link.
func (s *Server) signInPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "signin.html", http.StatusOK, map[string]any{
		"Title": "Sign in", "Token": r.URL.Query().Get("token"), "OIDC": s.OIDC != nil, "Error": r.URL.Query().Get("err"),
		"SlackLinks": s.Slack != nil,
	})
}

func (s *Server) signIn(w http.ResponseWriter, r *http.Request) {
	if !s.limits.allowIP(clientIP(r)) {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many sign-in attempts from your address; wait a minute", http.StatusTooManyRequests)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	token := strings.TrimSpace(r.PostFormValue("token"))
	if token == "" || len(token) > 100 {
		s.render(w, r, "signin.html", http.StatusBadRequest, map[string]any{"Title": "Sign in", "Error": "This page needs the token from your sign-in link.", "OIDC": s.OIDC != nil})
		return
	}
	sess, err := s.Svc.RedeemSignInLink(r.Context(), token)
	if errors.Is(err, postgres.ErrLinkRefused) {
		s.render(w, r, "signin.html", http.StatusForbidden, map[string]any{"Title": "Sign in", "Error": err.Error(), "OIDC": s.OIDC != nil})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !s.limits.allowEmail(sess.Email) {
		_ = s.Svc.EndWebSession(r.Context(), sess.Token)
		w.Header().Set("Retry-After", "60")
		http.Error(w, "too many sign-ins for this person; wait a minute", http.StatusTooManyRequests)
		return
	}
	s.setSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) setSession(w http.ResponseWriter, sess engagement.WebSessionResult) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", Expires: sess.ExpiresAt,
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
}

func (s *Server) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		_ = s.Svc.EndWebSession(r.Context(), c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

// signOutEverywhere ends every session of the signed-in person (a lost
// laptop, a shared machine): each browser's next request goes to the
// sign-in page, and their open live pages close within seconds.
func (s *Server) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		email, err := s.Svc.WebSession(r.Context(), c.Value)
		switch {
		case errors.Is(err, postgres.ErrNotFound):
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			if _, err := s.Svc.EndWebSessionsOf(r.Context(), email); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}
