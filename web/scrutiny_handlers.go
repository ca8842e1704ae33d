package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// The customers' scrutiny on the engagement page: the lead records the
// issued report (with its file), approves the owners' explanations of it,
// maps unmapped questions, approves answers or returns them to their
// owners with a reason, allows files in a review's export and downloads
// it. Each action
// is one service call whose update's validator decides; the web session is
// the identity, attested per update (s.signer).

// Who may use which of these (the validators decide each action again).
var mayRun = engagement.EngagementAccess.MayRun

// Bounds of the report form: its fields come before the file.
const (
	maxReportFields = 64
	maxReportField  = 8 << 10
	// maxReportExceptions is how many exception rows the form takes.
	maxReportExceptions = 20
)

// lead actor: the person the session names, acting through the web.
func webActor(v viewer) compliance.Actor {
	return identity.WebPerson(v.Email)
}

// recordReport takes the certification and the issued report from the
// engagement page's multipart form, the report's file last, streamed to
// the blob store as `starter certified --report-file` stores it.
func (s *Server) recordReport(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayRun)
	if !ok {
		return
	}
	back := "/e/" + a.EngagementID + "#h-report"
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(uploadTime)
	if err := errors.Join(rc.SetReadDeadline(deadline), rc.SetWriteDeadline(deadline.Add(time.Minute))); err != nil {
		s.Log.Warn("upload deadline not extended", "error", err)
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUpload()+uploadOverhead+maxReportFields*maxReportField)
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, "send the report as a file upload form (multipart/form-data)", http.StatusBadRequest)
		return
	}
	form, part, err := readReportForm(mr)
	if err != nil {
		if errors.Is(err, errLongField) {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.uploadRefused(w, r, back, err)
		return
	}
	req, err := issuedRequest(a.EngagementID, form)
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	req.Certify.Actor, req.Certify.Sign = webActor(v), s.signer(v)
	req.Report.Actor, req.Report.Sign = webActor(v), s.signer(v)
	if part != nil && part.FileName() != "" {
		req.Report.File = &engagement.FileUpload{Name: part.FileName(), Body: part}
	}
	res, err := s.Svc.RecordIssued(r.Context(), req)
	if err != nil {
		s.uploadRefused(w, r, back, err)
		return
	}
	msg := fmt.Sprintf("The %s report of %s is recorded with a %s opinion and %d exception(s); %d surprise(s); %d owner(s) asked to read it.",
		res.Report.Framework, res.Report.Date, res.Report.Opinion, len(res.Report.Exceptions), len(res.Report.Surprises()), res.Readers)
	if f := res.Report.File; f != nil {
		msg += fmt.Sprintf(" Its file %s is kept as evidence (sha256 %s…).", f.Filename, f.SHA256[:12])
	}
	redirectMsg(w, r, back, "msg", msg)
}

// readReportForm reads the form's fields (repeated ones kept in order) up
// to the file part, which it returns unread; a form without a file part
// returns nil for it.
func readReportForm(mr *multipart.Reader) (url.Values, *multipart.Part, error) {
	form := url.Values{}
	n := 0
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return form, nil, nil
		}
		if err != nil {
			return form, nil, err
		}
		if part.FormName() == uploadField {
			return form, part, nil
		}
		if n++; n > maxReportFields {
			return form, nil, errLongField
		}
		b, err := io.ReadAll(io.LimitReader(part, maxReportField+1))
		if err != nil {
			return form, nil, err
		}
		if len(b) > maxReportField {
			return form, nil, errLongField
		}
		form.Add(part.FormName(), strings.TrimSpace(string(b)))
	}
}

// issuedRequest reads the certification and the report from the form;
// rows of the exception table left blank are not exceptions.
func issuedRequest(id string, form url.Values) (engagement.IssuedReportRequest, error) {
	var out engagement.IssuedReportRequest
	c := postcert.Certification{Framework: compliance.FrameworkID(strings.ToLower(form.Get("framework"))), Reference: form.Get("reference")}
	d, err := compliance.ParseDate(form.Get("date"))
	if err != nil {
		return out, fmt.Errorf("report date: %w", err)
	}
	c.Date = d
	if form.Get("period_start") != "" || form.Get("period_end") != "" {
		start, err := compliance.ParseDate(form.Get("period_start"))
		if err != nil {
			return out, fmt.Errorf("report period start: %w", err)
		}
		end, err := compliance.ParseDate(form.Get("period_end"))
		if err != nil {
			return out, fmt.Errorf("report period end: %w", err)
		}
		if end.Before(start) {
			return out, fmt.Errorf("the report period ends %s before it starts %s", end, start)
		}
		c.ReportPeriod = compliance.Span{Start: start, End: end}
	}
	o, err := report.ParseOpinion(form.Get("opinion"))
	if err != nil {
		return out, fmt.Errorf("opinion: %w", err)
	}
	refs, descs, resps := form["exc_ref"], form["exc_desc"], form["exc_resp"]
	if len(refs) > maxReportExceptions || len(descs) != len(refs) || len(resps) != len(refs) {
		return out, fmt.Errorf("the exceptions table is malformed: give each exception its control, description and response")
	}
	var exc []report.ExceptionInput
	for i := range refs {
		if refs[i] == "" && descs[i] == "" && resps[i] == "" {
			continue
		}
		if refs[i] == "" || descs[i] == "" {
			return out, fmt.Errorf("exception row %d: give the control or criterion and the auditor's description", i+1)
		}
		exc = append(exc, report.ExceptionInput{Ref: refs[i], Description: descs[i], ManagementResponse: resps[i], Line: i + 1})
	}
	if err := report.CheckOpinion(o, len(exc)); err != nil {
		return out, err
	}
	out.Certify = engagement.CertifyRequest{EngagementID: id, Certification: c}
	out.Report = engagement.RecordReportRequest{EngagementID: id, Framework: c.Framework, Date: c.Date, Opinion: o, Exceptions: exc}
	return out, nil
}

// decideQuestion is the lead mapping an unmapped question (ref set) or
// approving an answer, from the engagement page.
func (s *Server) decideQuestion(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayDecide)
	if !ok {
		return
	}
	if !readForm(w, r, 4<<10) {
		return
	}
	back := "/e/" + a.EngagementID + "#h-reviews"
	mapping := r.PathValue("action") == "map"
	ref := strings.TrimSpace(r.PostFormValue("control"))
	if mapping && ref == "" {
		redirectMsg(w, r, back, "err", "name the control or criterion the question is about")
		return
	}
	if !mapping {
		ref = ""
	}
	q, err := s.Svc.DecideQuestion(r.Context(), engagement.ReviewDecisionRequest{EngagementID: a.EngagementID, ReviewID: r.PathValue("review"),
		QuestionID: r.PostFormValue("question"), Ref: ref, Actor: webActor(v), Sign: s.signer(v)})
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	msg := fmt.Sprintf("The answer to %s by %s is approved and will be exported.", q.ID, q.AnsweredBy)
	if mapping {
		msg = fmt.Sprintf("Question %s maps to %s; %s is asked.", q.ID, strings.Join(q.Controls, ", "), q.Owner)
	}
	redirectMsg(w, r, back, "msg", msg)
}

// allowFiles is the lead's decision that a review's export carries the
// evidence files.
func (s *Server) allowFiles(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayDecide)
	if !ok {
		return
	}
	back := "/e/" + a.EngagementID + "#h-reviews"
	f, err := s.Svc.AllowReviewFiles(r.Context(), engagement.AllowReviewFilesRequest{EngagementID: a.EngagementID, ReviewID: r.PathValue("review"),
		Actor: webActor(v), Sign: s.signer(v)})
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	redirectMsg(w, r, back, "msg", fmt.Sprintf("Review %s's export may carry the evidence files: allowed by %s.", r.PathValue("review"), f.By))
}

// exportReview downloads the answered questionnaire as it came (csv or
// xlsx), or with ?files=1 the zip with the evidence files, which is
// refused unless the lead allowed files for the review.
func (s *Server) exportReview(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayDecide)
	if !ok {
		return
	}
	review := r.PathValue("review")
	if r.URL.Query().Get("files") == "" {
		var b bytes.Buffer
		format, err := s.Svc.ExportCustomerReview(r.Context(), a.EngagementID, review, &b)
		if err != nil {
			s.exportRefused(w, r, a.EngagementID, err)
			return
		}
		ct := "text/csv; charset=utf-8"
		if format == "xlsx" {
			ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": review + "." + format}))
		_, _ = w.Write(b.Bytes())
		return
	}
	// The zip is built in a temporary file first: a refusal or a missing
	// file part-way must not reach the browser as a broken download.
	f, err := os.CreateTemp("", "steadfast-review-")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer func() { _ = os.Remove(f.Name()); _ = f.Close() }()
	if _, err := s.Svc.ExportCustomerReviewWithFiles(r.Context(), a.EngagementID, review, f); err != nil {
		s.exportRefused(w, r, a.EngagementID, err)
		return
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": review + "-with-files.zip"}))
	_, _ = io.Copy(w, f)
}

// exportRefused sends the lead back with the refusal's words; another
// engagement's review reads as one that does not exist.
func (s *Server) exportRefused(w http.ResponseWriter, r *http.Request, id string, err error) {
	if errors.Is(err, engagement.ErrNoAccess) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	redirectMsg(w, r, "/e/"+id+"#h-reviews", "err", refusal.Words(err))
}

// reviewAction routes the review desk's four forms.
func (s *Server) reviewAction(w http.ResponseWriter, r *http.Request, v viewer) {
	switch r.PathValue("action") {
	case "map", "approve":
		s.decideQuestion(w, r, v)
	case "return":
		s.returnAnswer(w, r, v)
	case "allow-files":
		s.allowFiles(w, r, v)
	default:
		http.NotFound(w, r)
	}
}

// maxReturnForm bounds the return form's body: a question ID and a reason
// as long as custreview.MaxText, percent-encoded (up to three bytes each).
const maxReturnForm = 3*custreview.MaxText + 4<<10

// returnForm reads the lead's return of an answer: the question and the
// reason, trimmed. Whether the reason is given and short enough is
// custreview.CheckReturn's to say, in the update's validator, as for the
// CLI.
func returnForm(form url.Values) (question, reason string, err error) {
	question = strings.TrimSpace(form.Get("question"))
	if question == "" {
		return "", "", errors.New("name the question whose answer goes back")
	}
	return question, strings.TrimSpace(form.Get("reason")), nil
}

// returnAnswer is the lead returning an owner's answer to them with a
// reason, from the review desk: the same service call as `starter
// customer-review return`.
func (s *Server) returnAnswer(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayDecide)
	if !ok {
		return
	}
	if !readForm(w, r, maxReturnForm) {
		return
	}
	back := "/e/" + a.EngagementID + "#h-reviews"
	question, reason, err := returnForm(r.PostForm)
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	q, err := s.Svc.ReturnAnswer(r.Context(), engagement.ReturnAnswerRequest{EngagementID: a.EngagementID, ReviewID: r.PathValue("review"),
		QuestionID: question, Reason: reason, Actor: webActor(v), Sign: s.signer(v)})
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	redirectMsg(w, r, back, "msg", fmt.Sprintf("The answer to %s is returned to %s with your reason; they are asked again.", q.ID, q.Owner))
}

// explanationForm reads the lead's approval of an explanation: the
// report and the subject it names.
func explanationForm(form url.Values) (reportKey, subject string, err error) {
	reportKey, subject = strings.TrimSpace(form.Get("report")), strings.TrimSpace(form.Get("subject"))
	if reportKey == "" || subject == "" {
		return "", "", errors.New("name the report and the explanation to approve")
	}
	return reportKey, subject, nil
}

// approveExplanation is the lead approving an owner's explanation of an
// issued report from the engagement page: the same service call and
// update as `starter report approve`, whose validator decides (an
// explanation's author may not approve it).
func (s *Server) approveExplanation(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayDecide)
	if !ok {
		return
	}
	if !readForm(w, r, 4<<10) {
		return
	}
	back := "/e/" + a.EngagementID + "#h-explained"
	key, subject, err := explanationForm(r.PostForm)
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	e, err := s.Svc.WebApproveExplanation(r.Context(), engagement.WebApproveExplanationRequest{EngagementID: a.EngagementID, Person: v.Email,
		Report: key, Subject: subject, Sign: s.signer(v)})
	if errors.Is(err, engagement.ErrNoAccess) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	redirectMsg(w, r, back, "msg", fmt.Sprintf("The explanation of %s by %s is approved by %s.", e.Subject, e.By, e.ApprovedBy))
}

// explain is an owner's explanation of a control or an exception of an
// issued report, from their own page.
func (s *Server) explain(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAnswer)
	if !ok {
		return
	}
	if !readForm(w, r, 16<<10) {
		return
	}
	back := "/e/" + a.EngagementID + "/mine#h-explain"
	_, err := s.Svc.WebExplain(r.Context(), engagement.WebExplainRequest{EngagementID: a.EngagementID, Person: v.Email,
		Report: r.PostFormValue("report"), Subject: r.PostFormValue("subject"), Text: r.PostFormValue("text"), Sign: s.signer(v)})
	if errors.Is(err, engagement.ErrNoAccess) {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	if err != nil {
		redirectMsg(w, r, back, "err", refusal.Words(err))
		return
	}
	redirectMsg(w, r, back, "msg", "Your explanation is saved; the lead approves it.")
}
