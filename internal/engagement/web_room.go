package engagement

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The auditor's room and the owner's page act through the engagement's
// updates like every other path: inviting an auditor (invite-auditor), an
// auditor's own request (add-audit-request, then route-audit-request),
// an owner's file (add-evidence). The validators decide who may; what is
// here only finds the records a page shows and gives earlier messages.

// InviteAuditorRequest is the lead inviting an auditor to one engagement.
type InviteAuditorRequest struct {
	EngagementID string
	Email        string
	Until        compliance.Date
	Actor        compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// InviteAuditor invites an auditor through the engagement's invite-auditor
// update: only the lead or a delegate may (compliance.CheckInviteAuditor,
// enforced by the validator). The engagement keeps the invitation, which
// is what lets the auditor add requests; the handler records it for the
// web's sign-in.
func (s *Service) InviteAuditor(ctx context.Context, req InviteAuditorRequest) error {
	if err := checkActor(req.Actor); err != nil {
		return err
	}
	spec, _, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	if err := spec.CheckInviteAuditor(req.Actor.Person, email, req.Until, compliance.DateOf(s.now())); err != nil {
		return err
	}
	id := engagementWorkflow(req.EngagementID)
	// Named by what is asked: a double submit invites once.
	updateID := fmt.Sprintf("invite-auditor/%s/%s/%s/%s", req.EngagementID, email, req.Until, strings.ToLower(req.Actor.Person))
	actor := req.Actor
	if req.Sign != nil {
		actor = req.Sign(id, updateID)
	}
	return s.update(ctx, req.EngagementID, id, workflows.UpdateInviteAuditor, updateID,
		workflows.InviteAuditorRequest{Actor: actor, Email: email, Until: req.Until}, nil)
}

// auditorInvites are the engagement's invitations open today, for the
// early check (the validator reads the engagement's own list).
func (s *Service) auditorInvites(ctx context.Context, id string) ([]compliance.AuditorInvite, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	rows, err := st.EngagementAuditors(ctx, id, s.now())
	if err != nil {
		return nil, err
	}
	out := make([]compliance.AuditorInvite, len(rows))
	for i, r := range rows {
		out[i] = compliance.AuditorInvite{Email: r.Email, Until: compliance.DateOf(r.Until), InvitedBy: r.InvitedBy}
	}
	return out, nil
}

// WebAuditRequest is a request added from the auditor's room.
type WebAuditRequest struct {
	EngagementID string
	Person       string
	Fields       auditreq.Fields
	Sign         Signer
}

// WebAddAuditRequest adds and routes one request as the signed-in person
// (an invited auditor, or whoever runs the engagement), recorded as
// imported from the web.
func (s *Service) WebAddAuditRequest(ctx context.Context, req WebAuditRequest) (RouteAuditRequestsResult, error) {
	res, err := s.AddAuditRequest(ctx, AddAuditRequestRequest{EngagementID: req.EngagementID, Fields: req.Fields,
		Actor: identity.WebPerson(req.Person), Sign: req.Sign})
	if err != nil {
		return res, err
	}
	return res, res.Failed()
}

// UploadTarget is an occurrence a person may give a file for: one whose
// period has begun, of a control they own.
type UploadTarget struct {
	Key       string
	ControlID string
	Title     string
	Period    compliance.Span
}

// maxUploadTargets bounds the choices per control to the latest periods.
const maxUploadTargets = 6

// OwnerRoomView is the owner's page: their questions (audit requests
// apart), the lead's questions a delegate may answer, and the occurrences
// they may upload evidence for.
type OwnerRoomView struct {
	OwnerView
	// Audit are the auditor's requests addressed to the person, open.
	Audit []postgres.Prompt
	// ForLead are open questions addressed to a lead that the person, a
	// lead delegate, may answer (the prompt's validator decides).
	ForLead []postgres.Prompt
	Uploads []UploadTarget
}

// UploadGroup is one control's upload targets, for a grouped list.
type UploadGroup struct {
	ControlID, Title string
	Targets          []UploadTarget
}

// UploadGroups are the upload targets by control, in order.
func (v OwnerRoomView) UploadGroups() []UploadGroup {
	var out []UploadGroup
	for _, u := range v.Uploads {
		if n := len(out); n == 0 || out[n-1].ControlID != u.ControlID {
			out = append(out, UploadGroup{ControlID: u.ControlID, Title: u.Title})
		}
		out[len(out)-1].Targets = append(out[len(out)-1].Targets, u)
	}
	return out
}

// OwnerRoom reads the owner's page.
func (s *Service) OwnerRoom(ctx context.Context, id, email string) (OwnerRoomView, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	ov, err := s.OwnerPage(ctx, id, email)
	if err != nil {
		return OwnerRoomView{}, err
	}
	v := OwnerRoomView{OwnerView: ov}
	open := ov.Open
	v.Open = nil
	for _, p := range open {
		if p.Kind == auditreq.PromptKind {
			v.Audit = append(v.Audit, p)
		} else {
			v.Open = append(v.Open, p)
		}
	}
	spec, plan, err := s.spec(ctx, id)
	if err != nil {
		return v, err
	}
	if v.ForLead, err = s.delegatedPrompts(ctx, spec, email); err != nil {
		return v, err
	}
	v.Uploads = s.uploadTargets(spec, plan, ov)
	return v, nil
}

// delegatedPrompts are the open prompts addressed to someone else that
// email may answer for (compliance.Spec.MayAnswerFor).
func (s *Service) delegatedPrompts(ctx context.Context, spec *compliance.Spec, email string) ([]postgres.Prompt, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	ps, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: spec.ID, Status: postgres.PromptOpen})
	if err != nil {
		return nil, err
	}
	var out []postgres.Prompt
	for _, p := range ps {
		if !strings.EqualFold(p.AddresseeEmail, email) && spec.MayAnswerFor(email, p.AddresseeEmail) {
			out = append(out, p)
		}
	}
	return out, nil
}

func (s *Service) uploadTargets(spec *compliance.Spec, plan compliance.Plan, ov OwnerView) []UploadTarget {
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return nil
	}
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return nil
	}
	today := compliance.DateOf(s.now().In(cal.Location))
	var out []UploadTarget
	for _, c := range ov.Controls {
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ControlID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			continue // per-event controls have populations, not occurrences
		}
		var begun []UploadTarget
		for _, o := range occs {
			if o.Period.Start.After(today) {
				break
			}
			begun = append(begun, UploadTarget{Key: o.Key(), ControlID: c.ControlID, Title: c.Title, Period: o.Period})
		}
		if len(begun) > maxUploadTargets {
			begun = begun[len(begun)-maxUploadTargets:]
		}
		slices.Reverse(begun) // the current period first
		out = append(out, begun...)
	}
	return out
}

// WebUploadRequest is a file given from the owner's page for one
// occurrence.
type WebUploadRequest struct {
	EngagementID  string
	Person        string
	OccurrenceKey string
	File          FileUpload
	// PerformedOn is the day the control was performed (zero: now).
	PerformedOn compliance.Date
	Sign        Signer
}

// WebUploadEvidence is the CLI's `evidence add --file` from the browser:
// the same AddEvidence call, with the signed-in person attested for the
// add-evidence update and the channel web.
func (s *Service) WebUploadEvidence(ctx context.Context, req WebUploadRequest) (AddEvidenceResult, error) {
	return s.AddEvidence(ctx, AddEvidenceRequest{EngagementID: req.EngagementID, OccurrenceKey: strings.TrimSpace(req.OccurrenceKey),
		File: &req.File, PerformedOn: req.PerformedOn, Sign: req.Sign,
		Actor: identity.WebPerson(req.Person)})
}

// ErrNotAFile is a sampled evidence row that is a link or a note.
var ErrNotAFile = errors.New("this evidence is not a stored file")

// OpenSampledArtifact opens the stored file of a sampled evidence row of
// the engagement (SampledEvidence decides what the auditor may reach).
func (s *Service) OpenSampledArtifact(ctx context.Context, id string, evidenceID int64) (postgres.Evidence, io.ReadCloser, error) {
	ev, err := s.SampledEvidence(ctx, id, evidenceID)
	if err != nil {
		return ev, nil, err
	}
	if ev.ArtifactSHA256 == "" {
		return ev, nil, ErrNotAFile
	}
	bs, err := s.blobs(ctx)
	if err != nil {
		return ev, nil, err
	}
	rc, err := bs.Open(ctx, ev.ArtifactSHA256)
	if err != nil {
		return ev, nil, fmt.Errorf("open evidence %d's file: %w", evidenceID, err)
	}
	return ev, rc, nil
}
