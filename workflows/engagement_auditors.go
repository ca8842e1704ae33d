package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// Auditors are not people of the spec, so the engagement keeps its own
// list of the auditors the lead invited: the add-audit-request validator
// reads it to let an invited auditor ask for something directly, and a raw
// Temporal client naming an uninvited auditor is refused exactly as the
// web is. The web reads the same invitations from Postgres (recorded by
// the handler) to let the auditor into the room.

// InviteAuditorRequest invites Email into the auditor's room until the end
// of Until (a day, inclusive).
type InviteAuditorRequest struct {
	Actor compliance.Actor
	Email string
	Until compliance.Date
}

// InviteAuditorResult is the invitation as kept.
type InviteAuditorResult struct {
	Invite compliance.AuditorInvite
}

// ActorOf names who invites, for the identity interceptor.
func (r InviteAuditorRequest) ActorOf() compliance.Actor { return r.Actor }

// registerAuditorInvites registers the invite-auditor update.
func registerAuditorInvites(ctx workflow.Context, st *EngagementState) error {
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateInviteAuditor, st.inviteAuditor,
		workflow.UpdateHandlerOptions{Validator: st.validateInviteAuditor}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateInviteAuditor, err)
	}
	return nil
}

func (st *EngagementState) validateInviteAuditor(ctx workflow.Context, req InviteAuditorRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	return st.Spec.CheckInviteAuditor(by, email, req.Until, compliance.DateOf(workflow.Now(ctx)))
}

func (st *EngagementState) inviteAuditor(ctx workflow.Context, req InviteAuditorRequest) (InviteAuditorResult, error) {
	by, _ := recordedAs(req.Actor, "", "")
	in := compliance.AuditorInvite{Email: strings.ToLower(strings.TrimSpace(req.Email)), Until: req.Until, InvitedBy: by}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, askedOptions), a.RecordAuditorInvite,
		activities.AuditorInviteInput{EngagementID: st.EngagementID, Invite: in}).Get(ctx, nil)
	if err != nil {
		return InviteAuditorResult{}, fmt.Errorf("invite auditor %s: %w", in.Email, err)
	}
	// Inviting again extends (or shortens) the one invitation.
	for i := range st.Auditors {
		if st.Auditors[i].Email == in.Email {
			st.Auditors[i] = in
			return InviteAuditorResult{Invite: in}, nil
		}
	}
	st.Auditors = append(st.Auditors, in)
	return InviteAuditorResult{Invite: in}, nil
}

// checkAddAuditRequest is the add-audit-request and route-audit-request
// validators' rule: compliance.Spec.CheckAddAuditRequest with the
// engagement's invitations, today by the workflow's clock.
func (st *EngagementState) checkAddAuditRequest(ctx workflow.Context, person string) error {
	return st.Spec.CheckAddAuditRequest(person, st.Auditors, compliance.DateOf(workflow.Now(ctx)))
}
