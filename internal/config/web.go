package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Web is the web server's own settings; it shares everything else
// (Temporal, Postgres, STEADFAST_ACTOR_KEY) with the worker.
type Web struct {
	Addr    string // WEB_ADDR
	BaseURL string // WEB_BASE_URL: the address people's browsers use, for sign-in links and OIDC
	// InsecureCookies drops the cookies' Secure flag (WEB_INSECURE_COOKIES=true), only for
	// a plain-HTTP address other than localhost; browsers keep Secure cookies on http://localhost.
	InsecureCookies bool
	// OIDC is on when OIDC_ISSUER is set.
	OIDCIssuer       string // OIDC_ISSUER
	OIDCClientID     string // OIDC_CLIENT_ID
	OIDCClientSecret string // OIDC_CLIENT_SECRET (secret)
}

// Web defaults.
const (
	DefaultWebAddr    = "127.0.0.1:8090"
	DefaultWebBaseURL = "http://localhost:8090"
)

// WebFromEnv reads the web's settings.
func WebFromEnv() Web {
	return Web{
		Addr:             env("WEB_ADDR", DefaultWebAddr),
		BaseURL:          strings.TrimRight(env("WEB_BASE_URL", DefaultWebBaseURL), "/"),
		InsecureCookies:  os.Getenv("WEB_INSECURE_COOKIES") == "true",
		OIDCIssuer:       os.Getenv("OIDC_ISSUER"),
		OIDCClientID:     os.Getenv("OIDC_CLIENT_ID"),
		OIDCClientSecret: os.Getenv("OIDC_CLIENT_SECRET"),
	}
}

// Check refuses settings the web cannot run with, naming the variable.
func (w Web) Check(c Config) error {
	u, err := url.Parse(w.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("WEB_BASE_URL %q: give the address browsers use, e.g. https://steadfast.example.com", w.BaseURL)
	}
	if len(c.ActorKey) < MinActorKeyLen {
		return fmt.Errorf("STEADFAST_ACTOR_KEY must be set (at least %d bytes, shared with the worker): without it no web action can be attested", MinActorKeyLen)
	}
	if w.OIDCIssuer != "" && (w.OIDCClientID == "" || w.OIDCClientSecret == "") {
		return fmt.Errorf("OIDC_ISSUER is set but OIDC_CLIENT_ID or OIDC_CLIENT_SECRET is not")
	}
	return nil
}
