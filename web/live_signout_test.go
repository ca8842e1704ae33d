package main

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// endsSignedOut waits up to d for the stream to send its signedout event
// and end, and returns how long that took.
func (st *stream) endsSignedOut(t *testing.T, d time.Duration, what string) time.Duration {
	t.Helper()
	start := time.Now()
	saw := false
	deadline := time.After(d)
	for {
		select {
		case line := <-st.lines:
			saw = saw || line == "event: signedout"
		case _, ok := <-st.events:
			if ok {
				continue
			}
			// The stream ended; drain what the reader kept.
			for more := true; more; {
				select {
				case line := <-st.lines:
					saw = saw || line == "event: signedout"
				default:
					more = false
				}
			}
			if !saw {
				t.Fatalf("%s: the stream ended without saying the person was signed out", what)
			}
			return time.Since(start)
		case <-deadline:
			t.Fatalf("%s: the stream was still open after %s", what, d)
		}
	}
}

// TestLiveStreamEndsOnSignOutEverywhere: signing a person out of every
// browser (starter web-logout, the page's "sign out everywhere") closes
// their open streams through Postgres's notification, in under five
// seconds with no periodic re-check to fall back on; another person's
// stream stays open, and the ended session gets no new stream.
func TestLiveStreamEndsOnSignOutEverywhere(t *testing.T) {
	s := newSite(t)
	s.srv.liveHub.limits.Recheck = time.Hour
	s.srv.liveHub.limits.AccessRecheck = time.Hour // only the notification can end it
	lead := s.signIn(leadA, engA)
	leadStream := lead.openStream(engA)
	leadStream.next(t, 5*time.Second, "the lead's first event")
	sponsor := s.signIn(sponsorA, engA)
	sponsorStream := sponsor.openStream(engA)
	sponsorStream.next(t, 5*time.Second, "the sponsor's first event")

	// From another browser of the lead's: sign out everywhere.
	other := s.signIn(leadA, engA)
	start := time.Now()
	if got := other.post("/signout/everywhere", nil).StatusCode; got != http.StatusSeeOther {
		t.Fatalf("sign out everywhere: %d, want 303", got)
	}
	took := leadStream.endsSignedOut(t, 5*time.Second, "the lead's stream after sign-out everywhere")
	t.Logf("sign-out everywhere to the stream's end: %s", time.Since(start))
	if took >= 5*time.Second {
		t.Errorf("the stream took %s to end, want under 5 s", took)
	}
	if got := lead.get("/e/" + engA + "/live/stream").StatusCode; got != http.StatusUnauthorized {
		t.Errorf("a new stream for the ended session: %d, want 401", got)
	}
	// The sponsor's stream is untouched: a change still reaches it.
	s.prompt(engA, "q/after-signout", ownerA, personKindQ)
	sponsorStream.next(t, 5*time.Second, "the sponsor's stream after the lead's sign-out")
	if n := s.srv.liveHub.open(); n != 1 {
		t.Errorf("%d streams open, want the sponsor's only", n)
	}
}

// TestLiveStreamEndsWhenSessionRevoked: the service's EndWebSessionsOf
// (what `starter web-logout` calls, from another process) ends the stream
// the same way; signing out of one browser ends that browser's only.
func TestLiveStreamEndsWhenSessionRevoked(t *testing.T) {
	s := newSite(t)
	s.srv.liveHub.limits.AccessRecheck = time.Hour
	a, b := s.signIn(ownerA, engA), s.signIn(ownerA, engA)
	sa, sb := a.openStream(engA), b.openStream(engA)
	sa.next(t, 5*time.Second, "browser a's first event")
	sb.next(t, 5*time.Second, "browser b's first event")
	if got := a.post("/signout", nil).StatusCode; got != http.StatusSeeOther {
		t.Fatalf("sign out: %d", got)
	}
	sa.endsSignedOut(t, 5*time.Second, "browser a after signing out")
	s.prompt(engA, "q/b-still", ownerA, personKindQ)
	sb.next(t, 5*time.Second, "browser b, still signed in")
	n, err := s.svc.EndWebSessionsOf(context.Background(), strings.ToUpper(ownerA))
	if err != nil || n != 1 {
		t.Fatalf("EndWebSessionsOf: %d, %v; want the one session left", n, err)
	}
	sb.endsSignedOut(t, 5*time.Second, "browser b after web-logout")
}

// TestLiveStreamEndsWhenInvitationLapses: an auditor's invitation lapses at
// the end of its day with nothing written to notify; the periodic access
// re-check ends the auditor's stream within seconds, while the session
// itself is still valid. An invitation withdrawn (a write) ends it at once.
func TestLiveStreamEndsWhenInvitationLapses(t *testing.T) {
	s := newSite(t)
	// The clock: late on the invitation's last day, so the session (12
	// hours) outlives the invitation.
	today := compliance.DateOf(time.Now().UTC())
	var clock atomic.Int64
	clock.Store(time.Date(today.Year, time.Month(today.Month), today.Day, 23, 0, 0, 0, time.UTC).UnixNano())
	s.svc.Now = func() time.Time { return time.Unix(0, clock.Load()) }
	s.srv.liveHub.limits.Recheck = time.Hour
	s.srv.liveHub.limits.AccessRecheck = 300 * time.Millisecond
	s.invite(auditorA, engA, today)
	aud := s.signIn(auditorA, engA)
	st := aud.openStream(engA)
	st.next(t, 5*time.Second, "the auditor's first event")
	time.Sleep(time.Second) // re-checks run and keep it open
	select {
	case _, ok := <-st.events:
		if !ok {
			t.Fatal("the stream ended while the invitation was open")
		}
	default:
	}
	clock.Add(int64(90 * time.Minute)) // 00:30 the next day
	took := st.endsSignedOut(t, 5*time.Second, "the auditor's stream after the invitation's last day")
	t.Logf("lapsed invitation to the stream's end: %s", took)
	if got := aud.get("/e/" + engA + "/audit").StatusCode; got != http.StatusNotFound {
		t.Errorf("the room after the invitation lapsed: %d, want 404", got)
	}
}
