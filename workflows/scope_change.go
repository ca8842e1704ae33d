package workflows

import (
	"fmt"
	"slices"
	"strings"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
)

// A scope change is carried out the same way wherever it arrives (the
// certified programme, or the engagement before certification): the lead is
// asked with the change's risks and the controls it affects, and once it is
// approved only those controls are assessed again, by a gap assessment of
// their own. These are the two steps, shared.

// changeScope is what a scope change is carried out against: the
// engagement, its spec as it is now, and the spec's revision.
type changeScope struct {
	EngagementID string
	Spec         compliance.Spec
	Revision     int
}

// assessChange runs the gap assessment on only these controls (their owners
// are asked, as in the first assessment; round names a re-assessment) and
// counts the gaps found among them.
func assessChange(ctx workflow.Context, c changeScope, ch ScopeChange, controls []string, round string, onClose enumspb.ParentClosePolicy) (int, error) {
	fut := startChangeAssessment(ctx, c, ch, controls, round, onClose)
	if fut == nil {
		return 0, nil
	}
	return countChangeGaps(ctx, ch, fut, controls)
}

// startChangeAssessment starts the assessment of a change's controls (nil
// when there are none), named by the change so it runs once.
func startChangeAssessment(ctx workflow.Context, c changeScope, ch ScopeChange, controls []string, round string, onClose enumspb.ParentClosePolicy) workflow.ChildWorkflowFuture {
	if len(controls) == 0 {
		return nil
	}
	cctx := workflow.WithChildOptions(ctx, childOfPhase(ctx, c.EngagementID, "Assessment of "+ch.ID+" for "+c.EngagementID, workflow.ChildWorkflowOptions{
		WorkflowID:            GapAssessmentWorkflowID(c.EngagementID) + "/" + ch.ID,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     onClose,
	}))
	return workflow.ExecuteChildWorkflow(cctx, GapAssessmentWorkflowName, GapAssessmentInput{
		EngagementID: c.EngagementID, Spec: c.Spec, Revision: c.Revision, Only: controls, Round: round,
	})
}

// countChangeGaps waits for a change's assessment. The register ranks the
// whole engagement; the change is charged only with the gaps among its own
// controls.
func countChangeGaps(ctx workflow.Context, ch ScopeChange, fut workflow.ChildWorkflowFuture, controls []string) (int, error) {
	var assessed GapAssessmentResult
	if err := fut.Get(ctx, &assessed); err != nil {
		return 0, fmt.Errorf("assess the controls of %s: %w", ch.ID, err)
	}
	n := 0
	for _, g := range assessed.Gaps {
		if slices.Contains(controls, g.ControlID) {
			n++
		}
	}
	return n, nil
}

// askLeadAboutChange asks the lead to approve a system entering scope or a
// new tailoring, with the risks it raises and the controls it affects. With
// no lead in the spec there is no one to ask, and it stands approved.
func askLeadAboutChange(ctx workflow.Context, c changeScope, ch ScopeChange) (bool, error) {
	leads := c.Spec.PeopleWithRole(compliance.RoleLead)
	if len(leads) == 0 {
		return true, nil
	}
	var risks []string
	for _, rk := range ch.Risks {
		risks = append(risks, rk.Message)
	}
	why := "No scope risks."
	if len(risks) > 0 {
		why = "Scope risks: " + strings.Join(risks, "; ")
	}
	key := "scope-change/" + ch.ID
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(c.EngagementID, key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
	})
	var res PromptResult
	subject, question := scopeChangeQuestion(ch)
	err := askPrompt(cctx, PromptInput{
		EngagementID: c.EngagementID, Key: key, Kind: PromptKindScopeChange, Subject: subject,
		Question: question,
		Why:      why,
		Choices: []compliance.PromptChoice{{Value: "approve", Label: "Approve"},
			{Value: "reject", Label: "Reject (say why)", NoteRequired: true}},
		To: leads[0], Delegates: leadDelegates(c.Spec), Leads: leads, Sponsors: c.Spec.PeopleWithRole(compliance.RoleSponsor),
		Policy: c.Spec.Reminders, SlackChannel: c.Spec.Integrations.SlackChannel,
	}).Get(ctx, &res)
	if err != nil {
		return false, fmt.Errorf("ask the lead about %s: %w", ch.ID, err)
	}
	return res.Answer != nil && res.Answer.Choice == "approve", nil
}
