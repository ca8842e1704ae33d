package httpserve_test

import (
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

func short() httpserve.Limits {
	l := httpserve.DefaultLimits()
	l.ReadHeaderTimeout = 200 * time.Millisecond
	l.ReadTimeout = 400 * time.Millisecond
	l.IdleTimeout = 300 * time.Millisecond
	return l
}

func ok(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok\n") }

// A client that never finishes its headers, and a keep-alive connection
// left idle, are both closed by the server.
func TestServerClosesSlowAndIdleConnections(t *testing.T) {
	s := serve(t, http.HandlerFunc(ok), short())

	slowHeaders, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	defer func() { _ = slowHeaders.Close() }()
	_, err = io.WriteString(slowHeaders, "GET /healthz HTTP/1.1\r\nHost: x\r\n") // never ends
	require.NoError(t, err)

	idle, err := net.Dial("tcp", s.Addr())
	require.NoError(t, err)
	defer func() { _ = idle.Close() }()
	_, err = io.WriteString(idle, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)

	start := time.Now()
	assert.True(t, closed(slowHeaders, 3*time.Second), "slow headers kept open")
	assert.True(t, closed(idle, 3*time.Second), "idle keep-alive kept open")
	assert.Less(t, time.Since(start), 2*time.Second)
	require.Eventually(t, func() bool { return s.Stats().Open == 0 }, 2*time.Second, 10*time.Millisecond)
	assert.EqualValues(t, 2, s.Stats().Accepted)
}

// Beyond MaxConns a new connection waits in the accept queue (it is not
// served) until an open one closes.
func TestServerCapsConnections(t *testing.T) {
	l := short()
	l.MaxConns = 2
	l.ReadHeaderTimeout = 2 * time.Second
	l.ReadTimeout = 2 * time.Second
	s := serve(t, http.HandlerFunc(ok), l)
	assert.Equal(t, 2, s.Limits().MaxConns)

	var holders []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", s.Addr())
		require.NoError(t, err)
		defer func() { _ = c.Close() }()
		holders = append(holders, c)
	}
	require.Eventually(t, func() bool { return s.Stats().Open == 2 }, 2*time.Second, 5*time.Millisecond)

	third, err := net.Dial("tcp", s.Addr()) // the kernel completes the handshake
	require.NoError(t, err)
	defer func() { _ = third.Close() }()
	_, err = io.WriteString(third, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	require.NoError(t, err)
	code, _ := answerOrTimeout(third, 300*time.Millisecond)
	assert.Zero(t, code, "served beyond the cap")

	_ = holders[0].Close()
	code, _ = answerOrTimeout(third, 2*time.Second)
	assert.Equal(t, http.StatusOK, code, "not served once a slot freed")
}

// answerOrTimeout is answer without failing on a timeout (code 0).
func answerOrTimeout(c net.Conn, within time.Duration) (int, error) {
	_ = c.SetReadDeadline(time.Now().Add(within))
	buf := make([]byte, 12)
	if _, err := io.ReadFull(c, buf); err != nil {
		return 0, err
	}
	code, err := strconv.Atoi(string(buf[9:12]))
	return code, err
}
