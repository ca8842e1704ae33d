package slackemu

import (
	"fmt"
	"net/http"
	"strings"
)

// emuFile is a file someone uploaded in a modal's file input.
type emuFile struct {
	name string
	body []byte
}

// AddFile stores a file as if a user had uploaded it in a modal and
// returns its Slack file ID, for a view_submission's file input.
func (e *Emulator) AddFile(name string, body []byte) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.files == nil {
		e.files = map[string]emuFile{}
	}
	e.seq++
	id := fmt.Sprintf("F%08d", e.seq)
	e.files[id] = emuFile{name: name, body: append([]byte(nil), body...)}
	return id
}

// filesInfo answers files.info with the file's private download URL,
// which serves the bytes only to the bot token.
func (e *Emulator) filesInfo(r request) (reply, string) {
	id := r.form.Get("file")
	f, ok := e.files[id]
	if !ok {
		return nil, "file_not_found"
	}
	dl := strings.TrimSuffix(e.srv.GetAPIURL(), "/") + "/files-pri/" + id + "/" + f.name
	return reply{"file": map[string]any{"id": id, "name": f.name, "size": len(f.body), "url_private": dl, "url_private_download": dl}}, ""
}

// download serves a file's bytes to a request bearing the bot token.
func (e *Emulator) download(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	rest := strings.TrimPrefix(r.URL.Path, "/api/files-pri/")
	rest = strings.TrimPrefix(rest, "/files-pri/")
	id, _, _ := strings.Cut(rest, "/")
	e.mu.Lock()
	f, ok := e.files[id]
	want := e.token
	e.calls = append(e.calls, Call{Method: "files-pri", Status: http.StatusOK})
	e.mu.Unlock()
	switch {
	case token == "" || (want != "" && token != want):
		http.Error(w, "not authorised", http.StatusForbidden)
	case !ok:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(f.body)
	}
}
