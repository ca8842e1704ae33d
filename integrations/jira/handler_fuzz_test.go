package jira_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/steadfast-grc/steadfast/integrations/jira"
)

// countingSink counts deliveries and accepts them all.
type countingSink struct{ n atomic.Int64 }

func (s *countingSink) IssueChanged(context.Context, jira.IssueEvent) error {
	s.n.Add(1)
	return nil
}

// FuzzWebhookHandler drives the real handler with arbitrary bodies and
// signature headers, signed with the secret or not. Whatever arrives:
// nothing panics, the answer is one the handler documents, an unsigned or
// wrongly signed delivery is refused and never reaches the sink, and the
// worker's header pre-check (CheckSignatureHeader, run before the body is
// read) never refuses a delivery the handler would accept.
func FuzzWebhookHandler(f *testing.F) {
	const secret = "fuzz-webhook-secret"
	for _, s := range webhookSeeds {
		f.Add([]byte(s), true, "", "id-1")
		f.Add([]byte(s), false, "sha256=00", "")
	}
	f.Add([]byte(webhookSeeds[0]), false, jira.Sign(secret, []byte(webhookSeeds[0])), "")
	f.Add([]byte(webhookSeeds[0]), false, "SHA256="+jira.Sign(secret, []byte(webhookSeeds[0]))[7:], "x")
	sink := &countingSink{}
	h := jira.NewWebhookHandler(secret, sink, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Fuzz(func(t *testing.T, body []byte, sign bool, header, id string) {
		if sign {
			header = jira.Sign(secret, body)
		}
		r := httptest.NewRequest(http.MethodPost, jira.WebhookPath, bytes.NewReader(body))
		r.Header.Set("X-Hub-Signature", header)
		if id != "" {
			r.Header.Set("X-Atlassian-Webhook-Identifier", id)
		}
		before := sink.n.Load()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		valid := jira.Verify(secret, r.Header.Get("X-Hub-Signature"), body) == nil
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d is not one the handler documents", w.Code)
		}
		if !valid && (w.Code != http.StatusUnauthorized || sink.n.Load() != before) {
			t.Fatalf("unsigned delivery answered %d, sink calls %d -> %d", w.Code, before, sink.n.Load())
		}
		if w.Code != http.StatusUnauthorized {
			if err := jira.CheckSignatureHeader(r.Header); err != nil {
				t.Fatalf("the header pre-check refuses a delivery the handler accepts (%d): %v", w.Code, err)
			}
		}
	})
}
