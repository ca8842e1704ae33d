package workflows

import (
	"errors"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// versionAudit gates readiness, fieldwork and the programme.
const versionAudit = "audit-lifecycle"

// CertifyRequest records a report or certificate.
type CertifyRequest struct {
	Certification postcert.Certification
	// Actor is who records it: the lead, a lead delegate or the consultant.
	Actor compliance.Actor `json:",omitzero"`
	// By is what requests carried before actors (replay only).
	By string `json:",omitempty"`
}

// runAuditLifecycle takes an engagement whose window is operating or closed
// through the readiness review (three weeks before the audit), fieldwork
// (auditor's requests are routed as prompts by `starter audit`) until the
// report or certificate is recorded, and then into the certified programme,
// which runs for years as a child continuing as new.
func runAuditLifecycle(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel, operating workflow.ChildWorkflowFuture, hooks TestHooks) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var dates activities.AuditDatesResult
	if err := workflow.ExecuteActivity(actx, a.AuditDates, activities.AuditDatesInput{Spec: st.Spec, Plan: *st.Plan}).Get(ctx, &dates); err != nil {
		return fmt.Errorf("audit dates of %s: %w", st.EngagementID, err)
	}
	if st.Phase == compliance.PhaseOperating || st.Phase == PhaseOperated || st.Phase == compliance.PhaseReadiness {
		// The review runs three weeks before the audit whether or not the
		// window has closed: it samples what has fallen due so far.
		if err := sleepUntil(ctx, st, progress, dates.ReadinessStart); err != nil {
			return err
		}
		if err := runReadiness(ctx, st, progress, dates.FixBy); err != nil {
			return err
		}
	}
	if operating != nil {
		// The window's last requests still go out.
		var res OperatingResult
		if err := awaitChild(ctx, st, operating, progress, &res); err != nil {
			return fmt.Errorf("operating period of %s: %w", st.EngagementID, err)
		}
	}
	if st.Phase == PhaseReviewed {
		if err := recordPhase(ctx, st, compliance.PhaseFieldwork, "the report or certificate (starter certified)"); err != nil {
			return err
		}
	}
	if hooks.StopAt == st.Phase {
		return nil
	}
	if st.Phase == compliance.PhaseFieldwork {
		if err := workflow.Await(ctx, func() bool { return len(st.Certifications) > 0 }); err != nil {
			return err
		}
		if err := recordPhase(ctx, st, PhaseProgramme, "the certified programme: evidence, quarterly reviews, the next audit"); err != nil {
			return err
		}
	}
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, PhaseProgramme, "Certified programme", workflow.ChildWorkflowOptions{
		WorkflowID:            ProgrammeWorkflowID(st.EngagementID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	}))
	child := workflow.ExecuteChildWorkflow(cctx, ProgrammeWorkflowName, ProgrammeInput{
		EngagementID: st.EngagementID, Spec: st.Spec, Certifications: st.Certifications, Cycle: 1, Revision: st.Revision,
		Test: hooks.forProgramme(),
	})
	// A later certification (another framework) reaches the programme at
	// its next cycle; the programme runs until the engagement is closed.
	var res ProgrammeState
	if err := awaitChild(ctx, st, child, progress, &res); err != nil {
		return fmt.Errorf("programme of %s: %w", st.EngagementID, err)
	}
	return nil
}

// sleepUntil waits for an instant, folding the operating scheduler's
// progress reports in meanwhile.
func sleepUntil(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel, at time.Time) error {
	wait := at.Sub(workflow.Now(ctx))
	if wait <= 0 {
		return nil
	}
	tctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	fired := false
	sel := workflow.NewSelector(ctx)
	sel.AddFuture(workflow.NewTimer(tctx, wait), func(workflow.Future) { fired = true })
	sel.AddReceive(progress, func(c workflow.ReceiveChannel, _ bool) {
		var p PhaseProgress
		c.Receive(ctx, &p)
		st.apply(p)
	})
	for !fired {
		sel.Select(ctx)
	}
	return nil
}

// runReadiness runs the readiness review child and records its outcome.
func runReadiness(ctx workflow.Context, st *EngagementState, progress workflow.ReceiveChannel, fixBy time.Time) error {
	if err := recordPhase(ctx, st, compliance.PhaseReadiness, "the readiness review's findings: the lead decides each, owners fix"); err != nil {
		return err
	}
	reviewID := "r1"
	cctx := workflow.WithChildOptions(ctx, phaseChildOptions(st, compliance.PhaseReadiness, "Readiness review "+reviewID, workflow.ChildWorkflowOptions{
		WorkflowID:            ReadinessWorkflowID(st.EngagementID, reviewID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	}))
	child := workflow.ExecuteChildWorkflow(cctx, ReadinessWorkflowName, ReadinessInput{
		EngagementID: st.EngagementID, Spec: st.Spec, ReviewID: reviewID, FixBy: fixBy,
		ParentWorkflowID: workflow.GetInfo(ctx).WorkflowExecution.ID, Revision: st.Revision,
	})
	var res ReadinessResult
	if err := awaitChild(ctx, st, child, progress, &res); err != nil {
		return fmt.Errorf("readiness review of %s: %w", st.EngagementID, err)
	}
	st.Readiness = &res
	return recordPhase(ctx, st, PhaseReviewed, "fieldwork")
}

// recordPhase moves the engagement to a phase and records it.
func recordPhase(ctx workflow.Context, st *EngagementState, phase compliance.Phase, waitingFor string) error {
	st.Phase, st.WaitingOn, st.WaitingFor, st.UpdatedAt = phase, nil, waitingFor, workflow.Now(ctx)
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordPhase, activities.RecordPhaseInput{
		EngagementID: st.EngagementID, Phase: phase, Revision: st.Revision, By: "steadfast", At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record phase %s of %s: %w", phase, st.EngagementID, err)
	}
	return showPhase(ctx, st)
}

// registerCertify lets the lead or the consultant record a report or
// certificate once the audit is under way (or done).
func registerCertify(ctx workflow.Context, st *EngagementState) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateCertify,
		func(ctx workflow.Context, req CertifyRequest) (EngagementStatus, error) {
			by, _ := recordedAs(req.Actor, req.By, "")
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordCertification, activities.RecordCertificationInput{
				EngagementID: st.EngagementID, Certification: req.Certification, By: by, At: workflow.Now(ctx),
			}).Get(ctx, nil)
			if err != nil {
				return EngagementStatus{}, err
			}
			st.Certifications = append(st.Certifications, req.Certification)
			if st.Phase == PhaseProgramme {
				if err := workflow.SignalExternalWorkflow(ctx, ProgrammeWorkflowID(st.EngagementID), "", SignalCertified, req.Certification).Get(ctx, nil); err != nil {
					workflow.GetLogger(ctx).Warn("tell the programme of a certification", "engagement", st.EngagementID, "error", err)
				}
			}
			return st.status(), nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req CertifyRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if !st.Spec.MayRun(by) {
				return fmt.Errorf("%s may not record a certification: only the lead, a lead delegate or the consultant", by)
			}
			c := req.Certification
			switch st.Phase {
			case compliance.PhaseOperating, PhaseOperated, compliance.PhaseReadiness, PhaseReviewed, compliance.PhaseFieldwork, PhaseProgramme:
			default:
				return fmt.Errorf("%s is in %s: a certification comes after the audit", st.EngagementID, st.Phase)
			}
			if !st.Spec.HasFramework(c.Framework) {
				return fmt.Errorf("%s is not one of this engagement's frameworks", c.Framework)
			}
			if f := st.Spec.Framework(c.Framework); f != nil && f.ID == compliance.SOC2 && f.Report == compliance.Type2 && c.ReportPeriod.Start.IsZero() {
				return errors.New("a SOC 2 Type II report needs its report period (--report-period START..END)")
			}
			if err := c.CheckRecord(&st.Spec, compliance.DateOf(workflow.Now(ctx))); err != nil {
				return err
			}
			for _, have := range st.Certifications {
				if have.Framework == c.Framework && have.Date == c.Date {
					return fmt.Errorf("%s certified on %s is already recorded", c.Framework, c.Date)
				}
			}
			return nil
		}})
}
