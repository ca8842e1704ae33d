package engagement

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The payloads of the updates whose validators live with their workflows
// (scope, prompts, gap remediation, certification, audit routing, the
// programme's scope changes) are built here and only here, from the
// caller's Actor, so that when those payloads carry the Actor itself
// (instead of a person and a channel) this one file changes.

func decideScopePayload(req DecideScopeRequest) workflows.DecideScopeRequest {
	return workflows.DecideScopeRequest{Decision: req.Decision, Reason: req.Reason, Actor: req.Actor, Revision: req.Revision}
}

func reviseScopePayload(spec *compliance.Spec, a compliance.Actor) workflows.ReviseScopeRequest {
	return workflows.ReviseScopeRequest{Spec: *spec, Actor: a}
}

func answerPayload(choice, note, link string, a compliance.Actor) workflows.AnswerPromptRequest {
	return workflows.AnswerPromptRequest{Choice: choice, Note: note, Link: link, Actor: a}
}

func reassignPayload(to compliance.Person, reason string, a compliance.Actor) workflows.ReassignPromptRequest {
	return workflows.ReassignPromptRequest{To: to, Reason: reason, Actor: a}
}

func completeGapPayload(evidence string, a compliance.Actor) workflows.CompleteGapRequest {
	return workflows.CompleteGapRequest{Evidence: evidence, Actor: a}
}

func certifyPayload(c postcert.Certification, a compliance.Actor) workflows.CertifyRequest {
	return workflows.CertifyRequest{Certification: c, Actor: a}
}

func addSystemPayload(sys compliance.System, a compliance.Actor) workflows.AddSystemRequest {
	return workflows.AddSystemRequest{System: sys, Actor: a}
}

func addFrameworkPayload(fw compliance.Framework, a compliance.Actor) workflows.AddFrameworkRequest {
	return workflows.AddFrameworkRequest{Framework: fw, Actor: a}
}

func routeAuditPayload(p workflows.PromptInput, a compliance.Actor) workflows.RouteAuditRequest {
	return workflows.RouteAuditRequest{Prompt: p, Actor: a}
}

// tellRemediationAccepted stops a running gap remediation chasing an
// accepted gap, through its validated accept-gap update. Not running
// (remediation has not started, or the gap is closed) is fine: the
// register records the acceptance, and remediation reads it when it opens
// the gap.
func (s *Service) tellRemediationAccepted(ctx context.Context, req DecideGapRequest) (bool, error) {
	id, err := s.openGapWorkflowID(ctx, req.EngagementID, req.ControlID)
	if err != nil {
		return false, err
	}
	// A gap closed already (fixed and verified) stays closed: the register
	// holds the acceptance, and there is nothing left to stop.
	tc, err := s.temporal()
	if err != nil {
		return false, err
	}
	var nf *serviceerror.NotFound
	// settled: closed, or accepted already — the gap read the register's
	// acceptance as it opened, and is recording it.
	settled := func() (bool, error) {
		resp, err := tc.QueryWorkflow(ctx, id, "", workflows.QueryRemediation)
		if errors.As(err, &nf) {
			return true, nil
		}
		var st workflows.GapRemediationState
		if err != nil || resp.Get(&st) != nil {
			return false, err
		}
		return compliance.ItemClosed(st.Status) || st.AcceptedBy != "", nil
	}
	if done, _ := settled(); done {
		return false, nil
	}
	err = s.send(ctx, id, workflows.UpdateAcceptGap, req.Actor.Channel+"/accept/"+id,
		workflows.AcceptGapRequest{Reason: req.Reason, Actor: req.Actor}, nil)
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		// Refused because the gap took the acceptance from the register
		// between the query and the update: nothing is left to stop.
		if done, qerr := settled(); qerr == nil && done {
			return false, nil
		}
		return false, fmt.Errorf("tell remediation of %s: %w", req.ControlID, err)
	}
	return true, nil
}
