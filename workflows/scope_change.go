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
	// RemediationEnded: the engagement is past its remediation phase
	// (GapAssessmentInput.RemediationEnded).
	RemediationEnded bool
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
		WorkflowID:            changeAssessmentWorkflowID(c.EngagementID, ch.ID),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     onClose,
	}))
	return workflow.ExecuteChildWorkflow(cctx, GapAssessmentWorkflowName, GapAssessmentInput{
		EngagementID: c.EngagementID, Spec: c.Spec, Revision: c.Revision, Only: controls, Round: round,
		RemediationEnded: c.RemediationEnded,
	})
}

// changeAssessmentWorkflowID names a change's assessment by the change, so
// it runs once and a later run finds it again.
func changeAssessmentWorkflowID(engagementID, changeID string) string {
	return GapAssessmentWorkflowID(engagementID) + "/" + changeID
}

// countChangeGaps waits for a change's assessment. The register ranks the
// whole engagement; the change is charged only with the gaps among its own
// controls.
func countChangeGaps(ctx workflow.Context, ch ScopeChange, fut workflow.ChildWorkflowFuture, controls []string) (int, error) {
	var assessed GapAssessmentResult
	if err := fut.Get(ctx, &assessed); err != nil {
		return 0, fmt.Errorf("assess the controls of %s: %w", ch.ID, err)
	}
	return gapsAmong(assessed, controls), nil
}

// gapsAmong counts the gaps an assessment found among these controls.
func gapsAmong(assessed GapAssessmentResult, controls []string) int {
	n := 0
	for _, g := range assessed.Gaps {
		if slices.Contains(controls, g.ControlID) {
			n++
		}
	}
	return n
}

// askLeadAboutChange asks the lead to approve a system entering scope or a
// new tailoring, with the risks it raises and the controls it affects. With
// no lead in the spec there is no one to ask, and it stands approved.
func askLeadAboutChange(ctx workflow.Context, c changeScope, ch ScopeChange) (bool, error) {
	fut := leadPrompt(ctx, c, ch, enumspb.PARENT_CLOSE_POLICY_TERMINATE)
	if fut == nil {
		return true, nil
	}
	var res PromptResult
	if err := fut.Get(ctx, &res); err != nil {
		return false, fmt.Errorf("ask the lead about %s: %w", ch.ID, err)
	}
	return leadApproved(res), nil
}

// leadApproved reads the lead's decision from the prompt's result: an
// expired prompt approves nothing.
func leadApproved(res PromptResult) bool {
	return res.Answer != nil && res.Answer.Choice == "approve"
}

// changePromptKey is the key of the lead's question about a change; its
// workflow ID follows from it (PromptWorkflowID), so a later run finds it.
func changePromptKey(ch ScopeChange) string { return "scope-change/" + ch.ID }

// leadPrompt starts the lead's question about a change (nil when the spec
// names no lead).
func leadPrompt(ctx workflow.Context, c changeScope, ch ScopeChange, onClose enumspb.ParentClosePolicy) workflow.ChildWorkflowFuture {
	leads := c.Spec.PeopleWithRole(compliance.RoleLead)
	if len(leads) == 0 {
		return nil
	}
	var risks []string
	for _, rk := range ch.Risks {
		risks = append(risks, rk.Message)
	}
	why := "No scope risks."
	if len(risks) > 0 {
		why = "Scope risks: " + strings.Join(risks, "; ")
	}
	key := changePromptKey(ch)
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(c.EngagementID, key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
		ParentClosePolicy:     onClose,
	})
	subject, question := scopeChangeQuestion(ch)
	return askPrompt(cctx, PromptInput{
		EngagementID: c.EngagementID, Key: key, Kind: PromptKindScopeChange, Subject: subject,
		Question: question,
		Why:      why,
		Choices: []compliance.PromptChoice{{Value: "approve", Label: "Approve"},
			{Value: "reject", Label: "Reject (say why)", NoteRequired: true}},
		To: leads[0], Delegates: leadDelegates(c.Spec), Leads: leads, Sponsors: c.Spec.PeopleWithRole(compliance.RoleSponsor),
		Policy: c.Spec.Reminders, SlackChannel: c.Spec.Integrations.SlackChannel,
	})
}
