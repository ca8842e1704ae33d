package main

import (
	"fmt"
	"net/http"

	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// The auditor's room's own action: an invited auditor (or the lead who
// prepares the room) adds a request, which the engagement records and
// routes to its owner as a question. Who may is the add-audit-request
// validator's rule (compliance.Spec.CheckAddAuditRequest); the page gate
// only keeps the form to people who can see the room.

// maxRequestForm bounds the add-request form: a reference, a control, a
// description (auditreq caps it) and a date.
const maxRequestForm = 16 << 10

func (s *Server) addAuditRequest(w http.ResponseWriter, r *http.Request, v viewer) {
	a, ok := s.access(w, r, v, mayAudit)
	if !ok {
		return
	}
	if !readForm(w, r, maxRequestForm) {
		return
	}
	back := "/e/" + a.EngagementID + "/audit"
	f := auditreq.Fields{RequestID: r.PostFormValue("request"), ControlID: r.PostFormValue("control"),
		Description: r.PostFormValue("description"), Due: r.PostFormValue("due")}
	res, err := s.Svc.WebAddAuditRequest(r.Context(), engagement.WebAuditRequest{EngagementID: a.EngagementID, Person: v.Email,
		Fields: f, Sign: s.signer(v)})
	if err != nil {
		redirectMsg(w, r, back+"#h-ask", "err", refusal.Words(err))
		return
	}
	msg := "Request added."
	if len(res.Requests) == 1 {
		q := res.Requests[0]
		switch {
		case q.Routed:
			msg = fmt.Sprintf("Request %s added and sent to %s.", q.Request.RequestID, q.Stored.Owner)
		default:
			msg = fmt.Sprintf("Request %s was already on the list (sent to %s); the first entry stands.", q.Request.RequestID, q.Stored.Owner)
		}
	}
	redirectMsg(w, r, back+"#h-req", "msg", msg)
}
