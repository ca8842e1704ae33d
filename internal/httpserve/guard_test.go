package httpserve_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// serve runs h behind a real Server on loopback and returns its address.
func serve(t *testing.T, h http.Handler, l httpserve.Limits) *httpserve.Server {
	t.Helper()
	s := httpserve.New("127.0.0.1:0", h, l, quiet)
	require.NoError(t, s.Listen())
	go func() { _ = s.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = s.Shutdown(ctx)
	})
	return s
}

// signedCheck accepts requests carrying "X-Sig: good".
func signedCheck(h http.Header, _ time.Time) error {
	if h.Get("X-Sig") != "good" {
		return errors.New("no X-Sig")
	}
	return nil
}

// echo reads the whole body and answers its length.
type echo struct{ calls atomic.Int64 }

func (e *echo) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	e.calls.Add(1)
	b, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, "cannot read request body", http.StatusBadRequest)
		return
	}
	_, _ = fmt.Fprintf(w, "%d", len(b))
}

// slowPost opens a connection and sends a POST's headers announcing a body
// of n bytes, and none of the body.
func slowPost(t *testing.T, addr, sig string, n int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	t.Cleanup(func() { _ = c.Close() })
	hdr := fmt.Sprintf("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n", n)
	if sig != "" {
		hdr += "X-Sig: " + sig + "\r\n"
	}
	_, err = io.WriteString(c, hdr+"\r\n")
	require.NoError(t, err)
	return c
}

// answer reads one response from c (status code, or 0 if the connection
// closed first) and how long it took.
func answer(t *testing.T, c net.Conn, within time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	require.NoError(t, c.SetReadDeadline(start.Add(within)))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		var ne net.Error
		require.False(t, errors.As(err, &ne) && ne.Timeout(), "no answer within %s", within)
		return 0, time.Since(start)
	}
	_ = resp.Body.Close()
	return resp.StatusCode, time.Since(start)
}

// closed reports whether the server closed c within d.
func closed(c net.Conn, d time.Duration) bool {
	_ = c.SetReadDeadline(time.Now().Add(d))
	_, err := io.Copy(io.Discard, c)
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

func guarded(e *echo, slots int) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /hook", httpserve.BodyGuard{Name: "test hook", Check: signedCheck, MaxBody: 1 << 10,
		BodyTimeout: 300 * time.Millisecond, Slots: slots, Logger: quiet}.Wrap(e))
	return mux
}

// Without signature headers a request is refused, and its connection closed,
// without waiting for the body it announced — the server's read timeout
// (10 s here) never comes into it.
func TestGuardRefusesBeforeReadingTheBody(t *testing.T) {
	e := &echo{}
	s := serve(t, guarded(e, 4), httpserve.DefaultLimits())
	c := slowPost(t, s.Addr(), "", 500)
	code, took := answer(t, c, 2*time.Second)
	assert.Equal(t, http.StatusUnauthorized, code)
	assert.Less(t, took, time.Second)
	assert.True(t, closed(c, time.Second), "the connection stays open after the refusal")
	assert.Zero(t, e.calls.Load(), "the handler ran")
}

func TestGuardRefusesADeclaredOversizedBodyUnread(t *testing.T) {
	e := &echo{}
	s := serve(t, guarded(e, 4), httpserve.DefaultLimits())
	c := slowPost(t, s.Addr(), "good", 1<<20)
	code, took := answer(t, c, 2*time.Second)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	assert.Less(t, took, time.Second)
	assert.True(t, closed(c, time.Second))
	assert.Zero(t, e.calls.Load())
}

// Slow senders with good-looking headers hold at most Slots bodies; the
// next one is turned away at once, and each held one is cut at BodyTimeout.
func TestGuardBoundsSlowBodies(t *testing.T) {
	e := &echo{}
	s := serve(t, guarded(e, 2), httpserve.DefaultLimits())
	held := []net.Conn{slowPost(t, s.Addr(), "good", 100), slowPost(t, s.Addr(), "good", 100)}
	require.Eventually(t, func() bool { return e.calls.Load() == 2 }, 2*time.Second, 5*time.Millisecond)

	third := slowPost(t, s.Addr(), "good", 100)
	code, took := answer(t, third, 2*time.Second)
	assert.Equal(t, http.StatusServiceUnavailable, code)
	assert.Less(t, took, 250*time.Millisecond, "refused before the held bodies time out")

	for _, c := range held {
		code, took := answer(t, c, 3*time.Second)
		assert.Contains(t, []int{0, http.StatusBadRequest}, code, "a body that never came was accepted")
		assert.Less(t, took, 2*time.Second, "held beyond BodyTimeout")
	}
	// The slots are free again: a whole signed body goes through.
	req, _ := http.NewRequest(http.MethodPost, "http://"+s.Addr()+"/hook", strings.NewReader("hello"))
	req.Header.Set("X-Sig", "good")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "5", string(body))
}
