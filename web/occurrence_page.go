package main

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// occurrenceURL is the occurrence page of a control's period or heat-map
// month.
func occurrenceURL(engagementID, controlID, label string) string {
	return "/e/" + url.PathEscape(engagementID) + "/occurrence/" + url.PathEscape(controlID) + "/" + url.PathEscape(label)
}

// mayOccurrence lets in the engagement page's people and anyone with
// questions of their own (owners); the service then keeps an owner to
// their own controls.
func mayOccurrence(a engagement.EngagementAccess) bool { return a.MayView() || a.MayAnswer() }

func (s *Server) occurrenceRequest(w http.ResponseWriter, r *http.Request, v viewer) (engagement.OccurrenceRequest, bool) {
	a, ok := s.access(w, r, v, mayOccurrence)
	if !ok {
		return engagement.OccurrenceRequest{}, false
	}
	return engagement.OccurrenceRequest{EngagementID: a.EngagementID, ControlID: r.PathValue("control"),
		Label: r.PathValue("period"), Viewer: v.Email, MayView: a.MayView()}, true
}

// occurrencePage is where a heat-map cell leads: each occurrence's window,
// deadline, judgement, evidence (a download when it is a stored file) with
// who gave it and when, and whether today's draw samples it.
func (s *Server) occurrencePage(w http.ResponseWriter, r *http.Request, v viewer) {
	req, ok := s.occurrenceRequest(w, r, v)
	if !ok {
		return
	}
	view, err := s.Svc.OccurrencePage(r.Context(), req)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "occurrence.html", http.StatusOK, map[string]any{
		"Title": req.ControlID + " " + req.Label + " — " + req.EngagementID, "Me": v.Email, "V": view,
		"EngagementID": req.EngagementID, "MayView": req.MayView, "Live": req.EngagementID,
		"Base": occurrenceURL(req.EngagementID, req.ControlID, req.Label),
	})
}

// occurrenceFile downloads a stored evidence file of an occurrence the
// viewer may see. It is always an attachment of an opaque type, so a file
// someone uploaded can never run as a page of this site.
func (s *Server) occurrenceFile(w http.ResponseWriter, r *http.Request, v viewer) {
	req, ok := s.occurrenceRequest(w, r, v)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil {
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
		return
	}
	ev, body, err := s.Svc.OccurrenceFile(r.Context(), engagement.OccurrenceFileRequest{OccurrenceRequest: req, EvidenceID: id})
	if errors.Is(err, engagement.ErrNoAccess) {
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer func() { _ = body.Close() }()
	name := ev.Filename
	if name == "" {
		name = fmt.Sprintf("evidence-%d", ev.ID)
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	w.Header().Set("X-Evidence-SHA256", ev.ArtifactSHA256)
	if ev.ArtifactSize > 0 {
		w.Header().Set("Content-Length", strconv.FormatInt(ev.ArtifactSize, 10))
	}
	_, _ = io.Copy(w, body)
}
