package main

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// Evidence files from the browser. The form is read as a stream: its small
// fields first (the page puts the file last), then the file's bytes go
// straight to the service, which checks who may give evidence for the
// occurrence before storing anything, stores the bytes in the blob store
// (its size limit, its content sniffing, named by SHA-256) and records the
// evidence through the same add-evidence update as `evidence add --file`.

// uploadOverhead is what a multipart form may add around the file: the
// other fields and the part headers.
const uploadOverhead = 64 << 10

// maxField bounds each small field of the upload form, maxFields how many
// there may be (the page sends two).
const (
	maxField  = 1 << 10
	maxFields = 8
)

// uploadField is the name of the form's file input.
const uploadField = "file"

// uploadTime is how long a signed-in person's upload may take to arrive
// and be recorded: the server's read deadline (10 s, for everyone) would
// cut a large file on a slow line. Only a session with a page to upload
// from gets it, so nobody unauthenticated can hold a connection this long.
const uploadTime = 5 * time.Minute

func (s *Server) maxUpload() int64 {
	if s.MaxUpload > 0 {
		return s.MaxUpload
	}
	return blob.DefaultMaxSize
}

func (s *Server) uploadEvidence(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAnswer)
	if !ok {
		return
	}
	back := "/e/" + a.EngagementID + "/mine"
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(uploadTime)
	if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline.Add(time.Minute))); err != nil {
		s.Log.Warn("upload deadline not extended", "error", err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload()+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "send the evidence as a file upload form (multipart/form-data)", http.StatusBadRequest)
		return
	}
	fields, part, err := readUploadForm(mr)
	switch {
	case errors.Is(err, errNoFile):
		redirectMsg(w, r, back+"#h-upload", "err", "choose a file to upload")
	case errors.Is(err, errLongField):
		http.Error(w, err.Error(), http.StatusBadRequest)
	case err != nil:
		s.uploadRefused(w, r, back, err)
	default:
		s.storeUpload(w, r, v, a, back, fields, part)
	}
}

// Why an upload form cannot be read.
var (
	errNoFile    = errors.New("the form carries no file")
	errLongField = errors.New("a form field is too long, or there are too many")
)

// readUploadForm reads the form's small fields up to its file part and
// returns them with that part, unread, so the file streams to the store.
// A field after the file is never read: the page puts the file last.
func readUploadForm(mr *multipart.Reader) (map[string]string, *multipart.Part, error) {
	fields := map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return fields, nil, errNoFile
		}
		if err != nil {
			return fields, nil, err
		}
		if part.FormName() == uploadField {
			return fields, part, nil
		}
		if len(fields) >= maxFields {
			return fields, nil, errLongField
		}
		b, err := io.ReadAll(io.LimitReader(part, maxField+1))
		if err != nil {
			return fields, nil, err
		}
		if len(b) > maxField {
			return fields, nil, errLongField
		}
		fields[part.FormName()] = strings.TrimSpace(string(b))
	}
}

func (s *Server) storeUpload(w http.ResponseWriter, r *http.Request, v viewer, a engagement.EngagementAccess, back string,
	fields map[string]string, part *multipart.Part) {
	var performed compliance.Date
	if d := fields["performed"]; d != "" {
		var err error
		if performed, err = compliance.ParseDate(d); err != nil {
			redirectMsg(w, r, back+"#h-upload", "err", "performed on: "+refusal.Words(err))
			return
		}
	}
	res, err := s.Svc.WebUploadEvidence(r.Context(), engagement.WebUploadRequest{EngagementID: a.EngagementID, Person: v.Email,
		OccurrenceKey: fields["occurrence"], PerformedOn: performed, Sign: s.signer(v),
		File: engagement.FileUpload{Name: part.FileName(), Body: part}})
	if err != nil {
		s.uploadRefused(w, r, back, err)
		return
	}
	msg := fmt.Sprintf("Evidence %d recorded for %s: %s", res.ID, fields["occurrence"], res.Status)
	if res.Artifact != nil {
		msg = fmt.Sprintf("Evidence %d recorded for %s: %s (%d bytes, %s, sha256 %s…), %s.", res.ID, fields["occurrence"],
			res.Artifact.Filename, res.Artifact.Size, res.Artifact.ContentType, res.Artifact.SHA256[:12], res.Status)
	}
	redirectMsg(w, r, back+"#h-upload", "msg", msg)
}

// uploadRefused says why an upload was not kept; a body over the limit is
// a 413, since the browser may not read a redirect it sent too much for.
func (s *Server) uploadRefused(w http.ResponseWriter, r *http.Request, back string, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		http.Error(w, fmt.Sprintf("the file is larger than the %d MB the evidence store accepts; link to it instead", s.maxUpload()>>20), http.StatusRequestEntityTooLarge)
		return
	}
	if errors.Is(err, engagement.ErrNoAccess) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	redirectMsg(w, r, back+"#h-upload", "err", refusal.Words(err))
}

// serveArtifact sends a sampled evidence file as a download: never shown
// inline, in a sandbox if a browser tried, with its stored hash.
func (s *Server) serveArtifact(w http.ResponseWriter, r *http.Request, id string, evidenceID int64) {
	ev, rc, err := s.Svc.OpenSampledArtifact(r.Context(), id, evidenceID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer func() { _ = rc.Close() }()
	ct := ev.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	name := ev.Filename
	if name == "" {
		name = "evidence-" + strconv.FormatInt(ev.ID, 10)
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Evidence-SHA256", ev.ArtifactSHA256)
	if ev.ArtifactSize > 0 {
		h.Set("Content-Length", strconv.FormatInt(ev.ArtifactSize, 10))
	}
	_, _ = io.Copy(w, rc)
}
