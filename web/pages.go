package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// Who may use which page (the authorization matrix the tests walk).
var (
	mayView   = engagement.EngagementAccess.MayView
	mayDecide = engagement.EngagementAccess.MayDecide
	mayAnswer = engagement.EngagementAccess.MayAnswer
	mayAudit  = engagement.EngagementAccess.MayAudit
	mayAny    = engagement.EngagementAccess.Any
)

func (s *Server) portfolio(w http.ResponseWriter, r *http.Request, v viewer) {
	rows, err := s.Svc.Portfolio(r.Context(), v.Access)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sortPortfolio(rows, r.URL.Query().Get("sort"))
	s.render(w, r, "portfolio.html", http.StatusOK, map[string]any{"Title": "Your engagements", "Me": v.Email, "Rows": rows, "Sort": r.URL.Query().Get("sort")})
}

func (s *Server) engagementPage(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayView)
	if !ok {
		return
	}
	kind := r.URL.Query().Get("events")
	view, err := s.Svc.EngagementPage(r.Context(), a.EngagementID, v.Email, kind)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var svg template.HTML
	if view.Operating != nil {
		svg = template.HTML(heatmapSVG(a.EngagementID, view.Operating.Heatmap)) // #nosec: heatmapSVG escapes every text it writes
	}
	var desks []engagement.ReviewDesk
	var toApprove []engagement.ExplanationToApprove
	if a.MayDecide() {
		if desks, err = s.Svc.ReviewDesks(r.Context(), a.EngagementID); err != nil {
			s.fail(w, r, err)
			return
		}
		if toApprove, err = s.Svc.ExplanationsToApprove(r.Context(), a.EngagementID); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, "engagement.html", http.StatusOK, map[string]any{
		"Title": view.Summary.Client + " — " + a.EngagementID, "Me": v.Email, "A": a, "V": view, "Heatmap": svg,
		"Desks": desks, "ToApprove": toApprove, "Opinions": report.Opinions, "ExcRows": []int{1, 2, 3, 4, 5},
		"Burndown":  template.HTML(burndownSVG(view.Burndown)), // #nosec: burndownSVG escapes every text it writes
		"EventKind": kind, "Msg": r.URL.Query().Get("msg"), "Err": r.URL.Query().Get("err"), "Live": a.EngagementID,
	})
}

func (s *Server) heatmap(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayView)
	if !ok {
		return
	}
	op, err := s.Svc.Operating(r.Context(), engagement.OperatingRequest{EngagementID: a.EngagementID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	_, _ = w.Write([]byte(heatmapSVG(a.EngagementID, op.Heatmap)))
}

func (s *Server) ownerPage(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAnswer)
	if !ok {
		return
	}
	view, err := s.Svc.OwnerRoom(r.Context(), a.EngagementID, v.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	readings, err := s.Svc.MyReadings(r.Context(), a.EngagementID, v.Email)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "owner.html", http.StatusOK, map[string]any{
		"Title": "My questions — " + a.EngagementID, "Me": v.Email, "A": a, "V": view, "MaxUploadMB": s.maxUpload() >> 20,
		"Readings": readings,
		"Msg":      r.URL.Query().Get("msg"), "Err": r.URL.Query().Get("err"), "Live": a.EngagementID,
	})
}

// answer records one answer to one of the person's own open questions.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAnswer)
	if !ok {
		return
	}
	if !readForm(w, r, 16<<10) {
		return
	}
	back := safeBack(r.PostFormValue("back"), a.EngagementID)
	_, err := s.Svc.WebAnswer(r.Context(), engagement.WebAnswerRequest{
		EngagementID: a.EngagementID, PromptID: r.PostFormValue("prompt"), Person: v.Email,
		Choice: r.PostFormValue("choice"), Note: strings.TrimSpace(r.PostFormValue("note")), Link: strings.TrimSpace(r.PostFormValue("link")),
		Sign: s.signer(v),
	})
	if err == engagement.ErrNoAccess {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	redirectMsg(w, r, back, "msg", "Answer recorded.")
}

// inviteAuditor is the lead inviting an auditor from the engagement page.
func (s *Server) inviteAuditor(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayDecide)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	back := "/e/" + a.EngagementID
	until, err := compliance.ParseDate(r.PostFormValue("until"))
	if err != nil {
		redirectMsg(w, r, back, "err", "until: "+refusal.Words(err))
		return
	}
	// The lead acts through the web; the invitation records them as such.
	actor := compliance.Actor{Person: v.Email, Channel: compliance.ChannelWeb}
	if err := s.Svc.InviteAuditor(r.Context(), engagement.InviteAuditorRequest{EngagementID: a.EngagementID,
		Email: r.PostFormValue("email"), Until: until, Actor: actor, Sign: s.signer(v)}); err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	redirectMsg(w, r, back, "msg", "Auditor invited until "+until.String()+"; `starter web-login EMAIL --engagement "+a.EngagementID+"` prints their sign-in link.")
}

func (s *Server) auditorRoom(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAudit)
	if !ok {
		return
	}
	room, err := s.Svc.AuditorRoomPage(r.Context(), a.EngagementID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, "auditor.html", http.StatusOK, map[string]any{
		"Title": "Auditor's room — " + a.EngagementID, "Me": v.Email, "A": a, "R": room, "Pack": s.PackKey != nil,
		"Msg": r.URL.Query().Get("msg"), "Err": r.URL.Query().Get("err"),
	})
}

// evidenceDownload serves one sampled occurrence's evidence: a link
// redirects (as a page the auditor opens), anything else downloads as text.
func (s *Server) evidenceDownload(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAudit)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil {
		http.Error(w, engagement.ErrNoAccess.Error(), http.StatusNotFound)
		return
	}
	ev, err := s.Svc.SampledEvidence(r.Context(), a.EngagementID, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if ev.ArtifactSHA256 != "" {
		s.serveArtifact(w, r, a.EngagementID, id) // a stored file: its bytes (upload_handlers.go)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="evidence-%d.txt"`, ev.ID))
	fmt.Fprintf(w, "engagement: %s\ncontrol: %s\noccurrence: %s\nsubmitted: %s by %s via %s\nkind: %s\nsha256: %s\n\n%s\n",
		ev.EngagementID, ev.ControlID, ev.OccurrenceKey, ev.SubmittedAt.UTC().Format("2006-01-02T15:04:05Z"), ev.SubmittedBy, ev.Channel, ev.Kind, ev.ValueSHA256, ev.Value)
}

// packDownload builds the signed evidence pack and sends it zipped.
func (s *Server) packDownload(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAudit)
	if !ok {
		return
	}
	if s.PackKey == nil {
		http.Error(w, evidencepack.ErrNoKey.Error(), http.StatusNotFound)
		return
	}
	files, err := s.Svc.EvidencePackFiles(r.Context(), a.EngagementID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	dir, err := os.MkdirTemp("", "steadfast-pack-")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer func() { _ = os.RemoveAll(dir) }()
	out := filepath.Join(dir, "pack")
	written, err := evidencepack.Write(out, files, s.PackKey, s.Svc.Clock())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range append(written, evidencepack.ManifestName, evidencepack.SignatureName) {
		body, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			s.fail(w, r, err)
			return
		}
		f, err := zw.Create(name)
		if err == nil {
			_, err = f.Write(body)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if err := zw.Close(); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="evidence-pack-%s.zip"`, a.EngagementID))
	_, _ = w.Write(buf.Bytes())
}

// safeBack keeps a form's return address on this engagement's pages.
func safeBack(back, id string) string {
	prefix := "/e/" + id
	if back == prefix || strings.HasPrefix(back, prefix+"/") || strings.HasPrefix(back, prefix+"?") {
		return back
	}
	return prefix + "/mine"
}

func redirectMsg(w http.ResponseWriter, r *http.Request, back, key, msg string) {
	u, _ := url.Parse(back)
	q := u.Query()
	q.Set(key, msg)
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}
