package httpserve

import (
	"log/slog"
	"net/http"
	"time"
)

// BodyGuard protects an endpoint that verifies a signature over its request
// body (Slack interactivity, Jira webhooks). The handler it wraps still
// verifies the signature itself; the guard only makes the unauthenticated
// part of the work small and bounded:
//
//  1. Check looks at the headers alone. A request without well-formed
//     signature headers, or with a stale timestamp, is refused (401) before
//     any of its body is read.
//  2. A declared body larger than MaxBody is refused (413) unread.
//  3. At most Slots bodies are read at once; a request beyond that is refused
//     (503, Retry-After: 1) at once rather than queued, so slow senders
//     cannot make the server's other requests, /healthz included, wait.
//  4. The body must arrive within BodyTimeout and is cut at MaxBody
//     (http.MaxBytesReader).
//
// Every refusal closes the connection without reading the rest of the body,
// and is logged through Logger (use a LimitedLogger).
type BodyGuard struct {
	Name        string // for the log, e.g. "Slack interaction"
	Check       func(h http.Header, now time.Time) error
	MaxBody     int64
	BodyTimeout time.Duration
	Slots       int
	Logger      *slog.Logger
}

// Wrap returns next behind the guard.
func (g BodyGuard) Wrap(next http.Handler) http.Handler {
	logger := g.Logger
	if logger == nil {
		logger = slog.Default()
	}
	slots := make(chan struct{}, max(g.Slots, 1))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			next.ServeHTTP(w, r) // the handler answers 405; it reads no body
			return
		}
		if err := g.Check(r.Header, time.Now()); err != nil {
			// The reason names the check that failed, never a secret.
			logger.Warn("refused "+g.Name+" before reading its body", "reason", err.Error(), "remote", r.RemoteAddr)
			Refuse(w, http.StatusUnauthorized, "invalid request signature")
			return
		}
		if g.MaxBody > 0 && r.ContentLength > g.MaxBody {
			logger.Warn("refused "+g.Name+": body too large", "content_length", r.ContentLength, "remote", r.RemoteAddr)
			Refuse(w, http.StatusRequestEntityTooLarge, "request body too large")
			return
		}
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
		default:
			logger.Warn("refused "+g.Name+": too many bodies being read", "slots", cap(slots), "remote", r.RemoteAddr)
			w.Header().Set("Retry-After", "1")
			Refuse(w, http.StatusServiceUnavailable, "busy, retry")
			return
		}
		if g.BodyTimeout > 0 {
			// Not every ResponseWriter supports deadlines (httptest's
			// recorder does not); the server's ReadTimeout still applies.
			_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(g.BodyTimeout))
		}
		if g.MaxBody > 0 {
			r.Body = http.MaxBytesReader(w, r.Body, g.MaxBody)
		}
		next.ServeHTTP(w, r)
	})
}

// Refuse answers code with msg and closes the connection without reading
// the request body. Without the expired read deadline the server would try
// to drain up to 256 KB of an unread body after the handler returns (to keep
// the connection alive), and a client sending a byte every few seconds would
// hold the connection until the read timeout anyway.
func Refuse(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Connection", "close")
	http.Error(w, msg, code)
	_ = http.NewResponseController(w).SetReadDeadline(time.Now())
}
