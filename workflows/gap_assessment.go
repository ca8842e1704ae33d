package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
)

// Gap-assessment answers. Each maps to a status and to whether the
// evidence will survive the auditor's sampling; an answer that admits the
// evidence would not survive makes an implemented control a gap.
const (
	AssessImplemented     = "implemented"
	AssessUnsampleable    = "implemented-unsampleable"
	AssessNoEvidence      = "implemented-no-evidence"
	AssessPartial         = "partial"
	AssessMissing         = "missing"
	AssessNotApplicable   = "not-applicable"
	assessmentPromptKind  = "control-status"
	assessmentPromptGroup = "gap/"
)

var assessmentChoices = []compliance.PromptChoice{
	{Value: AssessImplemented, Label: "In place; evidence covers every occurrence", NoteRequired: true},
	{Value: AssessUnsampleable, Label: "In place; evidence has gaps", NoteRequired: true},
	{Value: AssessNoEvidence, Label: "In place; leaves no record"},
	{Value: AssessPartial, Label: "Partly in place", NoteRequired: true},
	{Value: AssessMissing, Label: "Not in place"},
	{Value: AssessNotApplicable, Label: "Not applicable (say why)", NoteRequired: true},
}

// assessmentOf turns an answer into the assessment the ranking reads.
func assessmentOf(choice string) (gaps.Status, gaps.Auditability) {
	switch choice {
	case AssessImplemented:
		return gaps.Implemented, gaps.Auditability{EvidenceExists: true, Sampleable: true}
	case AssessUnsampleable:
		return gaps.Implemented, gaps.Auditability{EvidenceExists: true}
	case AssessNoEvidence:
		return gaps.Implemented, gaps.Auditability{}
	case AssessPartial:
		return gaps.Partial, gaps.Auditability{EvidenceExists: true}
	case AssessNotApplicable:
		return gaps.NotApplicable, gaps.Auditability{}
	}
	return gaps.Missing, gaps.Auditability{}
}

// GapAssessmentInput starts the gap assessment of a signed-off scope.
type GapAssessmentInput struct {
	EngagementID     string
	Spec             compliance.Spec
	Plan             *compliance.Plan
	Revision         int
	ParentWorkflowID string
	// Only limits the assessment to these controls (a system or framework
	// added to a certified programme); empty means every applicable one.
	Only []string `json:",omitempty"`
	// Round names a re-assessment (the annual refresh) so its questions do
	// not collide with the first assessment's: gap/<round>/<control>.
	Round string `json:",omitempty"`
	// RemediationEnded: the round started after the engagement's
	// remediation phase (the operating period, the programme), so a
	// remediation workflow Temporal no longer knows has ended long ago
	// rather than not started (remediateRound).
	RemediationEnded bool `json:",omitempty"`
}

// GapAssessmentResult is the register's summary.
type GapAssessmentResult struct {
	Controls       int
	Answered       int
	Unanswered     int
	Gaps           []activities.RegisterEntry
	RemediationDue time.Time
	// Withdrawn are the controls whose question was withdrawn because an
	// approved change took them out of scope (versionAssessmentWithdraw);
	// Controls does not count them and no gap names them.
	Withdrawn []WithdrawnControl `json:",omitempty"`
}

// AssessmentProgress is the assessment query's answer.
type AssessmentProgress struct {
	Controls   int            `json:"controls"`
	Answered   int            `json:"answered"`
	Unanswered int            `json:"unanswered"`
	Withdrawn  int            `json:"withdrawn,omitempty"`
	OpenBy     map[string]int `json:"open_by_owner"`
}

// versionRoundTellsRemediation: from version 1 a change's round that finds
// gaps among its controls tells the engagement's remediation
// (gaps-found), which then takes them on from the stored register
// (remediation_join.go). Asked only when such a round ends.
const versionRoundTellsRemediation = "round-tells-remediation"

// tellRemediation sends the gaps-found hint after a change's round. With
// no remediation running the signal fails: before remediation has started
// the gaps wait in the register, which remediation reads at its start;
// once it has ended, the round remediates them itself (remediateRound).
func tellRemediation(ctx workflow.Context, in GapAssessmentInput, found []activities.RegisterEntry) error {
	var mine []activities.RegisterEntry
	for _, g := range found {
		if slices.Contains(in.Only, g.ControlID) {
			mine = append(mine, g)
		}
	}
	if in.Round == "" || len(in.Only) == 0 || len(mine) == 0 {
		return nil
	}
	if workflow.GetVersion(ctx, versionRoundTellsRemediation, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	err := workflow.SignalExternalWorkflow(ctx, RemediationWorkflowID(in.EngagementID), "", SignalGapsFound, GapsFound{Round: in.Round}).Get(ctx, nil)
	if err == nil {
		return nil
	}
	workflow.GetLogger(ctx).Info("no remediation running to take the round's gaps", "engagement", in.EngagementID, "round", in.Round, "error", err)
	if workflow.GetVersion(ctx, versionRoundRemediation, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	return remediateRound(ctx, in, mine)
}

// GapAssessmentWorkflow asks each control's owner, through one prompt per
// control (which their digest gathers into one message), whether it is in
// place and whether its evidence would survive sampling; records every
// answer; treats an unanswered control as missing; and builds the register
// ranked by what fails an audit first.
func GapAssessmentWorkflow(ctx workflow.Context, in GapAssessmentInput) (GapAssessmentResult, error) {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var plan activities.PlanAssessmentResult
	if err := workflow.ExecuteActivity(actx, a.PlanAssessment, activities.PlanAssessmentInput{Spec: in.Spec, Only: in.Only}).Get(ctx, &plan); err != nil {
		return GapAssessmentResult{}, fmt.Errorf("plan assessment: %w", err)
	}
	progress := AssessmentProgress{Controls: len(plan.Controls), OpenBy: map[string]int{}}
	if err := workflow.SetQueryHandler(ctx, QueryAssessment, func() (AssessmentProgress, error) { return progress, nil }); err != nil {
		return GapAssessmentResult{}, fmt.Errorf("register %s query: %w", QueryAssessment, err)
	}

	leads := in.Spec.PeopleWithRole(compliance.RoleLead)
	delegates := leadDelegates(in.Spec)
	sel := workflow.NewSelector(ctx)
	withdrawals := newAssessmentWithdrawals(ctx, in.EngagementID, sel)
	pending := 0
	var recorded []compliance.ControlAssessment
	for _, c := range plan.Controls {
		c := c
		key := assessmentPromptGroup + c.ControlID
		if in.Round != "" {
			key = assessmentPromptGroup + in.Round + "/" + c.ControlID
		}
		// Cancelling pctx withdraws the question (assessment_withdraw.go);
		// until then it is the assessment's own context.
		pctx, cancelPrompt := workflow.WithCancel(ctx)
		withdrawals.open[c.ControlID] = cancelPrompt
		cctx := workflow.WithChildOptions(pctx, workflow.ChildWorkflowOptions{
			WorkflowID:            PromptWorkflowID(in.EngagementID, key),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		})
		child := askPrompt(cctx, PromptInput{
			EngagementID: in.EngagementID, Key: key, Kind: assessmentPromptKind,
			Subject:  fmt.Sprintf("%s %s", c.ControlID, c.Title),
			Question: fmt.Sprintf("Is %q in place today, and does its evidence (%s) cover every occurrence an auditor could sample?", c.Title, c.Evidence),
			Why:      fmt.Sprintf("Runs %s; counts for %s. If in place, say what the evidence is, where it lives, who produces it and whether it is automatic.", c.Frequency, strings.Join(c.Frameworks, "; ")),
			Choices:  assessmentChoices, To: c.Owner, Delegates: delegates, Leads: leads,
			Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor), Policy: in.Spec.Reminders,
			SlackChannel: in.Spec.Integrations.SlackChannel,
		})
		pending++
		progress.OpenBy[strings.ToLower(c.Owner.Email)]++
		sel.AddFuture(child, func(f workflow.Future) {
			pending--
			progress.OpenBy[strings.ToLower(c.Owner.Email)]--
			if progress.OpenBy[strings.ToLower(c.Owner.Email)] == 0 {
				delete(progress.OpenBy, strings.ToLower(c.Owner.Email))
			}
			var res PromptResult
			err := f.Get(ctx, &res)
			as := compliance.ControlAssessment{EngagementID: in.EngagementID, ControlID: c.ControlID,
				OwnerEmail: c.Owner.Email, PromptID: PromptWorkflowID(in.EngagementID, key)}
			delete(withdrawals.open, c.ControlID)
			if withdrawals.of(c.ControlID) != nil {
				// Out of scope since it was asked: whatever the prompt
				// ended with, the control is not a gap.
				as = withdrawals.record(ctx, as)
			} else if err != nil || res.Answer == nil {
				// An unanswered control is treated as missing, and says so.
				as.Status, as.Unanswered = string(gaps.Missing), true
				progress.Unanswered++
			} else {
				st, aud := assessmentOf(res.Answer.Choice)
				at := res.Answer.At
				as.Status, as.EvidenceExists, as.Sampleable = string(st), aud.EvidenceExists, aud.Sampleable
				as.Choice, as.Note, as.Link = res.Answer.Choice, res.Answer.Note, res.Answer.Link
				as.AnsweredBy, as.AnsweredVia, as.AnsweredAt = res.Answer.By, res.Answer.Channel, &at
				progress.Answered++
			}
			recorded = append(recorded, as)
			withdrawals.settled[c.ControlID] = as
		})
	}
	// A control withdrawn after its answer leaves the answered figures;
	// every withdrawn control leaves the count to assess.
	uncount := func(prev compliance.ControlAssessment) {
		if prev.Unanswered {
			progress.Unanswered--
		} else {
			progress.Answered--
		}
	}
	withdrawn := func() {
		progress.Withdrawn, progress.Controls = len(withdrawals.withdrawn), len(plan.Controls)-len(withdrawals.withdrawn)
	}
	report := func() {
		if in.ParentWorkflowID == "" {
			return
		}
		owners := workflow.DeterministicKeys(progress.OpenBy)
		p := PhaseProgress{Phase: compliance.PhaseGapAssessment, Revision: in.Revision, WaitingOn: owners,
			WaitingFor: fmt.Sprintf("control assessments (%d of %d answered)", progress.Answered, progress.Controls),
			Assessment: &progress, At: workflow.Now(ctx)}
		workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, p)
	}
	report()
	for pending > 0 {
		before := len(progress.OpenBy)
		sel.Select(ctx)
		for _, as := range recorded {
			err := workflow.ExecuteActivity(actx, a.RecordAssessment, activities.RecordAssessmentInput{Assessment: as}).Get(ctx, nil)
			if err != nil {
				return GapAssessmentResult{}, fmt.Errorf("record assessment of %s: %w", as.ControlID, err)
			}
		}
		recorded = recorded[:0]
		if err := withdrawals.act(ctx, uncount); err != nil {
			return GapAssessmentResult{}, err
		}
		withdrawn()
		// Tell the engagement when someone's last question closes, not on
		// every answer: 150 answers should not be 150 signals.
		if len(progress.OpenBy) != before || pending == 0 {
			report()
		}
	}

	// A change approved as the last answer came in is still taken.
	withdrawals.drain()
	if err := withdrawals.act(ctx, uncount); err != nil {
		return GapAssessmentResult{}, err
	}
	withdrawn()

	var reg activities.BuildRegisterResult
	if err := workflow.ExecuteActivity(actx, a.BuildRegister, activities.BuildRegisterInput{Spec: in.Spec, Plan: in.Plan, At: workflow.Now(ctx)}).Get(ctx, &reg); err != nil {
		return GapAssessmentResult{}, fmt.Errorf("build gap register: %w", err)
	}
	if err := tellRemediation(ctx, in, reg.Gaps); err != nil {
		return GapAssessmentResult{}, err
	}
	return GapAssessmentResult{Controls: progress.Controls, Answered: progress.Answered, Unanswered: progress.Unanswered,
		Gaps: reg.Gaps, RemediationDue: reg.RemediationDue, Withdrawn: withdrawals.withdrawn}, nil
}
