package slack_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

// maxSkew is Slack's replay window, as the handler enforces it.
const maxSkew = 5 * time.Minute

// countingAnswerer counts what reaches it and accepts everything.
type countingAnswerer struct{ n atomic.Int64 }

func (a *countingAnswerer) Answer(context.Context, slack.Interaction) (slack.Outcome, error) {
	a.n.Add(1)
	return slack.Outcome{Accepted: true}, nil
}

// FuzzInteractionHandler drives the real interactivity handler with
// arbitrary payloads, timestamps and signatures, signed with the secret or
// not. Whatever arrives: nothing panics, the answer is one the handler
// documents, a request that is not validly signed inside the five-minute
// window is refused and reaches neither the Answerer nor Slack, and the
// worker's header pre-check (CheckHeaders, run before the body is read)
// never refuses a request the handler would accept.
func FuzzInteractionHandler(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, int64(0), true, "")
		f.Add(s, int64(-400), true, "")
		f.Add(s, int64(0), false, "v0=00")
	}
	f.Add("%%", int64(0), true, "")
	f.Add("payload=%7B%7D&payload=x", int64(299), true, "")
	emu := slackemu.New()
	f.Cleanup(emu.Close)
	emu.AddUser(aliceEmail, aliceID)
	client := slack.New(slack.Config{BotToken: testToken, SigningSecret: testSecret, APIURL: emu.URL()})
	ans := &countingAnswerer{}
	d := slack.NewDispatcher(ans, client, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Cleanup(d.Wait)
	h := slack.NewInteractionHandler(testSecret, d)
	f.Fuzz(func(t *testing.T, payload string, skewSeconds int64, sign bool, sig string) {
		// A form body: the payload as Slack sends it, or raw when it
		// already looks like a form.
		body := payload
		if !strings.Contains(payload, "=") {
			body = string(slackemu.FormBody([]byte(payload)))
		}
		now := time.Now()
		at := now.Add(time.Duration(max(min(skewSeconds, 1<<20), -1<<20)) * time.Second)
		r := httptest.NewRequest(http.MethodPost, slack.InteractionsPath, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if sign {
			slack.SignRequest(r, testSecret, at, []byte(body))
		} else {
			r.Header.Set("X-Slack-Request-Timestamp", strconv.FormatInt(at.Unix(), 10))
			r.Header.Set("X-Slack-Signature", sig)
		}
		d.Wait() // the previous input's background dispatch, if any
		before, slackCalls := ans.n.Load(), emu.CallCount("")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d is not one the handler documents", w.Code)
		}
		skew := now.Sub(at).Abs()
		borderline := skew > maxSkew-2*time.Second && skew < maxSkew+2*time.Second
		if !sign {
			d.Wait()
			if w.Code != http.StatusUnauthorized || ans.n.Load() != before || emu.CallCount("") != slackCalls {
				t.Fatalf("an unsigned request answered %d and reached the Answerer or Slack", w.Code)
			}
		}
		if sign && skew > maxSkew+2*time.Second && w.Code != http.StatusUnauthorized {
			t.Fatalf("a request signed %s away answered %d", skew, w.Code)
		}
		if w.Code != http.StatusUnauthorized && !borderline {
			if err := slack.CheckHeaders(r.Header, now); err != nil {
				t.Fatalf("the header pre-check refuses a request the handler accepts (%d): %v", w.Code, err)
			}
		}
	})
}
