package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// VendorWorkInput starts (or continues) an engagement's vendor work.
type VendorWorkInput struct {
	EngagementID string
	Spec         compliance.Spec
	// Start is the day vendor work began: overdue work is asked for then,
	// and every later ask is laid out from it, so it never moves. Zero on
	// the first run: the first batch sets it to today in the client's zone.
	Start compliance.Date
	// Cursor and CursorKey say what was sent: every prompt asked before
	// Cursor, and at Cursor up to CursorKey. The workflow continues as new
	// only between batches, so the cursor is a batch's end. Zero on the
	// first run, when everything due so far is sent at once.
	Cursor    time.Time
	CursorKey string
	// Asked counts prompts sent over every run.
	Asked int
	// FromStore reads the current spec from Postgres each batch (see
	// activities.VendorWorkInput.FromStore).
	FromStore bool `json:",omitempty"`
	// Test forces continue-as-new (VendorBatchesPerRun); nil in production.
	Test *TestHooks `json:",omitempty"`
}

// VendorWorkResult is returned only if the work is cancelled before any
// continue-as-new; the workflow otherwise runs until the engagement closes.
type VendorWorkResult struct {
	Asked int
}

// vendorHorizon is how far ahead one batch looks: vendor work is counted in
// weeks and months, so a month keeps each batch small and the workflow idle.
const vendorHorizon = 30 * 24 * time.Hour

// vendorBatchesPerRun bounds a run's history: a year of batches (each an
// activity and a timer, plus the prompts started) is a few hundred events,
// then the workflow continues as new with its cursor.
const vendorBatchesPerRun = 12

// VendorWorkWorkflow is one per engagement: it sends each piece of vendor
// work (compliance.VendorSchedule: obtain and review each relied-on
// vendor's report every year, review the one on file, ask for a bridge
// letter when a report ends before the client's period does) as a prompt
// to the vendor's owner when it falls due, with the same ladder, escalation
// and Slack delivery as every other question. Like the operating scheduler
// it keeps only a cursor and recomputes the schedule each batch, and the
// prompts it starts live on their own (ABANDON), so it can continue as new
// while owners are still answering. It runs until the engagement cancels
// it, because vendor reports fall due every year the programme runs.
func VendorWorkWorkflow(ctx workflow.Context, in VendorWorkInput) (VendorWorkResult, error) {
	cursor, cursorKey, asked := in.Cursor, in.CursorKey, in.Asked
	batches := vendorBatchesPerRun
	if h := in.Test.value(); h.VendorBatchesPerRun > 0 {
		batches = h.VendorBatchesPerRun
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	for batch := 0; ; batch++ {
		if batch >= batches || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
			next := in
			next.Cursor, next.CursorKey, next.Asked = cursor, cursorKey, asked
			return VendorWorkResult{}, workflow.NewContinueAsNewError(ctx, VendorWorkWorkflowName, next)
		}
		from := workflow.Now(ctx)
		if cursor.After(from) {
			from = cursor
		}
		until := from.Add(vendorHorizon)
		var work activities.VendorWorkResult
		err := workflow.ExecuteActivity(actx, a.VendorWork, activities.VendorWorkInput{
			EngagementID: in.EngagementID, Spec: in.Spec, Start: in.Start, Now: workflow.Now(ctx), After: cursor, AfterKey: cursorKey,
			Until: until, FromStore: in.FromStore,
		}).Get(ctx, &work)
		if err != nil {
			return VendorWorkResult{}, fmt.Errorf("schedule vendor work for %s: %w", in.EngagementID, err)
		}
		in.Start = work.Start
		for _, w := range work.Actions {
			if wait := w.AskAt.Sub(workflow.Now(ctx)); wait > 0 {
				if err := workflow.Sleep(ctx, wait); err != nil {
					return VendorWorkResult{Asked: asked}, err
				}
			}
			if err := askVendorWork(ctx, in, w); err != nil {
				return VendorWorkResult{Asked: asked}, err
			}
			asked++
		}
		if wait := until.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return VendorWorkResult{Asked: asked}, err
			}
		}
		// Every prompt asked at or before until was in this batch.
		cursor, cursorKey = until, afterEveryKey
	}
}

// vendorChoices are the answers each kind of vendor work takes. A report
// or letter is linked so the auditor can be shown what was reviewed; an
// answer that leaves something to do says what.
var vendorChoices = map[compliance.VendorActionKind][]compliance.PromptChoice{
	compliance.VendorObtainReport: {
		{Value: compliance.VendorAnswerReviewed, Label: "Obtained and reviewed: nothing in it needs action (link it)", LinkRequired: true},
		{Value: compliance.VendorAnswerAct, Label: "Obtained: its exceptions or the controls it expects of us need action (link it, say what)", LinkRequired: true, NoteRequired: true},
		{Value: compliance.VendorAnswerNotYet, Label: "Not available yet (say when it will be)", NoteRequired: true},
	},
	compliance.VendorReviewReport: {
		{Value: compliance.VendorAnswerReviewed, Label: "Reviewed: nothing in it needs action"},
		{Value: compliance.VendorAnswerAct, Label: "Reviewed: its exceptions or the controls it expects of us need action (say what)", NoteRequired: true},
	},
	compliance.VendorRequestBridge: {
		{Value: compliance.VendorAnswerReceived, Label: "Bridge letter received (link it)", LinkRequired: true},
		{Value: compliance.VendorAnswerRefused, Label: "The vendor will not give one (say what we rely on instead)", NoteRequired: true},
	},
}

// vendorWhy says why each kind of work matters, in the words a vendor
// owner needs.
var vendorWhy = map[compliance.VendorActionKind]string{
	compliance.VendorObtainReport:  "The auditor and your customers expect a current report for every vendor you rely on, reviewed for exceptions and for the controls it expects you to run.",
	compliance.VendorReviewReport:  "A vendor report is only assurance once someone has read its exceptions and checked you run the controls it expects of its customers.",
	compliance.VendorRequestBridge: "The vendor's report stops before your period ends; a bridge letter covers the gap so the auditor need not raise it.",
}

// askVendorWork starts one vendor prompt and waits only until it has
// started. The lead may answer for the owner, as with quarterly reviews.
func askVendorWork(ctx workflow.Context, in VendorWorkInput, w activities.ScheduledVendorAction) error {
	act := w.Action
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(in.EngagementID, act.Key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	leads := in.Spec.PeopleWithRole(compliance.RoleLead)
	delegates := make([]string, 0, len(leads))
	for _, l := range leads {
		delegates = append(delegates, l.Email)
	}
	child := askPrompt(cctx, PromptInput{
		EngagementID: in.EngagementID, Key: act.Key, Kind: PromptKindVendor, Subject: act.Vendor + ": " + string(act.Kind),
		Question: vendorQuestion(act), Why: vendorWhy[act.Kind], Choices: vendorChoices[act.Kind],
		To: w.Owner, Delegates: delegates, Leads: leads, Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor),
		Policy: in.Spec.Reminders, SlackChannel: in.Spec.Integrations.SlackChannel, Due: w.Due, Until: w.Until,
	})
	return awaitStarted(ctx, child, act.Key)
}

func vendorQuestion(act compliance.VendorAction) string {
	due := act.Due.String()
	switch act.Kind {
	case compliance.VendorObtainReport:
		return fmt.Sprintf("Obtain %s's report and review it by %s (%s).", act.Vendor, due, act.Why)
	case compliance.VendorRequestBridge:
		return fmt.Sprintf("Ask %s for a bridge letter by %s (%s).", act.Vendor, due, act.Why)
	}
	return fmt.Sprintf("Review %s's report by %s (%s).", act.Vendor, due, act.Why)
}
