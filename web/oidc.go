package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDC signs people in with the client's identity provider: the
// authorisation-code flow with PKCE, a state and a nonce bound to the
// browser by a short-lived cookie, and the ID token verified against the
// provider's keys. The verified email must be a person of an engagement.
type OIDC struct {
	conf     oauth2.Config
	verifier *oidc.IDTokenVerifier
}

// oidcCookie carries state, nonce and PKCE verifier across the redirect.
const oidcCookie = "steadfast_oidc"

// NewOIDC discovers the provider at issuer.
func NewOIDC(ctx context.Context, issuer, clientID, clientSecret, baseURL string) (*OIDC, error) {
	p, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return nil, fmt.Errorf("OIDC_ISSUER %s: discovery: %w", issuer, err)
	}
	return &OIDC{
		conf: oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Endpoint: p.Endpoint(),
			RedirectURL: baseURL + "/auth/oidc/callback", Scopes: []string{oidc.ScopeOpenID, "email"}},
		verifier: p.Verifier(&oidc.Config{ClientID: clientID}),
	}, nil
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Server) oidcStart(w http.ResponseWriter, r *http.Request) {
	if s.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	if !s.limits.allowIP(clientIP(r)) {
		http.Error(w, "too many sign-in attempts from your address; wait a minute", http.StatusTooManyRequests)
		return
	}
	state, nonce, verifier := randomString(), randomString(), oauth2.GenerateVerifier()
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: state + "." + nonce + "." + verifier, Path: "/auth/oidc/",
		MaxAge: int((10 * time.Minute).Seconds()), HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, s.OIDC.conf.AuthCodeURL(state, oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)), http.StatusFound)
}

func (s *Server) oidcCallback(w http.ResponseWriter, r *http.Request) {
	if s.OIDC == nil {
		http.NotFound(w, r)
		return
	}
	refuse := func(why string) {
		s.render(w, r, "signin.html", http.StatusForbidden, map[string]any{"Title": "Sign in", "Error": why, "OIDC": true})
	}
	c, err := r.Cookie(oidcCookie)
	parts := []string{}
	if err == nil {
		parts = strings.Split(c.Value, ".")
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: "", Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	if len(parts) != 3 || r.URL.Query().Get("state") != parts[0] {
		refuse("The sign-in did not start in this browser (state mismatch); start again.")
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
	defer cancel()
	tok, err := s.OIDC.conf.Exchange(ctx, r.URL.Query().Get("code"), oauth2.VerifierOption(parts[2]))
	if err != nil {
		refuse("Your identity provider did not confirm the sign-in; start again.")
		return
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := s.OIDC.verifier.Verify(ctx, raw)
	if err != nil || idt.Nonce != parts[1] {
		refuse("Your identity provider's answer could not be verified; start again.")
		return
	}
	var claims struct {
		Email    string `json:"email"`
		Verified bool   `json:"email_verified"`
	}
	if err := idt.Claims(&claims); err != nil || claims.Email == "" || !claims.Verified {
		refuse("Your identity provider did not give a verified email address.")
		return
	}
	if !s.limits.allowEmail(claims.Email) {
		http.Error(w, "too many sign-ins for this person; wait a minute", http.StatusTooManyRequests)
		return
	}
	sess, err := s.Svc.OpenOIDCSession(r.Context(), claims.Email)
	if err != nil {
		refuse(claims.Email + " is not a person of any engagement here.")
		return
	}
	s.setSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
