package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// ReadinessInput starts a readiness review: the mock audit three weeks
// before the real one.
type ReadinessInput struct {
	EngagementID string
	Spec         compliance.Spec
	// ReviewID names the review within the engagement (r1, r2, …): its
	// findings, prompts and tickets derive from it.
	ReviewID string
	// FixBy is when fixes are due: the end of the plan's readiness span,
	// so they land before fieldwork.
	FixBy            time.Time
	ParentWorkflowID string
	Revision         int
}

// ReadinessResult counts how the findings ended.
type ReadinessResult struct {
	Findings int
	Fixed    int
	Accepted int
	// Undecided findings were neither fixed nor accepted by FixBy: the
	// auditor will find them as they are.
	Undecided int
}

// Finding decisions, as the lead answers them.
const (
	DecisionFix    = "fix"
	DecisionAccept = "accept"
)

var decisionChoices = []compliance.PromptChoice{
	{Value: DecisionFix, Label: "Fix it before fieldwork"},
	{Value: DecisionAccept, Label: "Accept it as a known exception (say why)", NoteRequired: true},
}

// ReadinessWorkflow runs the readiness review: it draws the auditor's sample
// and tests it (one activity, stored with its seed), then asks the lead,
// finding by finding, to fix or accept; a fix becomes a ticket (or a
// remediation item) and a prompt to the control's owner for the evidence
// that it is fixed. Every finding's prompts run at once, so the lead sees
// them in one digest, ranked.
func ReadinessWorkflow(ctx workflow.Context, in ReadinessInput) (ReadinessResult, error) {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var review activities.RunReadinessResult
	err := workflow.ExecuteActivity(actx, a.RunReadinessReview, activities.RunReadinessInput{
		EngagementID: in.EngagementID, ReviewID: in.ReviewID, AsOf: workflow.Now(ctx),
	}).Get(ctx, &review)
	if err != nil {
		return ReadinessResult{}, fmt.Errorf("readiness review of %s: %w", in.EngagementID, err)
	}
	res := ReadinessResult{Findings: len(review.Findings)}
	report := func(pending int) {
		if in.ParentWorkflowID == "" {
			return
		}
		workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, PhaseProgress{
			Phase: compliance.PhaseReadiness, Revision: in.Revision, At: workflow.Now(ctx),
			WaitingFor: fmt.Sprintf("readiness review %s: %d findings, %d fixed, %d accepted, %d waiting on a decision or a fix",
				in.ReviewID, res.Findings, res.Fixed, res.Accepted, pending),
		})
	}
	report(len(review.Findings))

	sel := workflow.NewSelector(ctx)
	pending := 0
	for _, f := range review.Findings {
		pending++
		fut := askPrompt(findingCtx(ctx, in, "decide", f), decisionPrompt(in, f))
		sel.AddFuture(fut, func(fut workflow.Future) {
			outcome, err := settleFinding(ctx, in, f, fut)
			if err != nil {
				workflow.GetLogger(ctx).Error("readiness finding", "finding", f.FindingID, "error", err)
			}
			switch outcome {
			case DecisionAccept:
				res.Accepted++
			case DecisionFix:
				res.Fixed++
			default:
				res.Undecided++
			}
			pending--
			report(pending)
		})
	}
	for pending > 0 {
		sel.Select(ctx)
	}
	return res, nil
}

// findingCtx names a finding's prompt after the review and the finding.
func findingCtx(ctx workflow.Context, in ReadinessInput, step string, f activities.ReadinessFinding) workflow.Context {
	return workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(in.EngagementID, findingKey(in.ReviewID, step, f.FindingID)),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	})
}

func findingKey(reviewID, step, findingID string) string {
	return "readiness/" + reviewID + "/" + step + "/" + findingID
}

// decisionPrompt asks the lead to fix or accept one finding.
func decisionPrompt(in ReadinessInput, f activities.ReadinessFinding) PromptInput {
	leads := in.Spec.PeopleWithRole(compliance.RoleLead)
	var to compliance.Person
	if len(leads) > 0 {
		to = leads[0]
	}
	return PromptInput{
		EngagementID: in.EngagementID, Key: findingKey(in.ReviewID, "decide", f.FindingID), Kind: PromptKindFindingDecision,
		Subject:  fmt.Sprintf("Finding #%d %s %s", f.Rank, f.ControlID, f.Title),
		Question: fmt.Sprintf("The readiness review found: %s Fix it before fieldwork, or accept it as a known exception?", f.Exception),
		Why:      "Qualifications should be on controls you chose to accept, not on controls you did not know were being tested.",
		Choices:  decisionChoices, To: to, Delegates: leadDelegates(in.Spec), Leads: leads,
		Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor), Policy: in.Spec.Reminders,
		SlackChannel: in.Spec.Integrations.SlackChannel, Due: in.FixBy.Add(-5 * 24 * time.Hour), Until: in.FixBy,
	}
}

// settleFinding records the lead's decision and, for a fix, opens the work
// and waits for the owner's evidence that it is fixed. It returns the
// decision carried out ("" when nobody decided or the fix never came).
func settleFinding(ctx workflow.Context, in ReadinessInput, f activities.ReadinessFinding, decision workflow.Future) (string, error) {
	var asked PromptResult
	if err := decision.Get(ctx, &asked); err != nil {
		return "", fmt.Errorf("decide %s: %w", f.FindingID, err)
	}
	if asked.Answer == nil {
		return "", nil
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.DecideFinding, activities.DecideFindingInput{
		EngagementID: in.EngagementID, FindingID: f.FindingID, Decision: asked.Answer.Choice, Reason: asked.Answer.Note,
		By: asked.Answer.By, At: asked.Answer.At, Key: asked.Answer.UpdateID,
	}).Get(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("record decision on %s: %w", f.FindingID, err)
	}
	if asked.Answer.Choice == DecisionAccept {
		return DecisionAccept, nil
	}
	var fix activities.OpenFindingFixResult
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.OpenFindingFix, activities.OpenFindingFixInput{
		EngagementID: in.EngagementID, ReviewID: in.ReviewID, Finding: f, Due: in.FixBy, JiraProject: in.Spec.Integrations.JiraProject,
	}).Get(ctx, &fix)
	if err != nil {
		return "", fmt.Errorf("open the fix of %s: %w", f.FindingID, err)
	}
	owner := ownerByEmail(in.Spec, f.Owner)
	ticket := ""
	if fix.TicketKey != "" {
		ticket = " (ticket " + fix.TicketKey + ")"
	}
	var fixed PromptResult
	err = askPrompt(findingCtx(ctx, in, "fix", f), PromptInput{
		EngagementID: in.EngagementID, Key: findingKey(in.ReviewID, "fix", f.FindingID), Kind: PromptKindFindingFix,
		Subject:  fmt.Sprintf("Fix %s %s before fieldwork%s", f.ControlID, f.Title, ticket),
		Question: fmt.Sprintf("The lead asked for this readiness finding to be fixed by %s: %s Link the evidence that it is fixed.", in.FixBy.Format("2 Jan 2006"), f.Exception),
		Why:      "The auditor samples the same occurrences; an exception fixed before fieldwork is one the report does not carry.",
		Choices:  []compliance.PromptChoice{{Value: "fixed", Label: "Fixed: here is the evidence", LinkRequired: true}},
		To:       owner, Delegates: leadDelegates(in.Spec), Leads: in.Spec.PeopleWithRole(compliance.RoleLead),
		Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor), Policy: in.Spec.Reminders,
		SlackChannel: in.Spec.Integrations.SlackChannel, Due: in.FixBy, Until: in.FixBy.Add(3 * 24 * time.Hour),
	}).Get(ctx, &fixed)
	if err != nil {
		return "", fmt.Errorf("ask for the fix of %s: %w", f.FindingID, err)
	}
	if fixed.Answer == nil {
		return "", nil
	}
	err = workflow.ExecuteActivity(actx, a.ResolveFinding, activities.ResolveFindingInput{
		EngagementID: in.EngagementID, FindingID: f.FindingID, Evidence: fixed.Answer.Link, By: fixed.Answer.By, At: fixed.Answer.At,
		TicketKey: fix.TicketKey,
	}).Get(ctx, nil)
	if err != nil {
		return "", fmt.Errorf("record the fix of %s: %w", f.FindingID, err)
	}
	return DecisionFix, nil
}

// leadDelegates are the emails of the people who may answer for the lead.
func leadDelegates(spec compliance.Spec) []string {
	var out []string
	for _, p := range spec.PeopleWithRole(compliance.RoleLeadDelegate) {
		out = append(out, p.Email)
	}
	return out
}
