package httpserve

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// LogLimits bound how fast a LimitedLogger writes.
type LogLimits struct {
	PerSecond float64       // lines per second on average
	Burst     int           // lines allowed at once
	Report    time.Duration // how often the count of suppressed lines is logged
}

// DefaultLogLimits let a few refusals a second through (bursts of 20) and
// report the rest once a minute. At the load the hardening test tried
// (about 4.7 MB/s of WARN lines unlimited) that is a few hundred bytes a second.
func DefaultLogLimits() LogLimits {
	return LogLimits{PerSecond: 5, Burst: 20, Report: time.Minute}
}

// LimitedLogger returns a logger that writes through base's handler at most
// l.PerSecond lines a second (bursts of l.Burst) below ERROR. ERROR lines
// always pass: they are the process's own failures, not a client's doing.
// Every l.Report, while ctx lasts, it logs how many lines it suppressed since
// the last report (nothing when none were). Loggers derived from it (With,
// WithGroup) share its budget and its count.
func LimitedLogger(ctx context.Context, base *slog.Logger, l LogLimits) *slog.Logger {
	st := &limitState{lim: rate.NewLimiter(rate.Limit(l.PerSecond), max(l.Burst, 1))}
	h := &limitedHandler{inner: base.Handler(), st: st}
	if l.Report > 0 {
		go st.report(ctx, base, l.Report)
	}
	return slog.New(h)
}

type limitState struct {
	lim        *rate.Limiter
	suppressed atomic.Int64
}

func (st *limitState) report(ctx context.Context, base *slog.Logger, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			st.flush(base)
			return
		case <-t.C:
			st.flush(base)
		}
	}
}

func (st *limitState) flush(base *slog.Logger) {
	if n := st.suppressed.Swap(0); n > 0 {
		base.Warn("log lines suppressed by the rate limit", "suppressed", n)
	}
}

type limitedHandler struct {
	inner slog.Handler
	st    *limitState
}

func (h *limitedHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *limitedHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelError && !h.st.lim.Allow() {
		h.st.suppressed.Add(1)
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h *limitedHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &limitedHandler{inner: h.inner.WithAttrs(as), st: h.st}
}

func (h *limitedHandler) WithGroup(name string) slog.Handler {
	return &limitedHandler{inner: h.inner.WithGroup(name), st: h.st}
}
