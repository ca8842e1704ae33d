package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// versionOwnerBatches: the scheduler asks each owner in batches (a
// quarter's reviews as one checklist, a week's evidence requests as one
// batch; OwnerBatchWorkflow) instead of one prompt workflow per question,
// with reviews following the spec's review policy and aligned to the
// window. A run recorded before has no marker and keeps asking question by
// question (OperatingWorkflow's loop); TestOwnerBatchesForReal records this
// branch (operating_owner_batches.json).
const versionOwnerBatches = "owner-batches"

// operateInBatches is the scheduler's loop when it asks in owner batches:
// the same cursor, horizon, population import, weekly drift check and
// continue-as-new as OperatingWorkflow's loop, over batches rather than
// single requests. The cursor is the last batch sent (AskAt, Key).
func operateInBatches(ctx workflow.Context, in OperatingInput, progress *OperatingProgress) (OperatingResult, error) {
	cursor, cursorKey := in.Cursor, in.CursorKey
	if cursor.IsZero() {
		cursor = workflow.Now(ctx)
	} else if !in.Batched {
		// The run before asked question by question, and its cursor is
		// a question's key: everything at that instant was asked.
		cursorKey = afterEveryKey
	}
	hooks := in.Test.value()
	span := horizon
	if hooks.OperatingTick > 0 {
		span = 4 * hooks.OperatingTick
	}
	askedThisRun := 0
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	for {
		until := cursor.Add(span)
		if len(in.Spec.Integrations.Populations) > 0 {
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.ImportPopulation, activities.ImportPopulationInput{
				EngagementID: in.EngagementID, Spec: in.Spec, From: cursor.AddDate(0, -1, 0), To: until,
			}).Get(ctx, nil)
			if err != nil {
				workflow.GetLogger(ctx).Warn("import per-event populations", "engagement", in.EngagementID, "error", err)
			}
		}
		var next activities.NextBatchesResult
		err := workflow.ExecuteActivity(actx, a.NextBatches, activities.NextOccurrencesInput{
			Spec: in.Spec, Plan: in.Plan, After: cursor, AfterKey: cursorKey, Until: until, TestTick: hooks.OperatingTick, Controls: hooks.OperatingControls,
			FromStore: in.FromStore, EngagementID: in.EngagementID,
		}).Get(ctx, &next)
		if err != nil {
			return OperatingResult{}, fmt.Errorf("schedule evidence for %s: %w", in.EngagementID, err)
		}
		for _, b := range next.Batches {
			progress.Next = b.AskAt
			if wait := b.AskAt.Sub(workflow.Now(ctx)); wait > 0 {
				if err := workflow.Sleep(ctx, wait); err != nil {
					return OperatingResult{}, err
				}
			}
			forced := hooks.OperatingContinueAsNewEvery > 0 && askedThisRun >= hooks.OperatingContinueAsNewEvery
			if forced || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				next := in
				next.Cursor, next.CursorKey, next.Asked, next.Batched = cursor, cursorKey, progress.Asked, true
				return OperatingResult{}, workflow.NewContinueAsNewError(ctx, OperatingWorkflowName, next)
			}
			if err := askBatch(ctx, in, b); err != nil {
				return OperatingResult{}, err
			}
			cursor, cursorKey, progress.Cursor = b.AskAt, b.Key, b.AskAt
			progress.Asked += len(b.Items)
			askedThisRun += len(b.Items)
		}
		done, res, err := afterHorizon(ctx, in, progress, actx, next.WindowEnd, until)
		if done || err != nil {
			return res, err
		}
		cursor, cursorKey = until, afterEveryKey
	}
}

// afterHorizon is what the batched loop does once a horizon's batches are
// sent, as OperatingWorkflow's loop does: the weekly drift check and
// progress report, the window-closed report and the end when the window is
// over, else a sleep to the horizon.
func afterHorizon(ctx workflow.Context, in OperatingInput, progress *OperatingProgress, actx workflow.Context, windowEnd, until time.Time) (bool, OperatingResult, error) {
	var dr activities.CheckDriftResult
	if err := workflow.ExecuteActivity(actx, a.CheckDrift, activities.CheckDriftInput{
		EngagementID: in.EngagementID, Spec: in.Spec, Now: workflow.Now(ctx),
	}).Get(ctx, &dr); err != nil {
		return true, OperatingResult{}, fmt.Errorf("check drift of %s: %w", in.EngagementID, err)
	}
	progress.OnTimeRate, progress.Drifting = dr.OnTimeRate, dr.Drifting+dr.Critical
	rate := dr.OnTimeRate
	if in.ParentWorkflowID != "" {
		workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, PhaseProgress{
			Phase: compliance.PhaseOperating, Revision: in.Revision, OnTimeRate: &rate,
			WaitingFor: fmt.Sprintf("evidence on each control's cadence (%d requests sent; %d controls drifting)", progress.Asked, progress.Drifting),
			At:         workflow.Now(ctx),
		})
	}
	if !windowEnd.IsZero() && !until.Before(windowEnd) {
		progress.Closed = true
		if in.ParentWorkflowID != "" {
			err := workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, PhaseProgress{
				Phase: compliance.PhaseOperated, Revision: in.Revision, OnTimeRate: &rate, At: workflow.Now(ctx),
			}).Get(ctx, nil)
			if err != nil {
				workflow.GetLogger(ctx).Warn("report the window closed", "engagement", in.EngagementID, "error", err)
			}
		}
		return true, OperatingResult{Asked: progress.Asked}, nil
	}
	if wait := until.Sub(workflow.Now(ctx)); wait > 0 {
		if err := workflow.Sleep(ctx, wait); err != nil {
			return true, OperatingResult{}, err
		}
	}
	return false, OperatingResult{}, nil
}

// askBatch starts an owner batch and waits only until it has started: it
// lives on by itself (ABANDON), as a prompt of its own does.
func askBatch(ctx workflow.Context, in OperatingInput, b activities.ScheduledBatch) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            OwnerBatchWorkflowID(in.EngagementID, b.Key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	leads := in.Spec.PeopleWithRole(compliance.RoleLead)
	bin := OwnerBatchInput{
		EngagementID: in.EngagementID, Key: b.Key, Kind: b.Kind, To: b.Owner, Leads: leads,
		Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor), Policy: in.Spec.Reminders, SlackChannel: in.Spec.Integrations.SlackChannel,
	}
	if b.Kind == cadence.BatchChecklist {
		// The lead may confirm a review for its owner.
		for _, l := range leads {
			bin.Delegates = append(bin.Delegates, l.Email)
		}
	}
	for _, o := range b.Items {
		bin.Items = append(bin.Items, batchItemOf(o))
	}
	child := startBatch(cctx, bin)
	return awaitStarted(ctx, child, b.Key)
}

// batchItemOf is one scheduled request as a batch item, worded as the
// prompt of its own would be (askForEvidence, askForReview).
func batchItemOf(o activities.ScheduledOccurrence) BatchItem {
	req := o.Request
	if o.Review {
		return BatchItem{
			Key: o.Key, Kind: PromptKindReview, Subject: o.ControlID + " " + o.Title,
			Question: fmt.Sprintf("Review of %s %s for %s to %s: does it still operate as designed, with the same scope?", o.ControlID, o.Title,
				req.PeriodStart.Format("2 Jan"), req.PeriodEnd.Format("2 Jan 2006")),
			Why:     "The owner and the lead confirm every control still runs as designed; a review not done is a gap the auditor sees.",
			Choices: reviewChoices, Due: req.Due, Until: req.GraceEnd,
		}
	}
	question := fmt.Sprintf("Evidence for %s %s, period %s to %s: link the %s record.", o.ControlID, o.Title,
		req.PeriodStart.Format("2 Jan"), req.PeriodEnd.Format("2 Jan 2006"), o.Frequency)
	choices := evidenceChoices
	if o.Batch {
		choices = append(choices, compliance.PromptChoice{Value: "attest", Label: "I attest it ran every day (say how)", NoteRequired: true})
		question += " Say which days it ran (starter answer --days); none given means every day of the week."
	}
	return BatchItem{
		Key: "evidence/" + o.Key, Kind: PromptKindEvidence, Subject: o.ControlID + " " + o.Title, Question: question,
		Why:     "The auditor samples occurrences across the whole window; evidence given after the period closes is marked as raised retrospectively.",
		Choices: choices, Evidence: &req, Population: catalog.TakesPopulation(o.Frequency), Due: req.Due, Until: req.GraceEnd,
	}
}
