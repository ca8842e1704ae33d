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
// programme's scope changes) are built here and only here, each carrying
// the caller's Actor as the path that authenticated them set it.

func decideScopePayload(req DecideScopeRequest) workflows.DecideScopeRequest {
	return workflows.DecideScopeRequest{Decision: req.Decision, Actor: req.Actor, Reason: req.Reason, Revision: req.Revision}
}

func reviseScopePayload(spec *compliance.Spec, a compliance.Actor) workflows.ReviseScopeRequest {
	return workflows.ReviseScopeRequest{Spec: *spec, Actor: a}
}

func answerPayload(choice, note, link string, a compliance.Actor) workflows.AnswerPromptRequest {
	return workflows.AnswerPromptRequest{Choice: choice, Note: note, Link: link, Actor: a}
}

func reassignPayload(to compliance.Person, reason string, a compliance.Actor) workflows.ReassignPromptRequest {
	return workflows.ReassignPromptRequest{To: to, Actor: a, Reason: reason}
}

func completeGapPayload(evidence string, a compliance.Actor) workflows.CompleteGapRequest {
	return workflows.CompleteGapRequest{Actor: a, Evidence: evidence}
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
// accepted gap. Not running (remediation has not started, or the gap is
// closed) is fine: the register records the acceptance, and remediation
// reads it when it opens the gap.
func (s *Service) tellRemediationAccepted(ctx context.Context, req DecideGapRequest) (bool, error) {
	// The gap's own workflow validates the acceptance again (lead only, a
	// reason), so a raw client cannot close a gap the service would refuse.
	err := s.send(ctx, workflows.GapWorkflowID(req.EngagementID, req.ControlID), workflows.UpdateAcceptGap,
		"accept/"+req.EngagementID+"/"+req.ControlID, workflows.AcceptGapRequest{Reason: req.Reason, Actor: req.Actor}, nil)
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tell remediation of %s: %w", req.ControlID, err)
	}
	return true, nil
}
