package httpserve_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/steadfast-grc/steadfast/internal/httpserve"
)

// FuzzBodyGuard sends arbitrary methods, signature headers, declared
// lengths and bodies through a BodyGuard. Whatever arrives: a request that
// fails the header check never reaches the handler, a POST's handler never
// reads more than MaxBody, and every refusal asks to close the connection.
func FuzzBodyGuard(f *testing.F) {
	f.Add("POST", "good", int64(5), []byte("hello"))
	f.Add("POST", "", int64(5), []byte("hello"))
	f.Add("POST", "good", int64(-1), bytes.Repeat([]byte("x"), 2000))
	f.Add("POST", "good", int64(4000), []byte("x"))
	f.Add("GET", "", int64(0), []byte(nil))
	const maxBody = 1 << 10
	f.Fuzz(func(t *testing.T, method, sig string, declared int64, body []byte) {
		if method != http.MethodPost {
			method = http.MethodGet
		}
		var reached bool
		var read int
		next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			reached = true
			b, _ := io.ReadAll(r.Body)
			read = len(b)
		})
		h := httpserve.BodyGuard{Name: "fuzz", Check: signedCheck, MaxBody: maxBody, Slots: 1, Logger: quiet}.Wrap(next)
		r := httptest.NewRequest(method, "/hook", bytes.NewReader(body))
		r.ContentLength = declared
		if sig != "" {
			r.Header.Set("X-Sig", sig)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if method == http.MethodPost && sig != "good" && (reached || w.Code != http.StatusUnauthorized) {
			t.Fatalf("a request failing the header check reached the handler (%v) or answered %d", reached, w.Code)
		}
		if method == http.MethodPost && read > maxBody {
			t.Fatalf("the handler read %d bytes, over MaxBody", read)
		}
		if !reached && w.Header().Get("Connection") != "close" {
			t.Fatalf("a refusal (%d) keeps the connection", w.Code)
		}
	})
}
