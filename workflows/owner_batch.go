package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// batchItemRun is one item's state: what a PromptWorkflow keeps for its
// one question, kept here for each item.
type batchItemRun struct {
	BatchItem
	id        string
	to        compliance.Person
	ladder    []activities.LadderStep
	next      int
	steps     []activities.LadderStep
	answer    *PromptAnswer
	expired   bool
	withdrawn bool
	recording bool
	reassigns int
}

func (it *batchItemRun) open() bool { return it.answer == nil && !it.expired && !it.withdrawn }

// ownerBatchRun is one batch's state, shared by the loop and the handlers.
type ownerBatchRun struct {
	in    OwnerBatchInput
	id    string
	items []*batchItemRun
	// changed wakes the loop: an item was answered or reassigned.
	changed bool
}

// OwnerBatchWorkflow asks one person several questions at once: a
// quarter's control reviews as one checklist, or the evidence requests
// falling due in one week. It is the batched form of PromptWorkflow, and
// each item keeps what a prompt of its own has: its own prompt row and
// ID (compliance.BatchItemID), its own deadline and ladder, its own answer
// (an update naming the item, with the same validation) and its own
// escalations: an item late inside a batch climbs its ladder alone while
// the answered items stay quiet. What the batch shares is the asking (one
// start, one activity to open them all, one digest refresh) and the
// waiting (one timer for the next rung of any item).
func OwnerBatchWorkflow(ctx workflow.Context, in OwnerBatchInput) (OwnerBatchResult, error) {
	r := &ownerBatchRun{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID}
	for _, item := range in.Items {
		r.items = append(r.items, &batchItemRun{BatchItem: item, id: compliance.BatchItemID(r.id, item.Key), to: in.To})
	}
	if err := r.registerHandlers(ctx); err != nil {
		return OwnerBatchResult{}, err
	}
	if err := r.openAll(ctx); err != nil {
		return OwnerBatchResult{}, err
	}
	var (
		timer   workflow.Future
		timerAt time.Time
		cancel  workflow.CancelFunc = func() {}
	)
	for {
		next, ok := r.nextRung()
		if !ok {
			break
		}
		if now := workflow.Now(ctx); next.After(now) {
			// One timer for the earliest rung of any open item, kept
			// while that stays the earliest: an answer re-plans nothing.
			if timer == nil || !timerAt.Equal(next) {
				cancel()
				var tctx workflow.Context
				tctx, cancel = workflow.WithCancel(ctx)
				timer, timerAt = workflow.NewTimer(tctx, next.Sub(now)), next
			}
			err := workflow.Await(ctx, func() bool { return timer.IsReady() || r.changed })
			if temporal.IsCanceledError(err) {
				return r.withdraw(ctx)
			}
			if err != nil {
				return OwnerBatchResult{}, err
			}
			if timer.IsReady() {
				timer = nil
			}
			r.changed = false
			continue
		}
		if err := r.climb(ctx, workflow.Now(ctx)); err != nil {
			return OwnerBatchResult{}, err
		}
	}
	cancel()
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return OwnerBatchResult{}, err
	}
	return OwnerBatchResult{Items: r.state().Items}, nil
}

// openAll opens every item as a prompt and plans every item's ladder, in
// one activity.
func (r *ownerBatchRun) openAll(ctx workflow.Context) error {
	in := activities.OpenBatchInput{To: r.in.To, SlackChannel: r.in.SlackChannel}
	now := workflow.Now(ctx)
	for _, it := range r.items {
		in.Prompts = append(in.Prompts, compliance.Prompt{
			ID: it.id, EngagementID: r.in.EngagementID, Key: it.Key, Kind: it.Kind, Subject: it.Subject,
			Question: it.Question, Why: it.Why, Choices: it.Choices, AddresseeEmail: it.to.Email, AddresseeName: it.to.Name,
			DueAt: it.Due, CreatedAt: now,
		})
		in.Ladders = append(in.Ladders, activities.PlanLadderInput{Policy: r.in.Policy, TimeZone: it.to.TimeZone, From: now, Due: it.Due, Until: it.Until})
		var pop activities.PopulationSummaryInput
		if it.Evidence != nil && it.population() {
			pop = activities.PopulationSummaryInput{EngagementID: r.in.EngagementID, ControlID: it.Evidence.ControlID,
				PeriodStart: it.Evidence.PeriodStart, PeriodEnd: it.Evidence.PeriodEnd}
		}
		in.Populations = append(in.Populations, pop)
	}
	var opened activities.OpenBatchResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.OpenBatch, in).Get(ctx, &opened); err != nil {
		return fmt.Errorf("open batch %s: %w", r.id, err)
	}
	for i, it := range r.items {
		if i < len(opened.Ladders) {
			it.ladder = opened.Ladders[i]
		}
	}
	if reason, ok := strings.CutPrefix(opened.Delivered, activities.DeliveredUnreachable); ok {
		// Nobody can be chased who cannot be reached: tell the lead now.
		step := activities.LadderStep{Name: "unreachable", Kind: activities.StepLead, At: now}
		return r.step(ctx, r.openIDs(), step, r.in.Leads, r.in.To, "cannot reach "+strings.ToLower(r.in.To.Email)+" in Slack: "+reason)
	}
	return nil
}

// population reports whether the item is a per-event or continuous
// control's attestation, whose question says what its population holds.
func (it *batchItemRun) population() bool { return it.Population && it.Evidence != nil }

// nextRung is the earliest rung still to come of any open item.
func (r *ownerBatchRun) nextRung() (time.Time, bool) {
	var next time.Time
	found := false
	for _, it := range r.items {
		if !it.open() || it.next >= len(it.ladder) {
			continue
		}
		if at := it.ladder[it.next].At; !found || at.Before(next) {
			next, found = at, true
		}
	}
	return next, found
}

// climb carries out every rung that is due now, for exactly the open items
// whose own ladder has reached it: items reaching the same rung at the same
// time for the same person go in one activity, each still recorded and
// escalated as itself.
func (r *ownerBatchRun) climb(ctx workflow.Context, now time.Time) error {
	type group struct {
		step activities.LadderStep
		to   compliance.Person
		ids  []string
		its  []*batchItemRun
	}
	var groups []*group
	for _, it := range r.items {
		if !it.open() || it.next >= len(it.ladder) || it.ladder[it.next].At.After(now) {
			continue
		}
		step := it.ladder[it.next]
		var g *group
		for _, x := range groups {
			if x.step == step && strings.EqualFold(x.to.Email, it.to.Email) {
				g = x
			}
		}
		if g == nil {
			g = &group{step: step, to: it.to}
			groups = append(groups, g)
		}
		g.ids, g.its = append(g.ids, it.id), append(g.its, it)
	}
	for _, g := range groups {
		tell := []compliance.Person{g.to}
		switch g.step.Kind {
		case activities.StepLead:
			tell = r.in.Leads
		case activities.StepSponsor:
			tell = r.in.Sponsors
		}
		if err := r.step(ctx, g.ids, g.step, tell, g.to, ""); err != nil {
			return err
		}
		for _, it := range g.its {
			it.steps = append(it.steps, g.step)
			it.next++
			if g.step.Kind == activities.StepExpire && it.answer == nil {
				it.expired = true
			}
		}
	}
	return nil
}

func (r *ownerBatchRun) step(ctx workflow.Context, ids []string, step activities.LadderStep, tell []compliance.Person, to compliance.Person, reason string) error {
	if len(ids) == 0 {
		return nil
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.BatchStep, activities.BatchStepInput{
		PromptIDs: ids, EngagementID: r.in.EngagementID, Step: step, To: to, Tell: tell, SlackChannel: r.in.SlackChannel, Reason: reason,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s for %d items of %s: %w", step.Name, len(ids), r.id, err)
	}
	return nil
}

func (r *ownerBatchRun) openIDs() []string {
	var ids []string
	for _, it := range r.items {
		if it.open() {
			ids = append(ids, it.id)
		}
	}
	return ids
}

// withdraw closes the open items when the batch is cancelled.
func (r *ownerBatchRun) withdraw(ctx workflow.Context) (OwnerBatchResult, error) {
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	step := activities.LadderStep{Name: activities.StepWithdraw, Kind: activities.StepWithdraw, At: workflow.Now(ctx)}
	ids := r.openIDs()
	if err := r.step(dctx, ids, step, nil, r.in.To, ""); err != nil {
		return OwnerBatchResult{}, err
	}
	for _, it := range r.items {
		if it.open() {
			it.withdrawn = true
		}
	}
	return OwnerBatchResult{Items: r.state().Items}, nil
}

// item finds an item by its prompt ID. The handler matches on the key
// alone: a replayer runs the workflow under another ID, and the
// validator (which a replay does not run) has checked the batch part.
func (r *ownerBatchRun) item(id string) (*batchItemRun, error) {
	_, key, _ := strings.Cut(id, compliance.BatchItemSeparator)
	for _, it := range r.items {
		if it.Key == key {
			return it, nil
		}
	}
	return nil, fmt.Errorf("%s is not a question of this batch (%s)", id, r.id)
}

// validItem is item for a validator: the ID must name this batch too.
func (r *ownerBatchRun) validItem(id string) (*batchItemRun, error) {
	if batch, ok := compliance.BatchOfItem(id); !ok || batch != r.id {
		return nil, fmt.Errorf("%s is not a question of this batch (%s)", id, r.id)
	}
	return r.item(id)
}

// asPrompt is the item seen as a prompt of its own, so the one set of
// answer and reassignment rules (promptRun's validators) judges it.
func (r *ownerBatchRun) asPrompt(it *batchItemRun) *promptRun {
	return &promptRun{
		in: PromptInput{EngagementID: r.in.EngagementID, Key: it.Key, Kind: it.Kind, Choices: it.Choices,
			Delegates: r.in.Delegates, Leads: r.in.Leads, Evidence: it.Evidence, Due: it.Due, Until: it.Until},
		id: it.id, to: it.to, answer: it.answer, expired: it.expired, withdrawn: it.withdrawn, recording: it.recording,
	}
}

func (r *ownerBatchRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryOwnerBatch, func() (OwnerBatchState, error) { return r.state(), nil }); err != nil {
		return fmt.Errorf("register %s query: %w", QueryOwnerBatch, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAnswerBatchItem, r.answerItem,
		workflow.UpdateHandlerOptions{Validator: r.validateAnswerItem}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateAnswerBatchItem, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReassignBatchItem, r.reassignItem,
		workflow.UpdateHandlerOptions{Validator: r.validateReassignItem}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateReassignBatchItem, err)
	}
	return nil
}

func (r *ownerBatchRun) validateAnswerItem(ctx workflow.Context, req AnswerBatchItemRequest) error {
	it, err := r.validItem(req.Item)
	if err != nil {
		return err
	}
	return r.asPrompt(it).validateAnswer(ctx, req.AnswerPromptRequest)
}

func (r *ownerBatchRun) answerItem(ctx workflow.Context, req AnswerBatchItemRequest) (PromptAnswer, error) {
	it, err := r.item(req.Item)
	if err != nil {
		return PromptAnswer{}, err
	}
	by, via := recordedAs(req.Actor, req.By, req.Channel)
	ans := PromptAnswer{
		Choice: req.Choice, Note: strings.TrimSpace(req.Note), Link: strings.TrimSpace(req.Link), Artifact: req.Artifact,
		Days: req.Days, By: by, Channel: via, Operator: req.Actor.Operator,
		UpdateID: workflow.GetCurrentUpdateInfo(ctx).ID, At: workflow.Now(ctx),
	}
	it.recording = true
	defer func() { it.recording = false }()
	rec := activities.RecordBatchAnswerInput{Person: it.to, Answer: compliance.PromptAnswer{
		PromptID: it.id, EngagementID: r.in.EngagementID, Choice: ans.Choice, Note: ans.Note, Link: ans.Link,
		By: ans.By, Via: ans.Channel, UpdateID: ans.UpdateID, At: ans.At,
	}}
	if it.Evidence != nil {
		ev := evidenceInput(r.in.EngagementID, *it.Evidence, ans)
		rec.Evidence = &ev
	}
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordBatchAnswer, rec).Get(ctx, nil); err != nil {
		return PromptAnswer{}, fmt.Errorf("record answer: %w", err)
	}
	it.answer = &ans
	r.changed = true
	return ans, nil
}

func (r *ownerBatchRun) validateReassignItem(ctx workflow.Context, req ReassignBatchItemRequest) error {
	it, err := r.validItem(req.Item)
	if err != nil {
		return err
	}
	return r.asPrompt(it).validateReassign(ctx, req.ReassignPromptRequest)
}

// reassignItem moves one item to another person; its ladder stays, since
// an item's deadline is the client's, whoever answers it.
func (r *ownerBatchRun) reassignItem(ctx workflow.Context, req ReassignBatchItemRequest) (ReassignPromptResult, error) {
	it, err := r.item(req.Item)
	if err != nil {
		return ReassignPromptResult{}, err
	}
	if !it.open() {
		return ReassignPromptResult{}, errors.New("this question is closed and cannot be reassigned")
	}
	by, _ := recordedAs(req.Actor, req.By, "")
	it.reassigns++
	err = workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, deliveryOptions), a.ReassignPrompt, activities.ReassignPromptInput{
		Reassignment: compliance.Reassignment{
			PromptID: it.id, EngagementID: r.in.EngagementID, From: it.to.Email, To: req.To.Email, ToName: req.To.Name,
			By: by, Seq: it.reassigns, At: workflow.Now(ctx),
		},
		From: it.to, To: req.To,
	}).Get(ctx, nil)
	if err != nil {
		return ReassignPromptResult{}, fmt.Errorf("reassign: %w", err)
	}
	it.to, r.changed = req.To, true
	return ReassignPromptResult{To: strings.ToLower(req.To.Email)}, nil
}

func (it *batchItemRun) status() string {
	switch {
	case it.answer != nil:
		return compliance.PromptAnswered
	case it.expired:
		return compliance.PromptExpired
	case it.withdrawn:
		return compliance.PromptWithdrawn
	}
	return compliance.PromptOpen
}

func (r *ownerBatchRun) state() OwnerBatchState {
	st := OwnerBatchState{ID: r.id, To: strings.ToLower(r.in.To.Email)}
	for _, it := range r.items {
		s := BatchItemState{ID: it.id, Key: it.Key, Status: it.status(), To: strings.ToLower(it.to.Email), Due: it.Due,
			Answer: it.answer, Steps: it.steps}
		if it.open() && it.next < len(it.ladder) {
			next := it.ladder[it.next]
			s.Next = &next
		}
		st.Items = append(st.Items, s)
	}
	return st
}
