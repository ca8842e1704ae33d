package slack

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// RetryPolicy says how the Dispatcher keeps trying, in this process, a
// click it could not hand over after Slack was already acknowledged. With
// a Queue set (the worker's configuration) that is only the hand-over to
// the Queue while Temporal itself is unreachable: once queued, the click is
// retried durably by Temporal (see retry_queue.go), not here. Without a
// Queue, it is the recording itself (Postgres or Temporal unreachable).
// The click carries its DeliveryID, which becomes the queue's workflow ID
// and the update ID, so however many attempts get through the answer is
// recorded once.
//
// These retries live in memory: a worker that stops while a click is
// pending tells the clicker to click again (best effort) and the click is
// not carried over to the next worker.
type RetryPolicy struct {
	For        time.Duration // give up this long after the first failure
	FirstDelay time.Duration // wait before the first retry; doubles each time
	MaxDelay   time.Duration // cap on the wait between attempts
	MaxPending int           // clicks retrying at once; more are refused with "try again"
}

// DefaultRetry keeps a click for ten minutes, trying at 1s, 2s, 4s … up to
// once a minute. 256 pending clicks is far above a real engagement's rate
// and, since only signed clicks get here, bounds what a leaked signing
// secret could pile up.
var DefaultRetry = RetryPolicy{For: 10 * time.Minute, FirstDelay: time.Second, MaxDelay: time.Minute, MaxPending: 256}

// What the clicker reads while and after their click is retried.
const (
	msgRetrying  = "Steadfast could not record that just now. It will keep trying for up to %s and tell you here when it is recorded; you do not need to click again."
	msgRetried   = "Steadfast has now recorded your answer."
	msgGaveUp    = "Steadfast still could not record that after trying for %s. Please click again later."
	msgStopped   = "Steadfast was restarting before it could record that. Please click again in a minute."
	msgTryAgain  = "Steadfast could not record that just now. Please try again in a minute."
	tellTimeout  = 10 * time.Second
	retryLogNote = "answer not recorded yet; retrying"
)

// SetRetry replaces DefaultRetry; zero fields keep their default. Call it
// before the Dispatcher handles anything.
func (d *Dispatcher) SetRetry(p RetryPolicy) {
	d.retry = RetryPolicy{
		For:        cmp.Or(p.For, DefaultRetry.For),
		FirstDelay: cmp.Or(p.FirstDelay, DefaultRetry.FirstDelay),
		MaxDelay:   cmp.Or(p.MaxDelay, DefaultRetry.MaxDelay),
		MaxPending: cmp.Or(p.MaxPending, DefaultRetry.MaxPending),
	}
}

// Pending reports how many clicks are being retried.
func (d *Dispatcher) Pending() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.pending)
}

// Close abandons pending retries (telling each clicker to click again) and
// waits for every handled interaction to finish. Call it on shutdown.
func (d *Dispatcher) Close() {
	d.mu.Lock()
	if d.stop == nil {
		d.stop = make(chan struct{})
	}
	select {
	case <-d.stop:
	default:
		close(d.stop)
	}
	d.mu.Unlock()
	d.Wait()
}

// transient reports whether an Answerer error is worth retrying: the
// Answerer returns an error only when it could not submit at all, except for
// payloads it does not handle and Slack calls that will never succeed.
func transient(err error) bool {
	return !errors.Is(err, ErrUnsupported) && !errors.Is(err, context.Canceled) && !IsPermanent(err)
}

// retryLater takes over a click whose first attempt failed with err. It
// tells the clicker what happens next and, if the click can be kept, retries
// it in the background. It reports whether the click is being retried.
func (d *Dispatcher) retryLater(log *slog.Logger, in Interaction, err error) bool {
	p := d.policy()
	// The first attempt may have used up ctx (a Temporal call that timed
	// out), so what the clicker is told goes out under its own deadline.
	if !transient(err) {
		d.tellLater(log, in, msgTryAgain)
		return false
	}
	d.mu.Lock()
	if d.stop == nil {
		d.stop = make(chan struct{})
	}
	stop := d.stop
	_, dup := d.pending[in.DeliveryID]
	full := len(d.pending) >= p.MaxPending
	stopped := isClosed(stop)
	if !dup && !full && !stopped {
		if d.pending == nil {
			d.pending = map[string]struct{}{}
		}
		d.pending[in.DeliveryID] = struct{}{}
		d.inflight.Add(1)
	}
	d.mu.Unlock()
	switch {
	case dup:
		// The same click redelivered while its first copy is retrying:
		// that copy will record it and tell the clicker.
		log.Info("click already retrying")
		return true
	case full || stopped:
		log.Warn("answer not recorded; not retrying", "pending_full", full, "stopping", stopped)
		d.tellLater(log, in, msgTryAgain)
		return false
	}
	log.Warn(retryLogNote, "err", err)
	go func() {
		defer d.inflight.Done()
		d.tellSoon(log, in, fmt.Sprintf(msgRetrying, human(p.For)))
		defer func() {
			d.mu.Lock()
			delete(d.pending, in.DeliveryID)
			d.mu.Unlock()
		}()
		d.keepTrying(log, in, p, stop)
	}()
	return true
}

// keepTrying retries in with capped exponential backoff until it is
// recorded, refused, p.For has passed or stop is closed, and tells the
// clicker which of those happened.
func (d *Dispatcher) keepTrying(log *slog.Logger, in Interaction, p RetryPolicy, stop <-chan struct{}) {
	deadline := time.Now().Add(p.For)
	delay := p.FirstDelay
	for attempt := 2; ; attempt++ {
		wait := min(delay, time.Until(deadline))
		if wait <= 0 {
			log.Error("answer not recorded; gave up", "attempts", attempt-1)
			d.tellSoon(log, in, fmt.Sprintf(msgGaveUp, human(p.For)))
			return
		}
		t := time.NewTimer(wait)
		select {
		case <-stop:
			t.Stop()
			log.Warn("answer not recorded; stopping", "attempts", attempt-1)
			d.tellSoon(log, in, msgStopped)
			return
		case <-t.C:
		}
		delay = min(2*delay, p.MaxDelay)
		out, err := d.attempt(in, stop)
		switch {
		case err != nil && transient(err):
			log.Warn(retryLogNote, "err", err, "attempt", attempt)
			continue
		case err != nil:
			log.Error("answer not recorded", "err", err, "attempt", attempt)
			d.tellSoon(log, in, msgTryAgain)
		case d.queue != nil:
			// Queued as already told: the queue says when it lands.
			log.Info("click queued after retry", "attempt", attempt)
		case out.Accepted:
			log.Info("answer accepted after retry", "attempt", attempt)
			d.tellSoon(log, in, msgRetried)
		default:
			log.Info("answer rejected after retry", "reason", out.Message, "attempt", attempt)
			d.tellSoon(log, in, cmp.Or(out.Message, "Steadfast did not record that answer."))
		}
		return
	}
}

// attempt makes one bounded call to the Queue (or, without one, the
// Answerer), cancelled early by stop.
func (d *Dispatcher) attempt(in Interaction, stop <-chan struct{}) (Outcome, error) {
	ctx, cancel := context.WithTimeout(context.Background(), cmp.Or(d.timeout, dispatchTimeout))
	defer cancel()
	go func() {
		select {
		case <-stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	if d.queue != nil {
		return Outcome{}, d.queue.Enqueue(ctx, in, true)
	}
	return d.answerer.Answer(ctx, in)
}

// tellLater tells the clicker in the background: retryLater may run
// inside the HTTP handler (a click queued before Slack is answered), which
// must not wait on a Slack call. Wait covers it.
func (d *Dispatcher) tellLater(log *slog.Logger, in Interaction, text string) {
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		d.tellSoon(log, in, text)
	}()
}

// tellSoon tells the clicker with its own short deadline: the retry has
// outlived the context of the request that brought the click.
func (d *Dispatcher) tellSoon(log *slog.Logger, in Interaction, text string) {
	ctx, cancel := context.WithTimeout(context.Background(), tellTimeout)
	defer cancel()
	d.tell(ctx, log, in, text)
}

func (d *Dispatcher) policy() RetryPolicy {
	if d.retry.MaxPending == 0 {
		return DefaultRetry
	}
	return d.retry
}

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// human writes a duration as people say it ("10 minutes", "30 seconds").
func human(d time.Duration) string {
	switch {
	case d >= time.Minute && d%time.Minute == 0:
		return plural(int(d/time.Minute), "minute")
	case d >= time.Second && d%time.Second == 0:
		return plural(int(d/time.Second), "second")
	}
	return d.String()
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
