package slack

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// CheckHeaders reports whether a request carries Slack's signature headers,
// well formed and with a timestamp inside the five-minute window, looking at
// the headers alone. The worker calls it before reading any of the body
// (httpserve.BodyGuard), so a client without them is refused at once rather
// than allowed to trickle a body; the handler then verifies the signature
// over the body as before.
func CheckHeaders(h http.Header, now time.Time) error {
	if err := checkTimestamp(h, now); err != nil {
		return err
	}
	sig, ok := strings.CutPrefix(h.Get("X-Slack-Signature"), "v0=")
	if !ok || len(sig) != 2*32 {
		return errors.New("missing or malformed X-Slack-Signature")
	}
	if _, err := hex.DecodeString(sig); err != nil {
		return errors.New("missing or malformed X-Slack-Signature")
	}
	return nil
}

// checkTimestamp enforces Slack's replay window on X-Slack-Request-Timestamp.
func checkTimestamp(h http.Header, now time.Time) error {
	ts, err := strconv.ParseInt(h.Get("X-Slack-Request-Timestamp"), 10, 64)
	if err != nil {
		return errors.New("missing or malformed X-Slack-Request-Timestamp")
	}
	if skew := now.Sub(time.Unix(ts, 0)); skew > maxSkew || skew < -maxSkew {
		return errStale
	}
	return nil
}
