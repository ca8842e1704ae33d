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
	return workflows.DecideScopeRequest{Decision: req.Decision, By: req.Actor.Person, Reason: req.Reason, Channel: req.Actor.Channel, Revision: req.Revision}
}

func reviseScopePayload(spec *compliance.Spec, a compliance.Actor) workflows.ReviseScopeRequest {
	return workflows.ReviseScopeRequest{Spec: *spec, By: a.Person}
}

func answerPayload(choice, note, link string, a compliance.Actor) workflows.AnswerPromptRequest {
	return workflows.AnswerPromptRequest{Choice: choice, Note: note, Link: link, By: a.Person, Channel: a.Channel}
}

func reassignPayload(to compliance.Person, reason string, a compliance.Actor) workflows.ReassignPromptRequest {
	return workflows.ReassignPromptRequest{To: to, By: a.Person, Reason: reason}
}

func completeGapPayload(evidence string, a compliance.Actor) workflows.CompleteGapRequest {
	return workflows.CompleteGapRequest{By: a.Person, Evidence: evidence, Channel: a.Channel}
}

func certifyPayload(c postcert.Certification, a compliance.Actor) workflows.CertifyRequest {
	return workflows.CertifyRequest{Certification: c, By: a.Person}
}

func addSystemPayload(sys compliance.System, a compliance.Actor) workflows.AddSystemRequest {
	return workflows.AddSystemRequest{System: sys, By: a.Person}
}

func addFrameworkPayload(fw compliance.Framework, a compliance.Actor) workflows.AddFrameworkRequest {
	return workflows.AddFrameworkRequest{Framework: fw, By: a.Person}
}

func routeAuditPayload(p workflows.PromptInput, a compliance.Actor) workflows.RouteAuditRequest {
	return workflows.RouteAuditRequest{Prompt: p, By: a.Person}
}

// tellRemediationAccepted stops a running gap remediation chasing an
// accepted gap. Not running (remediation has not started, or the gap is
// closed) is fine: the register records the acceptance, and remediation
// reads it when it opens the gap.
func (s *Service) tellRemediationAccepted(ctx context.Context, req DecideGapRequest) (bool, error) {
	tc, err := s.temporal()
	if err != nil {
		return false, err
	}
	err = tc.SignalWorkflow(ctx, workflows.GapWorkflowID(req.EngagementID, req.ControlID), "", workflows.SignalAcceptGap,
		workflows.AcceptGap{By: req.Actor.Person, Reason: req.Reason})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("tell remediation of %s: %w", req.ControlID, err)
	}
	return true, nil
}
