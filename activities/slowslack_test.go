package activities_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/slack/slackemu"
)

// slowSlack puts a proxy in front of the emulator that answers every call
// after delay, like a slow Slack. The emulator serialises its handlers, so
// the delay must sit outside it for concurrent calls to overlap. It returns
// the API URL to give the client.
func slowSlack(t testing.TB, emu *slackemu.Emulator, delay time.Duration) string {
	t.Helper()
	target, err := url.Parse(emu.URL())
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: target.Scheme, Host: target.Host})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + target.Path
}
