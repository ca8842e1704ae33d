package engagement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ImportedFromCLI is imported_from for a request entered one at a time;
// ImportedFromWeb for one added in the auditor's room.
const (
	ImportedFromCLI = "cli"
	ImportedFromWeb = "web"
)

// ErrNoRequests means a request list had a header and nothing else.
var ErrNoRequests = errors.New("the list has a header but no requests")

// ImportAuditRequestsRequest routes the auditor's request list (CSV).
type ImportAuditRequestsRequest struct {
	EngagementID string
	// Name is the list's file name: where problems are reported and what
	// each request records as imported from.
	Name  string
	CSV   io.Reader
	Actor compliance.Actor
}

// AddAuditRequestRequest routes one request, as a row of the list would be.
type AddAuditRequestRequest struct {
	EngagementID string
	Fields       auditreq.Fields
	Actor        compliance.Actor
	// Sign, when set, attests Actor's person for each update sent (the
	// web's identity.WebActor); without it Actor is sent as it is.
	Sign Signer
}

// RouteAuditRequestsResult is what became of each request, in order.
type RouteAuditRequestsResult struct {
	EngagementID string
	Location     *time.Location
	Requests     []RoutedAuditRequest
	// Routed counts requests routed now; AlreadyRouted those routed before.
	Routed, AlreadyRouted int
}

// RoutedAuditRequest is one request's outcome.
type RoutedAuditRequest struct {
	Request auditreq.Request
	// Stored is the request as recorded (the first routing stands).
	Stored activities.AuditRequestInput
	// Routed is false when it had been routed before.
	Routed bool
	// Changed names what the list now says differently from the record.
	Changed []string
	// Err is why it was not routed (run again to route it).
	Err error
}

// Failed returns the requests that did not route, as one error (nil when
// all did).
func (r RouteAuditRequestsResult) Failed() error {
	var errs []error
	for _, q := range r.Requests {
		if q.Err != nil {
			errs = append(errs, q.Err)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%d request(s) not routed (run the command again to route them):\n%w", len(errs), errors.Join(errs...))
}

// ImportAuditRequests checks every row against the engagement (its people,
// its controls, its zone) and, only if all check out, records and routes
// each. Problems come back as auditreq.Problems, one per bad row.
func (s *Service) ImportAuditRequests(ctx context.Context, req ImportAuditRequestsRequest) (RouteAuditRequestsResult, error) {
	return s.routeAuditRequests(ctx, req.EngagementID, req.Actor, nil, req.Name, func(o auditreq.Options) ([]auditreq.Request, error) {
		reqs, err := auditreq.Parse(req.Name, req.CSV, o)
		if err == nil && len(reqs) == 0 {
			return nil, ErrNoRequests
		}
		return reqs, err
	})
}

// AddAuditRequest checks and routes one request. Without an owner it goes
// to the owner of the control's area, and with no control either, to the
// lead.
func (s *Service) AddAuditRequest(ctx context.Context, req AddAuditRequestRequest) (RouteAuditRequestsResult, error) {
	from := ImportedFromCLI
	if req.Actor.Channel == compliance.ChannelWeb {
		from = ImportedFromWeb
	}
	return s.routeAuditRequests(ctx, req.EngagementID, req.Actor, req.Sign, from, func(o auditreq.Options) ([]auditreq.Request, error) {
		r, ps := o.Check(req.Fields, 0)
		if len(ps) > 0 {
			return nil, ps
		}
		return []auditreq.Request{r}, nil
	})
}

func (s *Service) routeAuditRequests(ctx context.Context, id string, actor compliance.Actor, sign Signer, from string,
	read func(auditreq.Options) ([]auditreq.Request, error)) (RouteAuditRequestsResult, error) {
	res := RouteAuditRequestsResult{EngagementID: id}
	if err := checkActor(actor); err != nil {
		return res, err
	}
	spec, _, err := s.spec(ctx, id)
	if err != nil {
		return res, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return res, fmt.Errorf("calendar of %s: %w", spec.ID, err)
	}
	res.Location = cal.Location
	invites, err := s.auditorInvites(ctx, id)
	if err != nil {
		return res, err
	}
	if err := spec.CheckAddAuditRequest(actor.Person, invites, compliance.DateOf(s.now())); err != nil {
		return res, err
	}
	reqs, err := read(auditreq.Options{Spec: spec, Location: cal.Location, Now: s.now()})
	if err != nil {
		return res, err
	}
	r := auditRouter{s: s, spec: spec, cal: cal, actor: actor, sign: sign, from: from}
	for _, q := range reqs {
		out := r.route(ctx, q)
		switch {
		case out.Err != nil:
		case out.Routed:
			res.Routed++
		default:
			res.AlreadyRouted++
		}
		res.Requests = append(res.Requests, out)
	}
	return res, nil
}

// auditRouter records each checked request (the engagement's
// add-audit-request update), then asks the engagement to route it to its
// owner (route-audit-request). The prompt's ID derives from the request ID
// and is never reused, so routing again asks nobody twice.
type auditRouter struct {
	s     *Service
	spec  *compliance.Spec
	cal   *compliance.Calendar
	actor compliance.Actor
	sign  Signer
	from  string
}

// actorFor is the actor sent with one update: attested for it when the
// path signs (the web), else the actor as given.
func (r *auditRouter) actorFor(workflowID, updateID string) compliance.Actor {
	if r.sign != nil {
		return r.sign(workflowID, updateID)
	}
	return r.actor
}

func (r *auditRouter) route(ctx context.Context, req auditreq.Request) RoutedAuditRequest {
	out := RoutedAuditRequest{Request: req}
	id := r.spec.ID
	add := workflows.AddAuditRequestRequest{RequestID: req.RequestID, ControlID: req.ControlID, Description: req.Description,
		Owner: req.Owner.Email, Due: req.Due, ImportedFrom: r.from, PromptID: workflows.PromptWorkflowID(id, auditreq.PromptKey(req.RequestID))}
	var rec workflows.AddAuditRequestResult
	// A fresh update ID each time: the same ID would hand back the first
	// call's answer ("created") instead of what is stored now.
	now := r.s.now().UnixNano()
	addID := fmt.Sprintf("audit-request/%s/%s/%d", id, req.RequestID, now)
	add.Actor = r.actorFor(engagementWorkflow(id), addID)
	err := r.s.update(ctx, id, engagementWorkflow(id), workflows.UpdateAddAuditRequest, addID, add, &rec)
	if err != nil {
		out.Err = fmt.Errorf("record audit request %s: %w", req.RequestID, err)
		return out
	}
	out.Stored = rec.Stored
	if !rec.Created {
		out.Changed = changedFields(rec.Stored, add)
	}
	// Route it even when the row existed: a run that stopped between the
	// two still routes the request now. The engagement starts the prompt
	// (it owns fieldwork's questions) and never starts one twice; the
	// prompt asks what was stored, not what this list says.
	var routed workflows.RouteAuditResult
	routeID := fmt.Sprintf("route/%s/%d", rec.Stored.PromptID, now)
	err = r.s.update(ctx, id, engagementWorkflow(id), workflows.UpdateRouteAuditRequest, routeID,
		routeAuditPayload(r.promptInput(rec.Stored), r.actorFor(engagementWorkflow(id), routeID)), &routed)
	if err != nil {
		out.Err = fmt.Errorf("route audit request %s to %s: %w", req.RequestID, rec.Stored.Owner, err)
		return out
	}
	out.Routed = routed.Routed
	return out
}

// auditChoices: the owner gives a link to what the auditor asked for, or
// says why it cannot be given (which the lead then takes up with the
// auditor).
var auditChoices = []compliance.PromptChoice{
	{Value: auditreq.ChoiceProvided, Label: "Provided (a link or files)", LinkRequired: true},
	{Value: auditreq.ChoiceCannotProvide, Label: "Cannot provide (say why)", NoteRequired: true},
}

// promptInput asks the request's owner for it, chased on the auditor's due
// date (owner before, lead at, sponsor after) rather than on offsets from
// the day it was imported.
func (r *auditRouter) promptInput(req activities.AuditRequestInput) workflows.PromptInput {
	to := compliance.Person{Email: req.Owner}
	if p := r.spec.Person(req.Owner); p != nil {
		to = *p
	}
	leads := r.spec.PeopleWithRole(compliance.RoleLead)
	var delegates []string
	for _, p := range slices.Concat(leads, r.spec.PeopleWithRole(compliance.RoleLeadDelegate)) {
		delegates = append(delegates, p.Email)
	}
	subject := "Audit request " + req.RequestID
	control := ""
	if c := catalog.Default().Control(req.ControlID); c != nil {
		subject += " (" + c.ID + ")"
		control = fmt.Sprintf(" It concerns control %s %s.", c.ID, c.Title)
	}
	return workflows.PromptInput{
		EngagementID: r.spec.ID, Key: auditreq.PromptKey(req.RequestID), Kind: auditreq.PromptKind, Subject: subject,
		Question: fmt.Sprintf("The auditor asks (%s): %s — due %s.%s", req.RequestID, req.Description,
			req.Due.In(r.cal.Location).Format("Mon 2 Jan 2006 15:04 MST"), control),
		Why: "During fieldwork the auditor works through this list; a late answer holds up the report, and one that " +
			"cannot be given is taken up with the auditor by the lead. Give a link to what you provide, or say why it cannot be provided.",
		Choices: auditChoices, To: to, Delegates: delegates, Leads: leads,
		Sponsors: r.spec.PeopleWithRole(compliance.RoleSponsor), Policy: r.spec.Reminders,
		SlackChannel: r.spec.Integrations.SlackChannel, Due: req.Due, Until: r.expiry(req.Due),
	}
}

// expiry is when an unanswered request stops being chased: the policy's
// expiry in business days, counted from the due date rather than from the
// day it was asked, so a request due near a quarter's end (when the sponsor
// rung falls on the due date itself) is not closed the moment it is due.
func (r *auditRouter) expiry(due time.Time) time.Time {
	days := r.spec.Reminders.ExpireAfter
	if days <= 0 {
		days = compliance.DefaultExpireAfter
	}
	local := due.In(r.cal.Location)
	return r.cal.At(r.cal.AddBusinessDays(compliance.DateOf(local), days), local.Hour())
}

// changedFields lists what a re-imported request says differently.
func changedFields(stored activities.AuditRequestInput, now workflows.AddAuditRequestRequest) []string {
	var out []string
	if stored.ControlID != now.ControlID {
		out = append(out, auditreq.ColControlID)
	}
	if stored.Description != now.Description {
		out = append(out, auditreq.ColDescription)
	}
	if !strings.EqualFold(stored.Owner, now.Owner) {
		out = append(out, auditreq.ColOwner)
	}
	if !stored.Due.Equal(now.Due) {
		out = append(out, auditreq.ColDue)
	}
	return out
}

// AuditRequestsRequest lists the auditor's requests (Status: open,
// answered, withdrawn, or empty/all for every one).
type AuditRequestsRequest struct {
	EngagementID string
	Status       string
}

// AuditRow is one audit request as the CLI, the web and the evidence pack
// show it.
type AuditRow = evidencepack.AuditRow

// AuditRows judges each request as of now.
func AuditRows(reqs []postgres.AuditRequest, now time.Time) []AuditRow {
	out := make([]AuditRow, len(reqs))
	for i, r := range reqs {
		out[i] = AuditRow{AuditRequest: r,
			Overdue:      r.Status == postgres.AuditOpen && now.After(r.DueAt),
			AnsweredLate: r.AnsweredAt != nil && r.AnsweredAt.After(r.DueAt)}
	}
	return out
}

// AuditRequestsResult is the requests by due date, in the client's zone.
type AuditRequestsResult struct {
	EngagementID string
	Rows         []AuditRow
	Location     *time.Location
}

// AuditRequests lists the requests with owner, due date, overdue flag and
// answer.
func (s *Service) AuditRequests(ctx context.Context, req AuditRequestsRequest) (AuditRequestsResult, error) {
	status := req.Status
	if status == "all" {
		status = ""
	} else if !slices.Contains([]string{"", postgres.AuditOpen, postgres.AuditAnswered, postgres.AuditWithdrawn}, status) {
		return AuditRequestsResult{}, fmt.Errorf("--status must be open, answered, withdrawn or all, not %q", req.Status)
	}
	spec, _, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return AuditRequestsResult{}, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return AuditRequestsResult{}, fmt.Errorf("calendar of %s: %w", spec.ID, err)
	}
	rows, err := AuditRowsWithFiles(ctx, s.Store, spec.ID, status, s.now())
	if err != nil {
		return AuditRequestsResult{}, err
	}
	return AuditRequestsResult{EngagementID: spec.ID, Rows: rows, Location: cal.Location}, nil
}
