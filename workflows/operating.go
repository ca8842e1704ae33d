package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// OperatingInput starts (or continues) the operating period's scheduler.
type OperatingInput struct {
	EngagementID     string
	Spec             compliance.Spec
	Plan             compliance.Plan
	ParentWorkflowID string
	Revision         int
	// Cursor and CursorKey are the last request sent (its AskAt and key):
	// requests after it are still to send. Zero on the first run.
	Cursor    time.Time
	CursorKey string
	// Asked counts requests sent over every run.
	Asked int
	// Test shrinks the cadence for tests (OperatingTick,
	// OperatingControls: see activities.NextOccurrencesInput) and forces
	// continue-as-new (OperatingContinueAsNewEvery); nil in production.
	Test *TestHooks `json:",omitempty"`
	// FromStore schedules from the engagement's current spec in Postgres
	// (the certified programme, whose scope can grow) rather than Spec.
	FromStore bool `json:",omitempty"`
	// Batched says the cursor is an owner batch's (operating_batched.go).
	Batched bool `json:",omitempty"`
}

// OperatingResult is returned when the window has closed.
type OperatingResult struct {
	Asked int
}

// OperatingProgress answers the operating query.
type OperatingProgress struct {
	Asked      int       `json:"asked"`
	Cursor     time.Time `json:"cursor"`
	Next       time.Time `json:"next,omitempty"`
	OnTimeRate float64   `json:"on_time_rate"`
	Drifting   int       `json:"drifting"`
	// Closed says the window is over: set before the scheduler reports it,
	// so the engagement can check a window-closed report against this
	// query (activities.WindowClosed) while the scheduler finishes.
	Closed bool `json:"closed,omitempty"`
}

// Versions of the scheduler's additions.
//
// versionPopulationSummary and versionPopulationImport once also required
// a zero test tick (then OperatingInput.TestTick, now TestHooks.OperatingTick),
// which kept the branches out of every run a test made on the dev server and
// so out of every committed history. They now depend on the version alone: a
// history recorded before (with a test tick, or before the
// branch existed) has no marker, so GetVersion replays it as DefaultVersion
// and it keeps the path it took; a tick-cadence run takes the production
// path. TestOperatingPopulationsForReal records both branches
// (operating_population_import_summary.json) and
// TestEveryVersionBranchIsReplayed keeps such a history committed.
const (
	versionPopulationSummary = "population-summary"
	versionPopulationImport  = "population-import"
	// versionWindowClosedReport: the scheduler tells its engagement when
	// the window has closed, since the engagement run that started it may
	// have handed over to another (see engagement_handover.go).
	versionWindowClosedReport = "window-closed-report"
)

// afterEveryKey sorts after any occurrence key: a cursor at (t,
// afterEveryKey) means everything asked at t has been sent.
const afterEveryKey = "\uffff"

// horizon is how far ahead the scheduler asks for the next batch: a week
// of requests keeps each activity result small.
const horizon = 7 * 24 * time.Hour

// evidenceChoices: evidence is a link; a daily control's weekly batch may
// be attested in a note instead.
var evidenceChoices = []compliance.PromptChoice{
	{Value: "evidence", Label: "Here is the evidence", LinkRequired: true},
}

// OperatingWorkflow is one scheduler per engagement: it sends each
// control's evidence request as its period closes, as an evidence prompt
// (so reminders and escalations apply and the answer lands in the evidence
// record), and keeps only a cursor, so it continues as new cheaply for as
// long as the programme runs.
//
// Why one scheduler and not one workflow per control: measured on the dev
// server (see README), a per-control workflow adds a timer, a workflow task
// and a start per occurrence plus a long-lived workflow per control; the
// scheduler's cost per occurrence is one child start, and its own history
// resets at each continue-as-new. The prompts carry the per-occurrence
// state either way.
func OperatingWorkflow(ctx workflow.Context, in OperatingInput) (OperatingResult, error) {
	progress := OperatingProgress{Asked: in.Asked, Cursor: in.Cursor}
	if err := workflow.SetQueryHandler(ctx, QueryOperating, func() (OperatingProgress, error) { return progress, nil }); err != nil {
		return OperatingResult{}, fmt.Errorf("register %s query: %w", QueryOperating, err)
	}
	if workflow.GetVersion(ctx, versionOwnerBatches, workflow.DefaultVersion, 1) == 1 {
		return operateInBatches(ctx, in, &progress)
	}
	cursor, cursorKey := in.Cursor, in.CursorKey
	if cursor.IsZero() {
		cursor = workflow.Now(ctx)
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
		if len(in.Spec.Integrations.Populations) > 0 && workflow.GetVersion(ctx, versionPopulationImport, workflow.DefaultVersion, 1) == 1 {
			// Per-event populations from Jira, once a batch, over the
			// month before the batch; a failed import never holds up
			// the requests (the CLI can import too). The gate is the
			// version alone (see versionPopulationImport).
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.ImportPopulation, activities.ImportPopulationInput{
				EngagementID: in.EngagementID, Spec: in.Spec, From: cursor.AddDate(0, -1, 0), To: until,
			}).Get(ctx, nil)
			if err != nil {
				workflow.GetLogger(ctx).Warn("import per-event populations", "engagement", in.EngagementID, "error", err)
			}
		}
		var next activities.NextOccurrencesResult
		err := workflow.ExecuteActivity(actx, a.NextOccurrences, activities.NextOccurrencesInput{
			Spec: in.Spec, Plan: in.Plan, After: cursor, AfterKey: cursorKey, Until: until, TestTick: hooks.OperatingTick, Controls: hooks.OperatingControls,
			FromStore: in.FromStore, EngagementID: in.EngagementID,
		}).Get(ctx, &next)
		if err != nil {
			return OperatingResult{}, fmt.Errorf("schedule evidence for %s: %w", in.EngagementID, err)
		}
		for _, o := range next.Occurrences {
			progress.Next = o.AskAt
			if wait := o.AskAt.Sub(workflow.Now(ctx)); wait > 0 {
				if err := workflow.Sleep(ctx, wait); err != nil {
					return OperatingResult{}, err
				}
			}
			// Continue as new here, after a wait and before the next ask,
			// so the requests already sent have long since started.
			forced := hooks.OperatingContinueAsNewEvery > 0 && askedThisRun >= hooks.OperatingContinueAsNewEvery
			if forced || workflow.GetInfo(ctx).GetContinueAsNewSuggested() {
				next := in
				next.Cursor, next.CursorKey, next.Asked = cursor, cursorKey, progress.Asked
				return OperatingResult{}, workflow.NewContinueAsNewError(ctx, OperatingWorkflowName, next)
			}
			if err := askForEvidence(ctx, in, o); err != nil {
				return OperatingResult{}, err
			}
			cursor, cursorKey, progress.Cursor = o.AskAt, o.Key, o.AskAt
			progress.Asked++
			askedThisRun++
		}
		// Once a batch: who is drifting now, and tell them before the
		// quarter closes rather than after.
		var dr activities.CheckDriftResult
		if err := workflow.ExecuteActivity(actx, a.CheckDrift, activities.CheckDriftInput{
			EngagementID: in.EngagementID, Spec: in.Spec, Now: workflow.Now(ctx),
		}).Get(ctx, &dr); err != nil {
			return OperatingResult{}, fmt.Errorf("check drift of %s: %w", in.EngagementID, err)
		}
		progress.OnTimeRate, progress.Drifting = dr.OnTimeRate, dr.Drifting+dr.Critical
		if in.ParentWorkflowID != "" {
			rate := dr.OnTimeRate
			workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, PhaseProgress{
				Phase: compliance.PhaseOperating, Revision: in.Revision, OnTimeRate: &rate,
				WaitingFor: fmt.Sprintf("evidence on each control's cadence (%d requests sent; %d controls drifting)", progress.Asked, progress.Drifting),
				At:         workflow.Now(ctx),
			})
		}
		if !next.WindowEnd.IsZero() && !until.Before(next.WindowEnd) {
			progress.Closed = true
			if workflow.GetVersion(ctx, versionWindowClosedReport, workflow.DefaultVersion, 1) >= 1 && in.ParentWorkflowID != "" {
				rate := dr.OnTimeRate
				err := workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, PhaseProgress{
					Phase: compliance.PhaseOperated, Revision: in.Revision, OnTimeRate: &rate, At: workflow.Now(ctx),
				}).Get(ctx, nil)
				if err != nil {
					// A closed engagement no longer waits for the window.
					workflow.GetLogger(ctx).Warn("report the window closed", "engagement", in.EngagementID, "error", err)
				}
			}
			return OperatingResult{Asked: progress.Asked}, nil
		}
		// Nothing more before the horizon: sleep to it and look again.
		if wait := until.Sub(workflow.Now(ctx)); wait > 0 {
			if err := workflow.Sleep(ctx, wait); err != nil {
				return OperatingResult{}, err
			}
		}
		// Every request at or before until was in this batch.
		cursor, cursorKey = until, afterEveryKey
	}
}

// askForEvidence starts the occurrence's evidence prompt and waits only
// until it has started: the prompt lives on by itself (ABANDON), so the
// scheduler can continue as new while owners are still answering.
func askForEvidence(ctx workflow.Context, in OperatingInput, o activities.ScheduledOccurrence) error {
	if o.Review {
		return askForReview(ctx, in, o)
	}
	key := "evidence/" + o.Key
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(in.EngagementID, key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	req := o.Request
	question := fmt.Sprintf("Evidence for %s %s, period %s to %s: link the %s record.", o.ControlID, o.Title,
		req.PeriodStart.Format("2 Jan"), req.PeriodEnd.Format("2 Jan 2006"), o.Frequency)
	if catalog.TakesPopulation(o.Frequency) && workflow.GetVersion(ctx, versionPopulationSummary, workflow.DefaultVersion, 1) == 1 {
		// A per-event control's attestation says what the population
		// holds so far, so the owner confirms it is complete (gated by
		// the version alone: see versionPopulationSummary).
		var sum activities.PopulationSummaryResult
		err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.PopulationSummary, activities.PopulationSummaryInput{
			EngagementID: in.EngagementID, ControlID: o.ControlID, PeriodStart: req.PeriodStart, PeriodEnd: req.PeriodEnd,
		}).Get(ctx, &sum)
		if err == nil {
			question += " So far: " + sum.Sentence()
		}
	}
	choices := evidenceChoices
	if o.Batch {
		// Daily controls are attested a week at a time, one record per
		// day performed (a payload change only: no command differs).
		choices = append(choices, compliance.PromptChoice{Value: "attest", Label: "I attest it ran every day (say how)", NoteRequired: true})
		question += " Say which days it ran (starter answer --days); none given means every day of the week."
	}
	child := askPrompt(cctx, PromptInput{
		EngagementID: in.EngagementID, Key: key, Kind: PromptKindEvidence, Subject: o.ControlID + " " + o.Title,
		Question: question, Why: "The auditor samples occurrences across the whole window; evidence given after the period closes is marked as raised retrospectively.",
		Choices: choices, To: o.Owner, Leads: in.Spec.PeopleWithRole(compliance.RoleLead),
		Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor), Policy: in.Spec.Reminders,
		SlackChannel: in.Spec.Integrations.SlackChannel, Evidence: &req,
		Due: req.Due, Until: req.GraceEnd,
	})
	return awaitStarted(ctx, child, o.Key)
}

// reviewChoices: the owner confirms, or says what changed (which the lead
// then has to act on).
var reviewChoices = []compliance.PromptChoice{
	{Value: "operates", Label: "Operates as designed; scope unchanged"},
	{Value: "changed", Label: "Something changed (say what)", NoteRequired: true},
}

// askForReview starts a quarterly control review: a prompt to the owner,
// which the lead may answer for, chased inside the quarter it reviews.
func askForReview(ctx workflow.Context, in OperatingInput, o activities.ScheduledOccurrence) error {
	cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID:            PromptWorkflowID(in.EngagementID, o.Key),
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_ABANDON,
	})
	req := o.Request
	leads := in.Spec.PeopleWithRole(compliance.RoleLead)
	delegates := make([]string, 0, len(leads))
	for _, l := range leads {
		delegates = append(delegates, l.Email)
	}
	child := askPrompt(cctx, PromptInput{
		EngagementID: in.EngagementID, Key: o.Key, Kind: PromptKindReview, Subject: o.ControlID + " " + o.Title,
		Question: fmt.Sprintf("Quarterly review of %s %s for %s to %s: does it still operate as designed, with the same scope?", o.ControlID, o.Title,
			req.PeriodStart.Format("2 Jan"), req.PeriodEnd.Format("2 Jan 2006")),
		Why:     "Each quarter the owner and the lead confirm every control still runs as designed; a review not done is a gap the auditor sees.",
		Choices: reviewChoices, To: o.Owner, Delegates: delegates, Leads: leads,
		Sponsors: in.Spec.PeopleWithRole(compliance.RoleSponsor), Policy: in.Spec.Reminders,
		SlackChannel: in.Spec.Integrations.SlackChannel, Due: req.Due, Until: req.GraceEnd,
	})
	return awaitStarted(ctx, child, o.Key)
}

// awaitStarted waits until a request's prompt has started. Already started
// means a previous run asked before continuing as new: asked once, not
// twice.
func awaitStarted(ctx workflow.Context, child workflow.ChildWorkflowFuture, key string) error {
	var started workflow.Execution
	err := child.GetChildWorkflowExecution().Get(ctx, &started)
	if err != nil && !temporal.IsWorkflowExecutionAlreadyStartedError(err) {
		return fmt.Errorf("ask for %s: %w", key, err)
	}
	return nil
}
