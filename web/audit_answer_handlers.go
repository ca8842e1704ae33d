package main

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// An auditor's request answered from the browser, with files. The form is
// read as a stream like the evidence upload: the small fields first (the
// page puts the file input last), then each file part goes straight to the
// service, which checks that the person may answer the request before it
// stores a byte, stores each in the blob store (its size limit and content
// sniffing) and sends the answer with the files' hashes through the
// prompt's answer update. The auditor downloads them from the room.

// answerFilesFactor is how many uploads' worth of bytes one answer's form
// may carry in all (each file is still held to the blob store's limit).
const answerFilesFactor = 4

// Field names of the answer form.
const (
	answerFieldEvidence = "evidence"
	maxEvidenceField    = 512
)

func (s *Server) answerAuditRequest(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAnswer)
	if !ok {
		return
	}
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(uploadTime)
	if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline.Add(time.Minute))); err != nil {
		s.Log.Warn("upload deadline not extended", "error", err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, answerFilesFactor*s.maxUpload()+uploadOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "send the answer as a file upload form (multipart/form-data)", http.StatusBadRequest)
		return
	}
	fields, first, err := readUploadForm(mr)
	back := safeBack(fields["back"], a.EngagementID)
	if back == "/e/"+a.EngagementID+"/mine" {
		back += "#h-audit"
	}
	switch {
	case errors.Is(err, errNoFile):
		first, err = nil, nil // an answer may carry no new file
	case errors.Is(err, errLongField):
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	case err != nil:
		s.answerRefused(w, r, back, err)
		return
	}
	form, err := parseAnswerForm(fields)
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	res, err := s.Svc.AnswerAuditRequest(r.Context(), engagement.AuditAnswerRequest{EngagementID: a.EngagementID,
		PromptID: form.PromptID, Choice: form.Choice, Note: form.Note, Link: form.Link, EvidenceIDs: form.EvidenceIDs,
		Files: answerParts(mr, first), Sign: s.signer(v),
		Actor: compliance.Actor{Person: v.Email, Channel: compliance.ChannelWeb}})
	if err != nil {
		s.answerRefused(w, r, back, err)
		return
	}
	msg := fmt.Sprintf("Answer to %s recorded: %s", res.RequestID, res.Answer.Choice)
	if n := len(res.Files); n > 0 {
		msg += fmt.Sprintf(", with %d file(s):", n)
		for _, f := range res.Files {
			msg += fmt.Sprintf(" %s (sha256 %s…)", f.Filename, f.SHA256[:12])
		}
	}
	redirectMsg(w, r, back, "msg", msg+".")
}

// answerForm is the answer form's small fields, parsed.
type answerForm struct {
	PromptID, Choice, Note, Link string
	EvidenceIDs                  []int64
}

// parseAnswerForm reads the small fields; evidence is a list of evidence
// IDs separated by commas or spaces (what the page's text box takes).
func parseAnswerForm(fields map[string]string) (answerForm, error) {
	f := answerForm{PromptID: fields["prompt"], Choice: fields["choice"], Note: fields["note"], Link: fields["link"]}
	if f.PromptID == "" {
		return f, errors.New("the form names no request")
	}
	ev := fields[answerFieldEvidence]
	if len(ev) > maxEvidenceField {
		return f, errors.New("evidence: too long a list")
	}
	for _, tok := range strings.FieldsFunc(ev, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		n, err := strconv.ParseInt(strings.TrimPrefix(tok, "#"), 10, 64)
		if err != nil || n <= 0 {
			return f, fmt.Errorf("evidence: %q is not an evidence number (see the occurrence pages)", tok)
		}
		f.EvidenceIDs = append(f.EvidenceIDs, n)
	}
	if len(f.EvidenceIDs) > compliance.MaxAnswerFiles {
		return f, fmt.Errorf("evidence: at most %d", compliance.MaxAnswerFiles)
	}
	return f, nil
}

// answerParts yields the form's file parts in order, from first on; a
// part that is not a file, or a file input left empty, is skipped.
func answerParts(mr *multipart.Reader, first *multipart.Part) iter.Seq2[engagement.FileUpload, error] {
	if first == nil {
		return nil
	}
	return func(yield func(engagement.FileUpload, error) bool) {
		part := first
		for {
			if part.FormName() == uploadField && part.FileName() != "" {
				if !yield(engagement.FileUpload{Name: part.FileName(), Body: part}, nil) {
					return
				}
			}
			var err error
			part, err = mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				yield(engagement.FileUpload{}, err)
				return
			}
		}
	}
}

// answerRefused says why an answer was not recorded (see uploadRefused).
func (s *Server) answerRefused(w http.ResponseWriter, r *http.Request, back string, err error) {
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		http.Error(w, fmt.Sprintf("the files are larger than the %d MB one answer may carry; link to them instead", answerFilesFactor*s.maxUpload()>>20),
			http.StatusRequestEntityTooLarge)
	case errors.Is(err, engagement.ErrNoAccess):
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
	default:
		redirectMsg(w, r, back, "err", refusal.Words(err))
	}
}

// answerFileDownload sends one file of an answered request to whoever may
// see the auditor's room, as a download (see serveArtifact).
func (s *Server) answerFileDownload(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAudit)
	if !ok {
		return
	}
	// Request references are the auditor's and may hold any character, so
	// they travel in the query rather than the path.
	seq, err := strconv.Atoi(r.URL.Query().Get("n"))
	if err != nil || seq < 1 {
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
		return
	}
	d, err := s.Svc.OpenAnswerFile(r.Context(), a.EngagementID, r.URL.Query().Get("request"), seq)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer func() { _ = d.Body.Close() }()
	ct := d.File.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": d.File.Filename}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("X-Evidence-SHA256", d.File.SHA256)
	h.Set("Content-Length", strconv.FormatInt(d.File.Size, 10))
	_, _ = io.Copy(w, d.Body)
}
