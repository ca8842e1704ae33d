package jira

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// WebhookPath is where the worker mounts NewWebhookHandler; register
// https://<worker>/jira/webhook in Jira (Settings → System → WebHooks) with
// the events "Issue: created, updated" and the secret from
// JIRA_WEBHOOK_SECRET.
const WebhookPath = "/jira/webhook"

const (
	maxWebhookBody = 1 << 20 // issue payloads are a few KB to a few hundred KB
	// sinkTimeout bounds the sink (signalling a workflow). Jira waits about
	// ten seconds before it counts a delivery as failed and retries.
	sinkTimeout = 8 * time.Second
	// seenCapacity bounds the in-process de-duplication set; the sink
	// de-duplicates durably by WebhookID as well.
	seenCapacity = 4096
)

// IssueEvent is a ticket change from a Jira webhook.
type IssueEvent struct {
	// WebhookID identifies the change for de-duplication, and is derived
	// from the signed body only (see deliveryID): the same for Jira's
	// retries of one delivery, and not something a sender can vary without
	// the secret. X-Atlassian-Webhook-Identifier is not signed, so it is
	// logged but never trusted.
	WebhookID string
	Event     string // jira:issue_created or jira:issue_updated
	IssueKey  string
	// Labels find the candidate gaps; the sink then requires the issue key
	// recorded on the gap to be IssueKey.
	Labels   []string
	Status   string // status name, e.g. "Done"
	Category string // status-category key: new, indeterminate or done
	At       time.Time
}

// WebhookSink receives verified, parsed issue events. An error makes the
// handler answer 500 so that Jira retries the delivery.
type WebhookSink interface {
	IssueChanged(ctx context.Context, ev IssueEvent) error
}

// ErrIgnoredEvent is returned by ParseWebhook for well-formed deliveries that
// are not issue creations or updates (comments, deletions, sprints...).
var ErrIgnoredEvent = errors.New("not an issue created/updated event")

// NewWebhookHandler serves Jira's issue webhooks.
//
//   - The signature (X-Hub-Signature: sha256=<hex HMAC-SHA256 of the raw body
//     with secret>) is checked before anything else, in constant time. A
//     missing or bad signature, or an empty secret, answers 401 and nothing
//     else happens.
//   - Malformed payloads answer 400; events other than issue created or
//     updated answer 200 and are dropped.
//   - A change already handled by this process (the same WebhookID, which
//     comes from the signed body, whatever X-Atlassian-Webhook-Identifier
//     says) answers 200 without calling the sink again.
//   - Otherwise the sink is called and the handler answers 200 once it
//     returns, or 500 if it failed, so Jira retries and nothing is lost.
func NewWebhookHandler(secret string, sink WebhookSink, logger *slog.Logger) http.Handler {
	if logger == nil {
		logger = slog.Default()
	}
	seen := newSeenSet(seenCapacity)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhookBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "cannot read request body", http.StatusBadRequest)
			return
		}
		if err := Verify(secret, r.Header.Get("X-Hub-Signature"), body); err != nil {
			// The reason names the check, never the secret or the signature.
			logger.Warn("refused unsigned Jira webhook", "reason", err.Error(), "remote", r.RemoteAddr)
			http.Error(w, "invalid signature", http.StatusUnauthorized)
			return
		}
		// Unsigned, so for the log only (and bounded there).
		header := r.Header.Get("X-Atlassian-Webhook-Identifier")
		header = header[:min(len(header), 80)]
		ev, err := ParseWebhook(body)
		switch {
		case errors.Is(err, ErrIgnoredEvent):
			logger.Debug("ignored Jira webhook", "header_id", header, "reason", err.Error())
			w.WriteHeader(http.StatusOK)
			return
		case err != nil:
			logger.Warn("bad Jira webhook payload", "header_id", header, "err", err)
			http.Error(w, "bad webhook payload", http.StatusBadRequest)
			return
		}
		id := ev.WebhookID
		if !seen.reserve(id) {
			logger.Debug("ignored repeated Jira webhook", "webhook_id", id, "header_id", header)
			w.WriteHeader(http.StatusOK)
			return
		}
		if ev.At.IsZero() {
			ev.At = time.Now().UTC()
		}
		ctx, cancel := context.WithTimeout(r.Context(), sinkTimeout)
		err = sink.IssueChanged(ctx, ev)
		cancel()
		if err != nil {
			seen.release(id) // Jira's retry must reach the sink again
			logger.Error("Jira webhook not delivered; Jira will retry", "webhook_id", id, "issue", ev.IssueKey, "err", err)
			http.Error(w, "could not record the event", http.StatusInternalServerError)
			return
		}
		seen.done(id)
		w.WriteHeader(http.StatusOK)
	})
}

// Verify checks a X-Hub-Signature header value ("sha256=<hex>") against
// body and secret in constant time.
func Verify(secret, header string, body []byte) error {
	if secret == "" {
		return errors.New("no webhook secret configured")
	}
	algo, sig, ok := strings.Cut(strings.TrimSpace(header), "=")
	if !ok || !strings.EqualFold(algo, "sha256") {
		return errors.New("missing or non-sha256 X-Hub-Signature")
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return errors.New("malformed X-Hub-Signature")
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return errors.New("X-Hub-Signature does not match the body")
	}
	return nil
}

// Sign returns the X-Hub-Signature value Jira sends for body. Tests use it
// to post signed payloads to the real handler.
func Sign(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// webhookPayload is the part of Jira's issue webhook Steadfast reads.
type webhookPayload struct {
	Timestamp    int64  `json:"timestamp"` // milliseconds since the epoch
	WebhookEvent string `json:"webhookEvent"`
	Issue        *struct {
		Key    string `json:"key"`
		Fields struct {
			Labels []string `json:"labels"`
			Status *struct {
				Name           string `json:"name"`
				StatusCategory struct {
					Key string `json:"key"`
				} `json:"statusCategory"`
			} `json:"status"`
		} `json:"fields"`
	} `json:"issue"`
	Changelog *struct {
		ID json.RawMessage `json:"id"` // a string in Jira Cloud, a number in some servers
	} `json:"changelog"`
}

// ParseWebhook parses a Jira issue webhook body. Events other than
// jira:issue_created and jira:issue_updated are ErrIgnoredEvent; a body that
// is not JSON, or an issue event without an issue key or status, is an
// error. WebhookID is derived from the body alone (deliveryID).
func ParseWebhook(body []byte) (IssueEvent, error) {
	var p webhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return IssueEvent{}, fmt.Errorf("parse Jira webhook: %w", err)
	}
	switch p.WebhookEvent {
	case "jira:issue_created", "jira:issue_updated":
	case "":
		return IssueEvent{}, errors.New("parse Jira webhook: no webhookEvent")
	default:
		return IssueEvent{}, fmt.Errorf("parse Jira webhook %.64q: %w", p.WebhookEvent, ErrIgnoredEvent)
	}
	if p.Issue == nil || !validKey(p.Issue.Key) {
		return IssueEvent{}, fmt.Errorf("parse Jira webhook %s: missing or malformed issue.key", p.WebhookEvent)
	}
	st := p.Issue.Fields.Status
	if st == nil {
		return IssueEvent{}, fmt.Errorf("parse Jira webhook %s for %s: no issue.fields.status", p.WebhookEvent, p.Issue.Key)
	}
	switch st.StatusCategory.Key {
	case CategoryNew, CategoryIndeterminate, CategoryDone:
	default:
		return IssueEvent{}, fmt.Errorf("parse Jira webhook %s for %s: unknown status category %.32q", p.WebhookEvent, p.Issue.Key, st.StatusCategory.Key)
	}
	ev := IssueEvent{
		Event:    p.WebhookEvent,
		IssueKey: p.Issue.Key,
		Status:   st.Name,
		Category: st.StatusCategory.Key,
	}
	for _, l := range p.Issue.Fields.Labels {
		if l != "" {
			ev.Labels = append(ev.Labels, l)
		}
	}
	if p.Timestamp > 0 && p.Timestamp < 1<<50 {
		ev.At = time.UnixMilli(p.Timestamp).UTC()
	}
	ev.WebhookID = deliveryID(p, body)
	return ev, nil
}

// deliveryID names one issue change for de-duplication, from what the
// signature covers: the issue key with the changelog's ID (one per change
// in Jira), or without a changelog the event and its timestamp, or failing
// both the SHA-256 of the whole body. A retry of a delivery carries the
// same body, so the same ID; a sender without the secret cannot make a new
// one for a body it replays.
func deliveryID(p webhookPayload, body []byte) string {
	key := p.Issue.Key
	if p.Changelog != nil {
		if id := changelogID(p.Changelog.ID); id != "" {
			return "jira:" + key + ":changelog:" + id
		}
	}
	if p.Timestamp > 0 {
		return fmt.Sprintf("jira:%s:%s:%d", key, strings.TrimPrefix(p.WebhookEvent, "jira:"), p.Timestamp)
	}
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// changelogID is the changelog's ID as text when it is a short run of
// letters and digits (quoted or not), else "".
func changelogID(raw json.RawMessage) string {
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw)
	}
	if s == "" || len(s) > 64 {
		return ""
	}
	for _, c := range s {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			return ""
		}
	}
	return s
}

// seenSet remembers recent delivery IDs, oldest evicted first. An ID is
// reserved while its sink call runs, so a concurrent retry of the same
// delivery is answered 200 without a second call (if the first call fails,
// its own 500 makes Jira retry); it is released on failure.
type seenSet struct {
	mu    sync.Mutex
	state map[string]bool // false: in flight; true: handled
	order []string        // ring of handled IDs
	next  int
}

func newSeenSet(n int) *seenSet {
	return &seenSet{state: map[string]bool{}, order: make([]string, n)}
}

func (s *seenSet) reserve(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.state[id]; ok {
		return false
	}
	s.state[id] = false
	return true
}

func (s *seenSet) release(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if done, ok := s.state[id]; ok && !done {
		delete(s.state, id)
	}
}

func (s *seenSet) done(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old := s.order[s.next]; old != "" {
		delete(s.state, old)
	}
	s.order[s.next] = id
	s.next = (s.next + 1) % len(s.order)
	s.state[id] = true
}
