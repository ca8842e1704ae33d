package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	goslack "github.com/slack-go/slack"
)

// InteractionsPath is where the worker mounts NewInteractionHandler, and the
// request_url in slack/manifest.yaml.
const InteractionsPath = "/slack/interactions"

const (
	maxBody = 1 << 20 // Slack's interaction bodies are a few KB
	// modalTimeout leaves room inside Slack's ~3s trigger lifetime.
	modalTimeout = 2500 * time.Millisecond
	// queueTimeout bounds handing a click to the Queue (one workflow
	// start) inside Slack's three seconds.
	queueTimeout = 2 * time.Second
	// maxSkew is Slack's replay window. goslack.NewSecretsVerifier enforces
	// it (|now - timestamp| > 5 min → ErrExpiredTimestamp); verify checks it
	// again so the rule does not silently depend on the library version.
	maxSkew = 5 * time.Minute
)

var errStale = errors.New("request timestamp outside the five-minute window")

// NewInteractionHandler serves Slack's interactivity requests.
//
//   - The signature is checked over the raw body before anything else; a
//     missing or bad signature or a timestamp more than five minutes away
//     answers 401 and nothing else happens.
//   - The payload is parsed; malformed payloads get 400, payloads that are
//     not Steadfast's get an empty 200.
//   - A click that opens a modal is handled before responding (the trigger
//     ID is only valid for ~3s). With a Queue, answers are queued before
//     responding too. Everything else is acknowledged with an empty 200 at
//     once (an empty body is also what closes a submitted modal) and handed
//     to the Dispatcher in the background.
func NewInteractionHandler(signingSecret string, d *Dispatcher) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return
		}
		ins, err := verifyAndParse(signingSecret, r.Header, body, time.Now())
		var unauth *unauthorizedError
		switch {
		case errors.As(err, &unauth):
			// The reason is safe to log (it names the check, not the secret);
			// the client learns nothing beyond 401.
			d.log().Warn("refused unsigned Slack request", "reason", unauth.err.Error(), "remote", r.RemoteAddr)
			http.Error(w, "invalid request signature", http.StatusUnauthorized)
			return
		case errors.Is(err, ErrUnsupported):
			d.log().Debug("ignored Slack interaction", "reason", err.Error())
			w.WriteHeader(http.StatusOK)
			return
		case err != nil:
			d.log().Warn("bad Slack interaction payload", "err", err)
			http.Error(w, "bad interaction payload", http.StatusBadRequest)
			return
		}
		switch {
		case needsSync(ins):
			ctx, cancel := context.WithTimeout(r.Context(), modalTimeout)
			_ = d.Handle(ctx, ins) // logged inside; Slack needs no error
			cancel()
		case d.HasQueue():
			// Queue before acknowledging, so an acknowledged click is
			// already in Temporal; if Temporal cannot take it in time, the
			// Dispatcher keeps trying in memory and tells the clicker.
			ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), queueTimeout)
			_ = d.Handle(ctx, ins)
			cancel()
		default:
			d.Go(r.Context(), ins)
		}
		w.WriteHeader(http.StatusOK)
	})
}

type unauthorizedError struct{ err error }

func (e *unauthorizedError) Error() string { return "unauthorized Slack request: " + e.err.Error() }
func (e *unauthorizedError) Unwrap() error { return e.err }

// verifyAndParse checks Slack's v0 signature over body and, if it holds,
// parses the form field "payload". Signature failures are *unauthorizedError.
func verifyAndParse(secret string, h http.Header, body []byte, now time.Time) ([]Interaction, error) {
	if secret == "" {
		return nil, &unauthorizedError{errors.New("no signing secret configured")}
	}
	if err := checkTimestamp(h, now); err != nil {
		return nil, &unauthorizedError{err}
	}
	sv, err := goslack.NewSecretsVerifier(h, secret)
	if err != nil {
		return nil, &unauthorizedError{err}
	}
	if _, err := sv.Write(body); err != nil {
		return nil, &unauthorizedError{err}
	}
	if err := sv.Ensure(); err != nil {
		return nil, &unauthorizedError{err}
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, fmt.Errorf("decode Slack interaction form: %w", err)
	}
	payload := form.Get("payload")
	if payload == "" {
		return nil, errors.New("decode Slack interaction form: field \"payload\" is missing")
	}
	return ParseInteraction([]byte(payload))
}

// Sign returns the X-Slack-Request-Timestamp and X-Slack-Signature header
// values Slack would send for body at ts. Tests use it to post signed
// payloads to the real handler.
func Sign(secret string, ts time.Time, body []byte) (timestampHeader, signatureHeader string) {
	timestampHeader = strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "v0:%s:", timestampHeader)
	mac.Write(body)
	return timestampHeader, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// SignRequest sets both signature headers on r for body.
func SignRequest(r *http.Request, secret string, ts time.Time, body []byte) {
	t, s := Sign(secret, ts, body)
	r.Header.Set("X-Slack-Request-Timestamp", t)
	r.Header.Set("X-Slack-Signature", s)
}
