package httpserve_test

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

// syncBuffer is a log sink the reporting goroutine and the test can share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// A flood of refusals writes the burst, then only a periodic count; errors
// always pass; loggers derived with With share the budget.
func TestLimitedLoggerBoundsAFlood(t *testing.T) {
	var out syncBuffer
	base := slog.New(slog.NewTextHandler(&out, nil))
	ctx, cancel := context.WithCancel(context.Background())
	log := httpserve.LimitedLogger(ctx, base, httpserve.LogLimits{PerSecond: 1, Burst: 10, Report: 50 * time.Millisecond})
	derived := log.With("handler", "slack")
	for i := range 10_000 {
		if i%2 == 0 {
			log.Warn("refused unsigned request")
		} else {
			derived.Warn("refused unsigned request")
		}
	}
	log.Error("database unreachable")
	require.Eventually(t, func() bool { return strings.Contains(out.String(), "suppressed=") }, 2*time.Second, 10*time.Millisecond)
	cancel()

	text := out.String()
	refused := strings.Count(text, "refused unsigned request")
	assert.LessOrEqual(t, refused, 12, "burst of 10 plus at most a token or two")
	assert.GreaterOrEqual(t, refused, 10)
	assert.Equal(t, 1, strings.Count(text, "database unreachable"), "an error line was suppressed")
	assert.Equal(t, 10_000-refused, suppressedTotal(text), "the periodic reports count every suppressed line")
}

// suppressedTotal adds up the counts of every "suppressed" report in text.
func suppressedTotal(text string) int {
	total := 0
	for _, line := range strings.Split(text, "\n") {
		if _, after, ok := strings.Cut(line, "suppressed="); ok {
			n, _ := strconv.Atoi(strings.Fields(after)[0])
			total += n
		}
	}
	return total
}

// The last count is reported when the logger's context ends, not lost.
func TestLimitedLoggerReportsOnStop(t *testing.T) {
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	log := httpserve.LimitedLogger(ctx, slog.New(slog.NewTextHandler(&out, nil)), httpserve.LogLimits{PerSecond: 0.001, Burst: 1, Report: time.Hour})
	for range 5 {
		log.Info("refused")
	}
	cancel()
	require.Eventually(t, func() bool { return suppressedTotal(out.String()) == 4 }, 2*time.Second, 10*time.Millisecond, out.String())
}
