package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// The live hub turns Postgres change notifications into server-sent events.
// One listening connection serves the whole process; an engagement's
// LiveStamp is read once per change however many browsers watch it, and
// only for engagements somebody watches. A periodic re-read covers any
// notification lost while the listening connection was down.

// LiveLimits bound what open pages can take from the server: a page's
// stream holds a connection for as long as it is open.
type LiveLimits struct {
	// PerSession caps the streams of one signed-in browser (its tabs);
	// beyond it a page falls back to polling.
	PerSession int
	// PerPerson caps one person's streams across their browsers.
	PerPerson int
	// Total caps all streams, well under the server's connection cap, so
	// pages can never take every connection from sign-in and actions.
	Total int
	// Heartbeat is how often an idle stream sends a comment: proxies keep
	// it open and a dead client is found within one write deadline.
	Heartbeat time.Duration
	// WriteWait is the deadline of each write to a stream.
	WriteWait time.Duration
	// Lifetime ends a stream after a while; the browser reconnects at
	// once, which checks the session and the person's access again.
	Lifetime time.Duration
	// Recheck re-reads every watched engagement this often, in case a
	// notification was lost while the listener reconnected.
	Recheck time.Duration
	// AccessRecheck re-checks every open stream's session and access this
	// often: an auditor's invitation lapses at the end of its day and a
	// session at its expiry without any write to notify. A sign-out or an
	// invitation changed is notified and re-checked at once.
	AccessRecheck time.Duration
	// Coalesce gathers the notifications of a burst (a digest answering
	// many prompts) into one read and one event.
	Coalesce time.Duration
}

// DefaultLiveLimits suit a few hundred people signed in at once.
func DefaultLiveLimits() LiveLimits {
	return LiveLimits{PerSession: 4, PerPerson: 8, Total: 256, Heartbeat: 20 * time.Second,
		WriteWait: 10 * time.Second, Lifetime: 10 * time.Minute, Recheck: 15 * time.Second, AccessRecheck: 5 * time.Second,
		Coalesce: 150 * time.Millisecond}
}

// Why a stream was refused; the handler answers 429 to both.
var (
	errTooManyStreams   = errors.New("too many live pages are open for you; close some tabs (this page will check for changes every few seconds instead)")
	errServerLiveIsFull = errors.New("the server has as many live pages open as it allows; this page will check for changes every few seconds instead")
)

// liveSub is one open stream: it receives the newest stamp of its
// engagement, older undelivered ones dropped (only the newest matters).
type liveSub struct {
	engagementID string
	session      string
	person       string
	ch           chan postgres.LiveStamp
	// check reports whether the stream's browser is still signed in and
	// may still see the engagement; gone is closed (once) when it is not.
	check    func(context.Context) (bool, error)
	gone     chan struct{}
	goneOnce sync.Once
}

// end tells the stream its access has ended.
func (s *liveSub) end() { s.goneOnce.Do(func() { close(s.gone) }) }

type liveHub struct {
	svc    *engagement.Service
	log    *slog.Logger
	limits LiveLimits

	mu        sync.Mutex
	subs      map[string]map[*liveSub]struct{} // by engagement
	bySession map[string]int
	byPerson  map[string]int
	total     int
	last      map[string]postgres.LiveStamp // the last stamp sent, by engagement
	dirty     map[string]bool

	// checking serialises access re-checks, so a burst of notifications
	// does not run many at once.
	checking sync.Mutex

	wake      chan struct{}
	startOnce sync.Once
	started   atomic.Bool
	ctx       context.Context
	cancel    context.CancelFunc
	done      chan struct{}
}

func newLiveHub(svc *engagement.Service, log *slog.Logger, l LiveLimits) *liveHub {
	ctx, cancel := context.WithCancel(context.Background())
	return &liveHub{svc: svc, log: log, limits: l, subs: map[string]map[*liveSub]struct{}{},
		bySession: map[string]int{}, byPerson: map[string]int{}, last: map[string]postgres.LiveStamp{},
		dirty: map[string]bool{}, wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{})}
}

// subscribe opens a stream for a person's session on an engagement, within
// the limits. The hub starts listening with its first stream.
func (h *liveHub) subscribe(engagementID, session, person string, check func(context.Context) (bool, error)) (*liveSub, error) {
	h.startOnce.Do(func() { h.started.Store(true); go h.run() })
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.ctx.Err() != nil:
		return nil, errServerLiveIsFull
	case h.total >= h.limits.Total:
		return nil, errServerLiveIsFull
	case h.bySession[session] >= h.limits.PerSession, h.byPerson[person] >= h.limits.PerPerson:
		return nil, errTooManyStreams
	}
	sub := &liveSub{engagementID: engagementID, session: session, person: person, ch: make(chan postgres.LiveStamp, 1),
		check: check, gone: make(chan struct{})}
	if h.subs[engagementID] == nil {
		h.subs[engagementID] = map[*liveSub]struct{}{}
	}
	h.subs[engagementID][sub] = struct{}{}
	h.bySession[session]++
	h.byPerson[person]++
	h.total++
	return sub, nil
}

func (h *liveHub) unsubscribe(sub *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[sub.engagementID][sub]; !ok {
		return
	}
	delete(h.subs[sub.engagementID], sub)
	if len(h.subs[sub.engagementID]) == 0 {
		delete(h.subs, sub.engagementID)
		delete(h.last, sub.engagementID)
	}
	decr(h.bySession, sub.session)
	decr(h.byPerson, sub.person)
	h.total--
}

func decr(m map[string]int, k string) {
	if m[k] <= 1 {
		delete(m, k)
		return
	}
	m[k]--
}

// open counts the streams open now.
func (h *liveHub) open() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total
}

// changed marks an engagement for a re-read if anybody watches it.
func (h *liveHub) changed(engagementID string) {
	h.mu.Lock()
	_, watched := h.subs[engagementID]
	if watched {
		h.dirty[engagementID] = true
	}
	h.mu.Unlock()
	if watched {
		h.poke()
	}
}

// changedAll marks every watched engagement: after (re)connecting the
// listener, and on the periodic re-check.
func (h *liveHub) changedAll() {
	h.mu.Lock()
	for id := range h.subs {
		h.dirty[id] = true
	}
	h.mu.Unlock()
	h.poke()
}

func (h *liveHub) poke() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// run listens (reconnecting with backoff) and publishes until close.
func (h *liveHub) run() {
	defer close(h.done)
	go h.listen()
	recheck := time.NewTicker(h.limits.Recheck)
	defer recheck.Stop()
	every := h.limits.AccessRecheck
	if every <= 0 {
		every = DefaultLiveLimits().AccessRecheck
	}
	access := time.NewTicker(every)
	defer access.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-access.C:
			go h.recheckAccess("")
		case <-recheck.C:
			h.changedAll()
		case <-h.wake:
			// A burst of notifications (one digest answering many
			// questions) becomes one read per engagement.
			select {
			case <-time.After(h.limits.Coalesce):
			case <-h.ctx.Done():
				return
			}
			h.publish()
		}
	}
}

func (h *liveHub) listen() {
	backoff := time.Second
	for h.ctx.Err() == nil {
		err := h.svc.WatchChanges(h.ctx, engagement.ChangeWatcher{
			Ready:   func() { backoff = time.Second; h.changedAll(); go h.recheckAccess("") },
			Changed: h.changed,
			// Off the listening loop: a check reads the database.
			AccessChanged: func(email string) { go h.recheckAccess(email) },
		})
		if h.ctx.Err() != nil {
			return
		}
		h.log.Warn("live updates: listening for changes failed; pages fall back to the periodic re-check until it reconnects",
			"error", err, "retry_in", backoff)
		select {
		case <-time.After(backoff):
		case <-h.ctx.Done():
			return
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

// publish re-reads each marked engagement and sends its stamp to its
// streams when it moved.
func (h *liveHub) publish() {
	h.mu.Lock()
	ids := make([]string, 0, len(h.dirty))
	for id := range h.dirty {
		ids = append(ids, id)
	}
	clear(h.dirty)
	h.mu.Unlock()
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
		st, err := h.svc.LiveStamp(ctx, id)
		cancel()
		if err != nil {
			if h.ctx.Err() == nil {
				h.log.Warn("live updates: read stamp", "engagement", id, "error", err)
			}
			continue
		}
		h.mu.Lock()
		if prev, ok := h.last[id]; !ok || prev != st {
			h.last[id] = st
			for sub := range h.subs[id] {
				select { // keep only the newest
				case <-sub.ch:
				default:
				}
				sub.ch <- st
			}
		}
		h.mu.Unlock()
	}
}

// recheckAccess runs in a goroutine of its own (it reads the database);
// after close its checks fail at once on the hub's cancelled context and
// end nothing. It re-checks the open streams of person ("" : everyone's)
// and ends those whose session ended or whose access to their engagement
// went. A check that fails (the database is unreachable) leaves the
// stream open: the next re-check, or its lifetime, decides.
func (h *liveHub) recheckAccess(person string) {
	if !h.checking.TryLock() {
		if person == "" {
			return // a full re-check is already under way
		}
		h.checking.Lock()
	}
	defer h.checking.Unlock()
	h.mu.Lock()
	var subs []*liveSub
	for _, set := range h.subs {
		for sub := range set {
			if sub.check != nil && (person == "" || strings.EqualFold(sub.person, person)) {
				subs = append(subs, sub)
			}
		}
	}
	h.mu.Unlock()
	// One check per browser and engagement, however many tabs it has open.
	type key struct{ session, engagement string }
	verdict := map[key]bool{}
	for _, sub := range subs {
		k := key{sub.session, sub.engagementID}
		ok, done := verdict[k]
		if !done {
			ctx, cancel := context.WithTimeout(h.ctx, 5*time.Second)
			var err error
			ok, err = sub.check(ctx)
			cancel()
			if err != nil {
				if h.ctx.Err() == nil {
					h.log.Warn("live updates: re-check a stream's access", "engagement", sub.engagementID, "error", err)
				}
				ok = true
			}
			verdict[k] = ok
		}
		if !ok {
			sub.end()
		}
	}
}

// close ends every stream and the listener, and waits for the hub's
// goroutine if it started.
func (h *liveHub) close() {
	h.cancel()
	if h.started.Load() {
		<-h.done
	}
}

// liveVersion is the one string a page compares: it changes whenever the
// stamp does.
func liveVersion(st postgres.LiveStamp) string {
	return fmt.Sprintf("%d.%d.%d", st.LastEventID, st.Open, st.Answered)
}

// Close ends the live streams, stops listening for changes and stops
// sending sign-in links by Slack; call it
// before shutting the HTTP server down, which would otherwise wait for
// every open page.
func (s *Server) Close() {
	if s.liveHub != nil {
		s.liveHub.close()
	}
	if s.slackLinks != nil {
		s.slackLinks.close()
	}
}
