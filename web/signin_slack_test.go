package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

var signInToken = regexp.MustCompile(`/signin\?token=([A-Za-z0-9_-]+)`)

// TestSignInLinkBySlackDM: the sign-in page's "send me a link" DMs a
// person the engagement knows a single-use link through the real Slack
// client (against the emulator); the answer is the same for an email
// nobody has, nothing is sent then, and asking is rate-limited per email
// whether or not it is known.
func TestSignInLinkBySlackDM(t *testing.T) {
	s := newSite(t)
	// The per-address limit is its own test below; here every ask comes
	// from 127.0.0.1.
	ipBurst := slackLinkIPBurst
	slackLinkIPBurst = 100
	t.Cleanup(func() { slackLinkIPBurst = ipBurst })
	emu := slackemu.New()
	t.Cleanup(emu.Close)
	emu.AddUser(leadA, "U01MAYACHEN") // the spec's Slack ID for the lead
	emu.AddUser(ownerA, "U0LEO")      // found by email: the spec has no Slack ID for leo
	s.srv.Slack = slack.New(slack.Config{BotToken: "xoxb-test", APIURL: emu.URL()})
	s.srv.BaseURL = s.ts.URL

	anon := s.client()
	page := body(t, anon.get("/signin"))
	if !strings.Contains(page, `action="/signin/slack"`) {
		t.Fatal("the sign-in page does not offer a link by Slack")
	}
	known := anon.post("/signin/slack", url.Values{"email": {" Leo@Brightlane.io "}})
	knownBody := body(t, known)
	unknown := anon.post("/signin/slack", url.Values{"email": {"nobody@brightlane.io"}})
	unknownBody := body(t, unknown)
	if known.StatusCode != http.StatusOK || unknown.StatusCode != http.StatusOK || knownBody != unknownBody || !strings.Contains(knownBody, "on its way") {
		t.Errorf("known and unknown emails are answered differently: %d vs %d", known.StatusCode, unknown.StatusCode)
	}
	waitFor(t, "the DM to leo", func() bool { return len(emu.Messages()) > 0 })
	time.Sleep(300 * time.Millisecond) // the unknown email's turn in the queue
	msgs := emu.Messages()
	if len(msgs) != 1 || msgs[0].Channel != slackemu.DMChannel("U0LEO") {
		t.Fatalf("Slack messages: %+v; want one DM to leo", msgs)
	}
	m := signInToken.FindStringSubmatch(msgs[0].Text)
	if m == nil || !strings.HasPrefix(msgs[0].Text, "Your sign-in link to Steadfast ("+engA+"): "+s.ts.URL+"/signin?token=") {
		t.Fatalf("the DM has no sign-in link: %q", msgs[0].Text)
	}
	c := s.client()
	if resp := c.post("/signin", url.Values{"token": {m[1]}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in with the DM's link: %d", resp.StatusCode)
	}
	if got := c.get("/e/" + engA + "/mine").StatusCode; got != http.StatusOK {
		t.Errorf("signed in by the Slack link, leo's page: %d", got)
	}
	if resp := s.client().post("/signin", url.Values{"token": {m[1]}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("the DM's link signed in twice: %d", resp.StatusCode)
	}
	// Per email, known or not: the third and fourth ask in a row pass,
	// the next is refused for both alike.
	for _, email := range []string{"leo@brightlane.io", "nobody@brightlane.io"} {
		var last int
		for range 3 {
			last = s.client().post("/signin/slack", url.Values{"email": {email}}).StatusCode
		}
		if last != http.StatusTooManyRequests {
			t.Errorf("asking for %s four times in a row: %d, want 429", email, last)
		}
	}
	// Per address: a fresh address limiter, five asks pass, the sixth not.
	slackLinkIPBurst = 5
	s.srv.slackLinks.limits = newSignInLimits()
	for i := range 6 {
		got := s.client().post("/signin/slack", url.Values{"email": {"someone" + string(rune('a'+i)) + "@example.com"}}).StatusCode
		if want := map[bool]int{true: http.StatusOK, false: http.StatusTooManyRequests}[i < 5]; got != want {
			t.Errorf("ask %d from one address: %d, want %d", i+1, got, want)
		}
	}
	// A cross-origin form cannot make the server send links.
	if got := anon.postFrom("/signin/slack", url.Values{"email": {leadA}}, "https://evil.example").StatusCode; got != http.StatusForbidden {
		t.Errorf("cross-origin ask: %d, want 403", got)
	}
}
