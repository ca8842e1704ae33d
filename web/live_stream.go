package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// liveEvent is what a stream and the polling endpoint send: the stamp and
// the version string a page compares with the one it was drawn at.
type liveEvent struct {
	Version string `json:"version"`
	postgres.LiveStamp
}

func newLiveEvent(st postgres.LiveStamp) liveEvent {
	return liveEvent{Version: liveVersion(st), LiveStamp: st}
}

// live is the polling endpoint, for browsers without EventSource and for a
// page whose stream was refused: one cheap read of the stamp.
func (s *Server) live(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAny)
	if !ok {
		return
	}
	st, err := s.Svc.LiveStamp(r.Context(), a.EngagementID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(newLiveEvent(st))
}

// liveStream is the page's server-sent event stream: an event named
// "change" with the engagement's stamp at once and whenever it moves.
// Only a signed-in person with access to the engagement gets one, within
// the per-session, per-person and total caps (429 beyond them, which
// makes the page poll instead). The stream sets its own deadlines through
// http.ResponseController, because the server's read and write timeouts,
// right for every other request, would cut it after seconds.
func (s *Server) liveStream(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAny)
	if !ok {
		return
	}
	token := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		token = c.Value
	}
	check := func(ctx context.Context) (bool, error) { return s.Svc.StillSignedIn(ctx, token, a.EngagementID) }
	sub, err := s.liveHub.subscribe(a.EngagementID, sessionKey(r), v.Email, check)
	if err != nil {
		w.Header().Set("Retry-After", "60")
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	defer s.liveHub.unsubscribe(sub)
	st, err := s.Svc.LiveStamp(r.Context(), a.EngagementID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lim := s.liveHub.limits
	rc := http.NewResponseController(w)
	// The server's ReadTimeout would end the request (and cancel its
	// context) while the stream is idle: the stream reads nothing more.
	if err := rc.SetReadDeadline(time.Now().Add(lim.Lifetime + lim.WriteWait)); err != nil {
		s.fail(w, r, fmt.Errorf("live stream: the connection takes no deadlines: %w", err))
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("X-Accel-Buffering", "no") // a proxy must pass each event on at once
	send := func(frame string) error {
		if err := rc.SetWriteDeadline(time.Now().Add(lim.WriteWait)); err != nil {
			return err
		}
		if _, err := fmt.Fprint(w, frame); err != nil {
			return err
		}
		return rc.Flush()
	}
	// retry: how long the browser waits before reconnecting after a
	// stream ends (the lifetime below, a restart of the web).
	if err := send("retry: 3000\n" + changeFrame(st)); err != nil {
		return
	}
	heartbeat := time.NewTicker(lim.Heartbeat)
	defer heartbeat.Stop()
	end := time.NewTimer(lim.Lifetime)
	defer end.Stop()
	for {
		var frame string
		select {
		case <-r.Context().Done():
			return
		case <-s.liveHub.ctx.Done():
			return
		case <-end.C:
			return
		case <-sub.gone:
			// Signed out elsewhere, or the access lapsed: say so, and the
			// page stops listening and shows it (app.js); a reconnect would
			// only be refused.
			_ = send(signedOutFrame)
			return
		case st := <-sub.ch:
			frame = changeFrame(st)
		case <-heartbeat.C:
			frame = ": still here\n\n"
		}
		if err := send(frame); err != nil {
			if !errors.Is(err, context.Canceled) {
				s.Log.Debug("live stream closed", "engagement", a.EngagementID, "error", err)
			}
			return
		}
	}
}

// signedOutFrame ends a stream whose session or access ended.
const signedOutFrame = "event: signedout\ndata: {}\n\n"

// changeFrame is one server-sent event: its id is the version, so a
// reconnecting browser's Last-Event-ID says what it last saw.
func changeFrame(st postgres.LiveStamp) string {
	ev := newLiveEvent(st)
	data, _ := json.Marshal(ev) // a struct of numbers and a string: it always encodes
	return "id: " + ev.Version + "\nevent: change\ndata: " + string(data) + "\n\n"
}

// sessionKey names the browser's session for the per-session cap without
// keeping the cookie's secret in memory.
func sessionKey(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256([]byte(c.Value))
	return hex.EncodeToString(sum[:8])
}

type liveVersionKey struct{}

// stamped reads the engagement's stamp before the page reads what it
// shows, so a change landing in between makes the page's version older
// than its content (one needless refresh) rather than newer (a missed
// update). render puts the version on the page.
func (s *Server) stamped(h viewerHandler) viewerHandler {
	return func(w http.ResponseWriter, r *http.Request, v viewer) {
		if a := v.Access.For(r.PathValue("id")); a.Any() {
			if st, err := s.Svc.LiveStamp(r.Context(), a.EngagementID); err == nil {
				r = r.WithContext(context.WithValue(r.Context(), liveVersionKey{}, liveVersion(st)))
			}
		}
		h(w, r, v)
	}
}

// liveVersionOf is the version stamped on the request ("" : none).
func liveVersionOf(r *http.Request) string {
	v, _ := r.Context().Value(liveVersionKey{}).(string)
	return v
}

// isLiveAPI reports the live endpoints, which answer 401 rather than
// redirect to the sign-in page.
func isLiveAPI(r *http.Request) bool {
	return r.Pattern == "GET /e/{id}/live" || r.Pattern == "GET /e/{id}/live/stream"
}
