package main

import (
	"context"
	"crypto/ed25519"
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
)

//go:embed templates/*.html static/*
var assets embed.FS

// Server is the web: thin handlers over the service layer. Every page and
// action finds the signed-in person, works out their access to the
// engagement in the URL from its spec, and calls one service method.
type Server struct {
	Svc *engagement.Service
	// ActorKey attests web actors (STEADFAST_ACTOR_KEY, shared with the worker).
	ActorKey []byte
	BaseURL  string
	// SecureCookies sets the cookies' Secure flag (true unless configured otherwise).
	SecureCookies bool
	// OIDC is nil without an identity provider.
	OIDC *OIDC
	// PackKey signs the evidence pack (nil: the pack is not offered).
	PackKey ed25519.PrivateKey
	Log     *slog.Logger
	// LivePoll is how often a page without a live stream asks whether
	// anything changed.
	LivePoll time.Duration
	// MaxUpload caps an evidence file from the browser (0: the blob
	// store's default; the store enforces its own limit too).
	MaxUpload int64
	// Live bounds the pages' live streams (zero: DefaultLiveLimits).
	Live LiveLimits
	// Slack sends sign-in links as DMs (nil: the page does not offer it).
	Slack *slack.Client

	limits     *signInLimits
	liveHub    *liveHub
	slackLinks *slackLinks
	pages      map[string]*template.Template
}

// Handler is the web's routes behind cross-origin protection: every
// state-changing request (POST) from another origin is refused before a
// handler runs.
func (s *Server) Handler() http.Handler {
	if s.Log == nil {
		s.Log = slog.Default()
	}
	if s.LivePoll == 0 {
		s.LivePoll = 3 * time.Second
	}
	if s.Live == (LiveLimits{}) {
		s.Live = DefaultLiveLimits()
	}
	s.limits = newSignInLimits()
	s.liveHub = newLiveHub(s.Svc, s.Log, s.Live)
	s.slackLinks = newSlackLinks(s)
	s.pages = parsePages()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok\n")) })
	mux.Handle("GET /static/", http.FileServerFS(assets))
	mux.HandleFunc("GET /signin", s.signInPage)
	mux.HandleFunc("POST /signin", s.signIn)
	mux.HandleFunc("POST /signout", s.signOut)
	mux.HandleFunc("POST /signout/everywhere", s.signOutEverywhere)
	mux.HandleFunc("GET /auth/oidc/start", s.oidcStart)
	mux.HandleFunc("GET /auth/oidc/callback", s.oidcCallback)
	mux.HandleFunc("GET /{$}", s.signedIn(s.portfolio))
	mux.HandleFunc("GET /e/{id}", s.signedIn(s.stamped(s.engagementPage)))
	mux.HandleFunc("GET /e/{id}/heatmap.svg", s.signedIn(s.heatmap))
	mux.HandleFunc("GET /e/{id}/mine", s.signedIn(s.stamped(s.ownerPage)))
	mux.HandleFunc("POST /e/{id}/answer", s.signedIn(s.answer))
	mux.HandleFunc("POST /e/{id}/auditors", s.signedIn(s.inviteAuditor))
	mux.HandleFunc("GET /e/{id}/audit", s.signedIn(s.auditorRoom))
	mux.HandleFunc("GET /e/{id}/audit/evidence/{eid}", s.signedIn(s.evidenceDownload))
	mux.HandleFunc("GET /e/{id}/audit/pack.zip", s.signedIn(s.packDownload))
	// weblive: live updates (server-sent events, polling as the fallback),
	// occurrence pages behind the heat map, sign-in links by Slack DM.
	mux.HandleFunc("GET /e/{id}/live", s.signedIn(s.live))
	// The auditor's room and the owner's page act (webroom: room_*.go, upload_*.go).
	mux.HandleFunc("POST /e/{id}/audit/requests", s.signedIn(s.addAuditRequest))
	mux.HandleFunc("POST /e/{id}/evidence", s.signedIn(s.uploadEvidence))
	mux.HandleFunc("POST /e/{id}/audit/answer", s.signedIn(s.answerAuditRequest))
	mux.HandleFunc("GET /e/{id}/audit/answer-file", s.signedIn(s.answerFileDownload))
	mux.HandleFunc("GET /e/{id}/live/stream", s.signedIn(s.liveStream))
	mux.HandleFunc("GET /e/{id}/occurrence/{control}/{period}", s.signedIn(s.stamped(s.occurrencePage)))
	mux.HandleFunc("GET /e/{id}/occurrence/{control}/{period}/evidence/{eid}", s.signedIn(s.occurrenceFile))
	mux.HandleFunc("POST /signin/slack", s.signInBySlack)
	// The customers' scrutiny: the issued report, the lead's review desk
	// (scrutiny_handlers.go).
	mux.HandleFunc("POST /e/{id}/report", s.signedIn(s.recordReport))
	mux.HandleFunc("POST /e/{id}/explain", s.signedIn(s.explain))
	mux.HandleFunc("POST /e/{id}/explanations/approve", s.signedIn(s.approveExplanation))
	mux.HandleFunc("POST /e/{id}/reviews/{review}/{action}", s.signedIn(s.reviewAction))
	mux.HandleFunc("GET /e/{id}/reviews/{review}/export", s.signedIn(s.exportReview))
	cop := http.NewCrossOriginProtection()
	h := securityHeaders(cop.Handler(mux))
	if strings.HasPrefix(s.BaseURL, "https://") {
		h = hsts(h)
	}
	return h
}

// hsts tells browsers to use HTTPS only, when the web is served over it.
func hsts(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Strict-Transport-Security", "max-age=31536000")
		h.ServeHTTP(w, r)
	})
}

// securityHeaders keeps pages out of frames, scripts to our own file and
// the sign-in token out of Referer headers.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

// viewer is the signed-in person and everything they may see.
type viewer struct {
	Email  string
	Access engagement.WebAccessResult
}

type viewerHandler func(w http.ResponseWriter, r *http.Request, v viewer)

// signedIn resolves the session cookie; without one a page goes to the
// sign-in page and anything else gets 401.
func (s *Server) signedIn(h viewerHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		email := ""
		if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
			email, _ = s.Svc.WebSession(r.Context(), c.Value)
		}
		if email == "" {
			if r.Method == http.MethodGet && !isLiveAPI(r) {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		acc, err := s.Svc.WebAccess(r.Context(), email)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		h(w, r, viewer{Email: email, Access: acc})
	}
}

// access returns the viewer's access to the engagement in the URL if may
// allows it; otherwise it answers 404 with the same words whether the
// engagement exists or not.
func (s *Server) access(w http.ResponseWriter, r *http.Request, v viewer, may func(engagement.EngagementAccess) bool) (engagement.EngagementAccess, bool) {
	a := v.Access.For(r.PathValue("id"))
	if !a.Any() || !may(a) {
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
		return a, false
	}
	return a, true
}

// signer attests v for one update (identity.WebActor).
func (s *Server) signer(v viewer) engagement.Signer {
	return func(workflowID, updateID string) compliance.Actor {
		return identity.WebActor(s.ActorKey, workflowID, updateID, v.Email)
	}
}

// fail logs an unexpected error and shows a plain message.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, engagement.ErrNoAccess) {
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
		return
	}
	if errors.Is(err, context.Canceled) {
		return
	}
	s.Log.Error("web request failed", "path", r.URL.Path, "error", err)
	http.Error(w, "something went wrong; it has been logged", http.StatusInternalServerError)
}
