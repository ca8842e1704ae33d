package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/httpserve"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// stream is an open server-sent event stream read in the background.
type stream struct {
	resp   *http.Response
	events chan liveEvent
	lines  chan string
}

// openStream opens /e/id/live/stream as c and fails unless it is a stream.
func (c *client) openStream(id string) *stream {
	c.s.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.s.ts.URL+"/e/"+id+"/live/stream", nil)
	req.Header.Set("Accept", "text/event-stream")
	resp := c.do(req)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		c.s.t.Fatalf("stream of %s: %d %s", id, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return readStream(resp)
}

func readStream(resp *http.Response) *stream {
	st := &stream{resp: resp, events: make(chan liveEvent, 100), lines: make(chan string, 1000)}
	go func() {
		defer close(st.events)
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			select {
			case st.lines <- line:
			default:
			}
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				var ev liveEvent
				if json.Unmarshal([]byte(data), &ev) == nil {
					st.events <- ev
				}
			}
		}
	}()
	return st
}

// next waits up to d for the next event.
func (st *stream) next(t *testing.T, d time.Duration, what string) liveEvent {
	t.Helper()
	select {
	case ev, ok := <-st.events:
		if !ok {
			t.Fatalf("%s: the stream ended", what)
		}
		return ev
	case <-time.After(d):
		t.Fatalf("%s: no event within %s", what, d)
	}
	return liveEvent{}
}

// TestLiveStreamPushesStoreChanges: a change written to the record by any
// process (here the store, as an activity would) reaches an open stream
// through Postgres's notification, without polling; a change to another
// engagement does not.
func TestLiveStreamPushesStoreChanges(t *testing.T) {
	s := newSite(t)
	s.srv.liveHub.limits.Recheck = time.Hour // only the notification can deliver
	pid := s.prompt(engA, "q/live", ownerA, personKindQ)
	st := s.signIn(leadA, engA).openStream(engA)
	first := st.next(t, 5*time.Second, "the stream's first event")
	if first.Open != 1 {
		t.Fatalf("first event %+v: want one open question", first)
	}
	// Another client's engagement changes: nothing for this stream.
	s.prompt(engB, "q/other", leadB, personKindQ)
	start := time.Now()
	err := s.db.Store.RecordPromptStep(context.Background(), postgres.PromptStep{PromptID: pid, EngagementID: engA,
		Step: "remind-1", Level: "reminded", Told: []string{ownerA}, Channel: "workflow", At: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	ev := st.next(t, 3*time.Second, "the reminder")
	if ev.LastEventID <= first.LastEventID || ev.Version == first.Version {
		t.Fatalf("after the reminder the stream sent %+v (first %+v)", ev, first)
	}
	t.Logf("store change to stream event: %s", time.Since(start))
}

// TestLiveStreamSlackAnswer runs the engagement for real (Temporal dev
// server, the worker with its identity check, Postgres): the lead's page
// holds a stream, the lead's scope sign-off is answered through the path a
// Slack click takes (answers.SlackAnswerer, attested as Slack), and the
// stream carries the change within seconds.
func TestLiveStreamSlackAnswer(t *testing.T) {
	tmp := testenv.DevServer(t)
	s := newSite(t)
	s.svc.Temporal = tmp.Client
	const queue = "web-live-test"
	s.svc.TaskQueue = queue
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testKey)})
	workflows.Register(w, &activities.Activities{Store: s.db.Store, Temporal: tmp.Client})
	must(t, w.Start())
	t.Cleanup(w.Stop)
	ctx := context.Background()
	if _, err := s.svc.Start(ctx, engagement.StartRequest{Spec: s.specs[engA], Actor: identity.CLIActor(consultant)}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the lead's scope sign-off", func() bool { return len(s.openFor(engA, leadA)) > 0 })
	signoff := s.openFor(engA, leadA)[0]

	st := s.signIn(leadA, engA).openStream(engA)
	before := st.next(t, 5*time.Second, "the stream's first event")
	for before.Open == 0 { // the stream may open while the prompt is being recorded
		before = st.next(t, 5*time.Second, "the open sign-off")
	}
	slackAnswers := &answers.SlackAnswerer{Service: &answers.Service{Temporal: tmp.Client}, Store: s.db.Store, Key: testKey}
	clicked := time.Now()
	out, err := slackAnswers.Answer(ctx, slack.Interaction{Kind: slack.KindAnswer, PromptID: signoff.ID,
		SlackUserID: s.specs[engA].Person(leadA).SlackID, DeliveryID: "live-test-click", Choice: workflows.DecisionApprove})
	if err != nil || out.Message != "" {
		t.Fatalf("the Slack answer: %v %q", err, out.Message)
	}
	for {
		ev := st.next(t, 5*time.Second, "the Slack answer")
		if ev.Answered > before.Answered {
			t.Logf("Slack answer to stream event: %s", time.Since(clicked))
			break
		}
	}
	answered, err := s.db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engA, Addressee: leadA, Status: postgres.PromptAnswered})
	must(t, err)
	if len(answered) == 0 || answered[0].AnsweredVia != "slack" {
		t.Errorf("the sign-off is recorded as %+v; want answered via slack", answered)
	}
}

// TestLiveStreamLimits: no stream without a session (401, not a redirect)
// or for another client's engagement (404); at most PerSession streams per
// browser and Total in all, each refusal a 429 that makes the page poll;
// a closed stream frees its place.
func TestLiveStreamLimits(t *testing.T) {
	s := newSite(t)
	s.srv.liveHub.limits.PerSession = 2
	s.srv.liveHub.limits.Total = 3

	anon := s.client()
	if got := anon.get("/e/" + engA + "/live/stream").StatusCode; got != http.StatusUnauthorized {
		t.Errorf("stream without a session: %d, want 401", got)
	}
	lead := s.signIn(leadA, engA)
	if got := lead.get("/e/" + engB + "/live/stream").StatusCode; got != http.StatusNotFound {
		t.Errorf("stream of another client's engagement: %d, want 404", got)
	}
	a1, a2 := lead.openStream(engA), lead.openStream(engA)
	if got := lead.get("/e/" + engA + "/live/stream"); got.StatusCode != http.StatusTooManyRequests || got.Header.Get("Retry-After") == "" {
		t.Errorf("third stream of one session: %d, want 429 with Retry-After", got.StatusCode)
	}
	other := s.signIn(sponsorA, engA)
	other.openStream(engA)
	if got := other.get("/e/" + engA + "/live/stream").StatusCode; got != http.StatusTooManyRequests {
		t.Errorf("a stream past the total: %d, want 429", got)
	}
	if n := s.srv.liveHub.open(); n != 3 {
		t.Errorf("%d streams open, want 3", n)
	}
	_ = a1.resp.Body.Close()
	_ = a2.resp.Body.Close()
	waitFor(t, "closed streams to free their places", func() bool { return s.srv.liveHub.open() == 1 })
	other.openStream(engA)
}

// TestLiveStreamOutlivesServerTimeouts serves the web through httpserve
// with one-second read and write timeouts: a stream, which sets its own
// deadlines per write, stays open past both and keeps its heartbeat, and
// ends at its lifetime so the browser reconnects (re-checking the session).
func TestLiveStreamOutlivesServerTimeouts(t *testing.T) {
	s := newSite(t)
	srv := &Server{Svc: s.svc, ActorKey: testKey, Log: testLogger(t),
		Live: LiveLimits{PerSession: 2, PerPerson: 2, Total: 4, Heartbeat: 300 * time.Millisecond, WriteWait: time.Second,
			Lifetime: 3 * time.Second, Recheck: time.Hour, Coalesce: 10 * time.Millisecond}}
	lim := httpserve.DefaultLimits()
	lim.ReadTimeout, lim.WriteTimeout = time.Second, time.Second
	hs := httpserve.New("127.0.0.1:0", srv.Handler(), lim, testLogger(t))
	must(t, hs.Listen())
	go func() { _ = hs.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
	})
	sess, err := s.svc.RedeemSignInLink(context.Background(), s.link(leadA, engA))
	must(t, err)
	req, _ := http.NewRequest(http.MethodGet, "http://"+hs.Addr()+"/e/"+engA+"/live/stream", nil)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.Token})
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	t.Cleanup(func() { _ = resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %d", resp.StatusCode)
	}
	st := readStream(resp)
	st.next(t, 2*time.Second, "the first event")
	beats := 0
	for line := range st.lines {
		if strings.HasPrefix(line, ": still here") {
			beats++
		}
		if time.Since(start) > 2500*time.Millisecond {
			break
		}
	}
	if beats < 4 {
		t.Errorf("%d heartbeats in 2.5 s, want at least 4 (every 300 ms, past the 1 s timeouts)", beats)
	}
	// The lifetime ends the stream; the reader sees the end.
	deadline := time.After(3 * time.Second)
	for {
		select {
		case _, ok := <-st.events:
			if !ok {
				if d := time.Since(start); d < 2900*time.Millisecond {
					t.Errorf("the stream ended after %s, before its 3 s lifetime", d)
				}
				return
			}
		case <-deadline:
			t.Fatal("the stream did not end at its lifetime")
		}
	}
}
