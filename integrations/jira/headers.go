package jira

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// CheckSignatureHeader reports whether a webhook request carries a
// well-formed X-Hub-Signature ("sha256=" and 64 hex digits), looking at the
// headers alone. The worker calls it before reading any of the body
// (httpserve.BodyGuard), so a client without one is refused at once rather
// than allowed to trickle a body; the handler then verifies the HMAC over
// the body as before. Jira signs no timestamp, so there is no staleness to
// check here.
func CheckSignatureHeader(h http.Header) error {
	algo, sig, ok := strings.Cut(strings.TrimSpace(h.Get("X-Hub-Signature")), "=")
	if !ok || !strings.EqualFold(algo, "sha256") || len(sig) != 2*sha256.Size {
		return errors.New("missing or non-sha256 X-Hub-Signature")
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return errors.New("malformed X-Hub-Signature")
	}
	return nil
}
