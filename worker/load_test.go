package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
	"github.com/steadfast-grc/steadfast/internal/config"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The slow-body attack from the hardening report, bounded: this many
// clients, each sending a Slack interactivity request whose body arrives
// one byte every slowByteEvery, for loadWindow, reconnecting when the
// worker closes them (as an attacker would).
const (
	slowClients   = 2000
	slowByteEvery = 2 * time.Second
	loadWindow    = 12 * time.Second
	healthProbes  = 40
)

// TestSlowClientsDoNotStarveTheWorker runs the real worker (run: database,
// Temporal, Slack interactivity on its HTTP server) and, on loopback, opens
// thousands of slow connections to /slack/interactions carrying fresh,
// well-formed but forged signature headers, the worst case since they pass
// the header pre-check. While they are open /healthz must keep answering and
// the worker must keep polling Temporal: a prompt workflow started under
// load runs its workflow task and its OpenPrompt activity. It logs the
// figures the README's Security section quotes (go test -v -run
// TestSlowClientsDoNotStarveTheWorker ./worker/).
func TestSlowClientsDoNotStarveTheWorker(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres and opens thousands of connections")
	}
	clients := slowClients
	if budget := fdBudget() / 3; budget < clients { // client + server descriptor per connection, and room
		clients = budget
		t.Logf("the file-descriptor limit allows %d slow clients, not %d", clients, slowClients)
	}
	require.GreaterOrEqual(t, clients, 500, "raise `ulimit -n`: the test needs about %d descriptors", 3*slowClients)

	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	emu := slackemu.New()
	defer emu.Close()
	emu.AddUser("priya@brightlane.io", "U0PRIYARAM")

	const secret = "load-test-signing-secret"
	cfg := config.Config{TemporalAddress: tmp.Address, TemporalNamespace: "default", DatabaseURL: db.URL,
		TaskQueue: "load-" + strconv.FormatInt(time.Now().UnixNano(), 36), HTTPAddr: freeAddr(t),
		SlackBotToken: "xoxb-load", SlackSigningSecret: secret, SlackAPIURL: emu.URL(),
		ActorKey: config.ActorKey("load-test-actor-key-of-at-least-32-bytes")}
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	logs := &countingWriter{}
	go func() { stopped <- run(ctx, cfg, slog.New(slog.NewTextHandler(logs, nil))) }()
	defer func() {
		cancel()
		select {
		case err := <-stopped:
			assert.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("the worker did not stop")
		}
	}()
	base := "http://" + cfg.HTTPAddr
	require.Eventually(t, func() bool { _, err := healthz(base); return err == nil }, time.Minute, 50*time.Millisecond)

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "load", Revision: 1,
		Spec: *spec, Plan: plan, Phase: compliance.PhaseScoping, RecordedBy: "load", At: time.Now()}))
	openPrompt := func(key string) time.Duration {
		start := time.Now()
		id := workflows.PromptWorkflowID(spec.ID, key)
		_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: cfg.TaskQueue}, workflows.PromptWorkflowName,
			workflows.PromptInput{EngagementID: spec.ID, Key: key, Kind: "control-status", Subject: "AC-01", Question: "In place?",
				Choices: []compliance.PromptChoice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}},
				To:      *spec.Person("priya@brightlane.io"), Policy: spec.Reminders})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			qctx, qcancel := context.WithTimeout(ctx, 5*time.Second)
			defer qcancel()
			resp, err := tmp.Client.QueryWorkflow(qctx, id, "", workflows.QueryPrompt)
			var st workflows.PromptState
			return err == nil && resp.Get(&st) == nil && st.Next != nil
		}, time.Minute, 20*time.Millisecond, "the prompt never opened: the worker stopped polling Temporal")
		return time.Since(start)
	}

	idleHealth := probeHealth(t, base)
	idlePrompt := openPrompt("load/idle")

	// The attack.
	logLinesBefore, logBytesBefore := logs.lines.Load(), logs.bytes.Load()
	load := newSlowLoad(cfg.HTTPAddr, secret, clients)
	loadCtx, stopLoad := context.WithTimeout(ctx, loadWindow)
	defer stopLoad()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() { load.client(loadCtx) })
	}
	peak := make(chan int64, 1)
	go func() { peak <- load.samplePeak(loadCtx) }()
	// Let every client connect and the first ones be held, then measure.
	require.Eventually(t, func() bool { return load.started.Load() >= int64(clients) }, 30*time.Second, 10*time.Millisecond)
	time.Sleep(time.Second)
	loadedHealth := probeHealth(t, base)
	loadedPrompt := openPrompt("load/under-load")
	require.NoError(t, loadCtx.Err(), "the measurements took longer than the load window (%s)", loadWindow)
	<-loadCtx.Done()
	wg.Wait()
	maxHeld := <-peak
	logLines, logBytes := logs.lines.Load()-logLinesBefore, logs.bytes.Load()-logBytesBefore

	// The worker survived: health answers and nothing is left open.
	_, err = healthz(base)
	require.NoError(t, err)

	p50 := func(d []time.Duration) time.Duration { return d[len(d)/2] }
	t.Logf("slow clients: %d for %s, one byte every %s; connections made %d", clients, loadWindow, slowByteEvery, load.conns.Load())
	t.Logf("outcomes: refused at once (503 busy) %d; cut by the body timeout %d (median held %s, longest %s); other answers %d",
		load.refused.Load(), load.timedOut.Load(), load.medianHeld(), load.longestHeld(), load.other.Load())
	t.Logf("most connections held (unanswered after %s) at once: %d of %d clients (body slots: %d)", slowByteEvery, maxHeld, clients, webhookSlots)
	t.Logf("/healthz p50 idle %s, under load %s (ratio %.1f); worst under load %s",
		p50(idleHealth), p50(loadedHealth), float64(p50(loadedHealth))/float64(p50(idleHealth)), slices.Max(loadedHealth))
	t.Logf("log written during the attack: %d lines, %d bytes (%.0f B/s) for %d refused requests",
		logLines, logBytes, float64(logBytes)/loadWindow.Seconds(), load.refused.Load()+load.timedOut.Load())
	t.Logf("prompt workflow to open (workflow task + OpenPrompt activity): idle %s, under load %s",
		idlePrompt.Round(time.Millisecond), loadedPrompt.Round(time.Millisecond))

	assert.Less(t, slices.Max(loadedHealth), 2*time.Second, "/healthz slowed to a crawl under load")
	assert.Less(t, maxHeld, int64(clients/4), "the worker held most slow connections open")
	assert.Positive(t, load.refused.Load(), "no slow client was refused")
	assert.Positive(t, load.timedOut.Load(), "no held body was cut by the body timeout")
	// 5 lines a second with bursts of 20 (httpserve.DefaultLogLimits), and room for the worker's own lines.
	assert.Less(t, logLines, int64(20+5*loadWindow.Seconds()+40), "refusals flooded the log")
	assert.Less(t, load.longestHeld(), webhookBodyTimeout+3*time.Second, "a slow body was held beyond its timeout")
}

// probeHealth times healthProbes /healthz requests, each on a new
// connection, and returns the latencies sorted. Every one must answer 200.
func probeHealth(t *testing.T, base string) []time.Duration {
	t.Helper()
	var lat []time.Duration
	for range healthProbes {
		d, err := healthz(base)
		require.NoError(t, err)
		lat = append(lat, d)
	}
	slices.Sort(lat)
	return lat
}

func healthz(base string) (time.Duration, error) {
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	resp, err := c.Get(base + "/healthz")
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("/healthz answered %d", resp.StatusCode)
	}
	return time.Since(start), nil
}

// countingWriter counts the worker's log lines and bytes.
type countingWriter struct{ lines, bytes atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.lines.Add(1) // slog writes one line per call
	w.bytes.Add(int64(len(p)))
	return len(p), nil
}

// slowLoad is the attackers' side and its tally.
type slowLoad struct {
	addr, secret string
	clients      int
	started      atomic.Int64 // clients that have connected once
	conns        atomic.Int64 // connections made
	held         atomic.Int64 // connections unanswered after their first slowByteEvery
	refused      atomic.Int64 // answered 503 at once
	timedOut     atomic.Int64 // held, then cut by the worker (400 or closed)
	other        atomic.Int64
	mu           sync.Mutex
	heldFor      []time.Duration
}

func newSlowLoad(addr, secret string, clients int) *slowLoad {
	return &slowLoad{addr: addr, secret: secret, clients: clients}
}

// client connects, sends the headers of a 4 KB interactivity request signed
// with a wrong secret at the current time, then one body byte every
// slowByteEvery until the worker answers or closes; then it reconnects,
// until ctx ends.
func (l *slowLoad) client(ctx context.Context) {
	first := true
	for ctx.Err() == nil {
		c, err := (&net.Dialer{}).DialContext(ctx, "tcp", l.addr)
		if err != nil {
			return
		}
		l.conns.Add(1)
		if first {
			l.started.Add(1)
			first = false
		}
		ts, sig := slack.Sign("not-the-secret", time.Now(), nil)
		_, err = fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: worker\r\nContent-Type: application/x-www-form-urlencoded\r\n"+
			"Content-Length: 4096\r\nX-Slack-Request-Timestamp: %s\r\nX-Slack-Signature: %s\r\n\r\n", slack.InteractionsPath, ts, sig)
		if err == nil {
			l.trickle(ctx, c)
		}
		_ = c.Close()
		// A refused attacker comes back, but not in a tight loop.
		select {
		case <-ctx.Done():
		case <-time.After(slowByteEvery):
		}
	}
}

// trickle sends a byte every slowByteEvery and watches for the worker's
// answer or close in between.
func (l *slowLoad) trickle(ctx context.Context, c net.Conn) {
	start := time.Now()
	r := bufio.NewReader(c)
	waiting := false
	defer func() {
		if waiting {
			l.held.Add(-1)
		}
	}()
	for {
		_ = c.SetReadDeadline(time.Now().Add(slowByteEvery))
		resp, err := http.ReadResponse(r, nil)
		var ne net.Error
		switch {
		case err == nil:
			_ = resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusServiceUnavailable:
				l.refused.Add(1)
			case resp.StatusCode == http.StatusBadRequest:
				l.cut(start)
			default:
				l.other.Add(1)
			}
			return
		case errors.As(err, &ne) && ne.Timeout():
			if ctx.Err() != nil {
				return // the test's window ended with the body still owed
			}
			if !waiting {
				waiting = true
				l.held.Add(1)
			}
			if _, err := c.Write([]byte("x")); err != nil {
				l.cut(start)
				return
			}
		default: // closed without an answer
			l.cut(start)
			return
		}
	}
}

func (l *slowLoad) cut(start time.Time) {
	l.timedOut.Add(1)
	l.mu.Lock()
	l.heldFor = append(l.heldFor, time.Since(start))
	l.mu.Unlock()
}

func (l *slowLoad) sortedHeld() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := slices.Clone(l.heldFor)
	slices.Sort(h)
	return h
}

func (l *slowLoad) medianHeld() time.Duration {
	h := l.sortedHeld()
	if len(h) == 0 {
		return 0
	}
	return h[len(h)/2].Round(10 * time.Millisecond)
}

func (l *slowLoad) longestHeld() time.Duration {
	h := l.sortedHeld()
	if len(h) == 0 {
		return 0
	}
	return h[len(h)-1].Round(10 * time.Millisecond)
}

// samplePeak reports the most connections the worker held (unanswered
// after slowByteEvery) at once.
func (l *slowLoad) samplePeak(ctx context.Context) int64 {
	var peak int64
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return peak
		case <-t.C:
			peak = max(peak, l.held.Load())
		}
	}
}

// fdBudget is the process's file-descriptor limit less what it uses now.
func fdBudget() int {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return 0
	}
	used := 0
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		used = len(fds)
	}
	return int(lim.Cur) - used
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}
