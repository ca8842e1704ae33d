package workflows

import (
	"errors"
	"fmt"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
)

// RouteAuditRequest asks the engagement to put one of the auditor's
// requests to its owner. The starter records the request and builds the
// question; the engagement starts it as its own prompt, so fieldwork's
// questions belong to the engagement that is being audited.
type RouteAuditRequest struct {
	Prompt PromptInput
	// Actor is who routes it: the lead, a lead delegate, the consultant,
	// or an invited auditor asking directly (checkAddAuditRequest).
	Actor compliance.Actor `json:",omitzero"`
	// By is what requests carried before actors (replay only).
	By string `json:",omitempty"`
}

// RouteAuditResult says whether the request was routed now (false: it had
// been routed before, and nobody is asked twice).
type RouteAuditResult struct {
	Routed   bool   `json:"routed"`
	PromptID string `json:"prompt_id"`
}

// registerAuditRouting lets the starter route auditor's requests once the
// window is operating (request lists often arrive before fieldwork).
func registerAuditRouting(ctx workflow.Context, st *EngagementState) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateRouteAuditRequest,
		func(ctx workflow.Context, req RouteAuditRequest) (RouteAuditResult, error) {
			id := PromptWorkflowID(st.EngagementID, req.Prompt.Key)
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: id,
				// One prompt per request, ever: answered or expired, it
				// is not asked again; and it outlives this run.
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
				ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
			})
			var started workflow.Execution
			err := askPrompt(cctx, req.Prompt).GetChildWorkflowExecution().Get(ctx, &started)
			switch {
			case temporal.IsWorkflowExecutionAlreadyStartedError(err):
				return RouteAuditResult{PromptID: id}, nil
			case err != nil:
				return RouteAuditResult{}, fmt.Errorf("route %s: %w", req.Prompt.Key, err)
			}
			st.AuditRequests++
			return RouteAuditResult{Routed: true, PromptID: id}, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req RouteAuditRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if err := st.checkAddAuditRequest(ctx, by); err != nil {
				return err
			}
			switch st.Phase {
			case compliance.PhaseOperating, PhaseOperated, compliance.PhaseReadiness, PhaseReviewed, compliance.PhaseFieldwork, PhaseProgramme:
			default:
				return fmt.Errorf("%s is in %s: the auditor's requests are routed once the window is operating", st.EngagementID, st.Phase)
			}
			p := req.Prompt
			if p.Kind != auditreq.PromptKind || !strings.HasPrefix(p.Key, "audit/") {
				return errors.New("only an auditor's request (kind audit-request, key audit/…) is routed this way")
			}
			if p.EngagementID != st.EngagementID {
				return fmt.Errorf("the request is for %s, not %s", p.EngagementID, st.EngagementID)
			}
			if p.To.Email == "" || p.Due.IsZero() {
				return errors.New("a routed request needs its owner and the auditor's due date")
			}
			return nil
		}})
}
