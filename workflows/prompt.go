package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
)

// versionAuditAnswer gates copying an auditor's request's answer onto it.
const versionAuditAnswer = "audit-answer"

// promptRun is one prompt's state, shared by the main loop and the update
// handlers.
type promptRun struct {
	in      PromptInput
	id      string
	to      compliance.Person
	ladder  []activities.LadderStep
	next    int
	steps   []activities.LadderStep
	answer  *PromptAnswer
	expired bool
	// recording is true while an answer is being written; it closes the
	// prompt to other answers before the write completes.
	recording bool
	// reassigned tells the main loop to restart the ladder for a new
	// addressee.
	reassigned  bool
	reassignSeq int
	withdrawn   bool
}

// PromptWorkflow asks one person one question and returns the answer or
// the expiry. Until answered it climbs the engagement's ladder: reminders
// to the addressee, then the lead, then the sponsor, then expiry, each on a
// business day in the addressee's time zone and each recorded. It is the one
// way a workflow asks a person anything, so every phase gets the same
// reminders, escalations and evidence trail.
func PromptWorkflow(ctx workflow.Context, in PromptInput) (PromptResult, error) {
	r := &promptRun{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, to: in.To}
	if err := r.registerHandlers(ctx); err != nil {
		return PromptResult{}, err
	}
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	if err := r.plan(ctx); err != nil {
		return PromptResult{}, err
	}
	var opened activities.OpenPromptResult
	err := workflow.ExecuteActivity(actx, a.OpenPrompt, activities.OpenPromptInput{
		Prompt: r.record(ctx), To: r.to, SlackChannel: in.SlackChannel,
	}).Get(ctx, &opened)
	if err != nil {
		return PromptResult{}, fmt.Errorf("open prompt %s: %w", r.id, err)
	}
	if reason, ok := strings.CutPrefix(opened.Delivered, activities.DeliveredUnreachable); ok {
		// Nobody can be chased who cannot be reached: tell the lead now
		// rather than after a week of reminders nobody sees.
		if err := r.tellLead(ctx, "cannot reach "+strings.ToLower(r.to.Email)+" in Slack: "+reason); err != nil {
			return PromptResult{}, err
		}
	}
	if err := r.showRung(ctx, false); err != nil {
		return PromptResult{}, err
	}

	for r.answer == nil && !r.expired {
		if r.next >= len(r.ladder) {
			break
		}
		step := r.ladder[r.next]
		wait := step.At.Sub(workflow.Now(ctx))
		if wait > 0 {
			_, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return r.answer != nil || r.reassigned })
			if temporal.IsCanceledError(err) {
				return r.withdraw(ctx)
			}
			if err != nil {
				return PromptResult{}, err
			}
		}
		switch {
		case r.answer != nil:
			continue
		case r.reassigned:
			r.reassigned = false
			if err := r.plan(ctx); err != nil {
				return PromptResult{}, err
			}
			continue
		}
		if err := r.climb(ctx, step); err != nil {
			return PromptResult{}, err
		}
	}

	if r.answer != nil && in.Evidence != nil {
		if err := r.recordEvidence(ctx); err != nil {
			return PromptResult{}, err
		}
	}
	if r.answer != nil && in.Kind == auditreq.PromptKind && workflow.GetVersion(ctx, versionAuditAnswer, workflow.DefaultVersion, 1) == 1 {
		// Copy the answer onto the auditor's request; it is safe on the
		// prompt meanwhile (the listing reads it from there too).
		actx := workflow.WithActivityOptions(ctx, recordOptions)
		err := workflow.ExecuteActivity(actx, a.RecordAuditAnswer, activities.RecordAuditAnswerInput{Answer: compliance.PromptAnswer{
			PromptID: r.id, EngagementID: in.EngagementID, Choice: r.answer.Choice, Note: r.answer.Note, Link: r.answer.Link,
			By: r.answer.By, Via: r.answer.Channel, UpdateID: r.answer.UpdateID, At: r.answer.At}}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("copy answer to audit request", "prompt", r.id, "error", err)
		}
	}
	if r.answer != nil {
		// Show the answer in the person's digest; the answer itself was
		// stored before the update returned.
		err := workflow.ExecuteActivity(actx, a.SyncDigest, activities.SyncDigestInput{EngagementID: in.EngagementID, Person: r.to}).Get(ctx, nil)
		if err != nil {
			workflow.GetLogger(ctx).Warn("refresh digest after answer", "prompt", r.id, "error", err)
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return PromptResult{}, err
	}
	workflow.SetCurrentDetails(ctx, r.details())
	res := PromptResult{Outcome: OutcomeAnswered, Answer: r.answer, Steps: r.steps}
	if r.answer == nil {
		res.Outcome = OutcomeExpired
	}
	return res, nil
}

// recordEvidence appends an evidence request's answer to the evidence
// record, stamped with when it was given, so lateness is judged from fact.
func (r *promptRun) recordEvidence(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.RecordEvidence, evidenceInput(r.in.EngagementID, *r.in.Evidence, *r.answer)).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("record evidence of %s: %w", r.id, err)
	}
	return nil
}

// evidenceInput is an answer as the evidence record's row: the file, the
// link, or else the note as an attestation.
func evidenceInput(engagementID string, req activities.EvidenceRequest, ans PromptAnswer) activities.RecordEvidenceInput {
	kind, value := "link", ans.Link
	switch {
	case ans.Artifact != nil:
		kind, value = "file", ans.Artifact.Filename
	case value == "":
		kind, value = "attestation", ans.Note
	}
	return activities.RecordEvidenceInput{
		EngagementID: engagementID, Request: req, Kind: kind, Value: value, By: ans.By,
		Channel: ans.Channel, SubmissionKey: ans.UpdateID, At: ans.At, Artifact: ans.Artifact, Days: ans.Days,
	}
}

// withdraw closes a prompt its parent no longer needs answered (the
// parent cancelled it), so the person's digest stops asking.
func (r *promptRun) withdraw(ctx workflow.Context) (PromptResult, error) {
	// Closed to answers from now: an answer accepted while the withdrawal
	// is written would be recorded with a cancelled context and fail.
	r.withdrawn = true
	dctx, _ := workflow.NewDisconnectedContext(ctx)
	dctx = workflow.WithActivityOptions(dctx, deliveryOptions)
	step := activities.LadderStep{Name: activities.StepWithdraw, Kind: activities.StepWithdraw, At: workflow.Now(ctx)}
	err := workflow.ExecuteActivity(dctx, a.PromptStep, activities.PromptStepInput{
		PromptID: r.id, EngagementID: r.in.EngagementID, Step: step, To: r.to, SlackChannel: r.in.SlackChannel,
	}).Get(dctx, nil)
	if err != nil {
		return PromptResult{}, fmt.Errorf("withdraw %s: %w", r.id, err)
	}
	workflow.SetCurrentDetails(ctx, r.details())
	return PromptResult{Outcome: OutcomeWithdrawn, Steps: r.steps}, nil
}

// plan (re)computes the ladder from now for the current addressee.
func (r *promptRun) plan(ctx workflow.Context) error {
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var res activities.PlanLadderResult
	err := workflow.ExecuteActivity(actx, a.PlanLadder, activities.PlanLadderInput{
		Policy: r.in.Policy, TimeZone: r.to.TimeZone, From: workflow.Now(ctx), Due: r.in.Due, Until: r.in.Until,
	}).Get(ctx, &res)
	if err != nil {
		return fmt.Errorf("plan ladder for %s: %w", r.id, err)
	}
	r.ladder, r.next = res.Steps, 0
	return nil
}

// tellLead escalates to the leads out of turn, with a reason.
func (r *promptRun) tellLead(ctx workflow.Context, reason string) error {
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	step := activities.LadderStep{Name: "unreachable", Kind: activities.StepLead, At: workflow.Now(ctx)}
	err := workflow.ExecuteActivity(actx, a.PromptStep, activities.PromptStepInput{
		PromptID: r.id, EngagementID: r.in.EngagementID, Step: step, To: r.to, Tell: r.in.Leads,
		SlackChannel: r.in.SlackChannel, Reason: reason,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("tell the lead about %s: %w", r.id, err)
	}
	r.steps = append(r.steps, step)
	return r.showRung(ctx, true)
}

// climb carries out one rung.
func (r *promptRun) climb(ctx workflow.Context, step activities.LadderStep) error {
	tell := []compliance.Person{r.to}
	switch step.Kind {
	case activities.StepLead:
		tell = r.in.Leads
	case activities.StepSponsor:
		tell = r.in.Sponsors
	}
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	err := workflow.ExecuteActivity(actx, a.PromptStep, activities.PromptStepInput{
		PromptID: r.id, EngagementID: r.in.EngagementID, Step: step, To: r.to, Tell: tell, SlackChannel: r.in.SlackChannel,
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("%s for %s: %w", step.Name, r.id, err)
	}
	r.steps = append(r.steps, step)
	r.next++
	if step.Kind == activities.StepExpire && r.answer == nil {
		r.expired = true
	}
	return r.showRung(ctx, true)
}

func (r *promptRun) record(ctx workflow.Context) compliance.Prompt {
	due := r.in.Due
	if n := len(r.ladder); due.IsZero() && n > 0 {
		due = r.ladder[n-1].At
	}
	if due.IsZero() {
		due = workflow.Now(ctx)
	}
	return compliance.Prompt{
		ID: r.id, EngagementID: r.in.EngagementID, Key: r.in.Key, Kind: r.in.Kind, Subject: r.in.Subject,
		Question: r.in.Question, Why: r.in.Why, Choices: r.in.Choices, NoteRequired: r.in.NoteRequired,
		LinkRequired: r.in.LinkRequired, AddresseeEmail: r.to.Email, AddresseeName: r.to.Name,
		DueAt: due, CreatedAt: workflow.Now(ctx),
	}
}

// mayAnswer are the addressee and the people allowed to answer for them.
func (r *promptRun) mayAnswer() []string {
	out := []string{strings.ToLower(r.to.Email)}
	for _, d := range r.in.Delegates {
		if d = strings.ToLower(d); !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func (r *promptRun) mayReassign() []string {
	var out []string
	for _, p := range r.in.Leads {
		out = append(out, strings.ToLower(p.Email))
	}
	for _, d := range r.in.Delegates {
		if d = strings.ToLower(d); !contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

func (r *promptRun) status() string {
	switch {
	case r.answer != nil:
		return compliance.PromptAnswered
	case r.expired:
		return compliance.PromptExpired
	case r.withdrawn:
		return compliance.PromptWithdrawn
	}
	return compliance.PromptOpen
}

func (r *promptRun) state() PromptState {
	st := PromptState{ID: r.id, Status: r.status(), To: strings.ToLower(r.to.Email), Choices: r.in.Choices,
		Answer: r.answer, Steps: r.steps, Deciders: r.mayAnswer()}
	if r.answer == nil && !r.expired && r.next < len(r.ladder) {
		next := r.ladder[r.next]
		st.Next = &next
	}
	return st
}

func (r *promptRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryPrompt, func() (PromptState, error) { return r.state(), nil }); err != nil {
		return fmt.Errorf("register %s query: %w", QueryPrompt, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAnswerPrompt, r.answerPrompt,
		workflow.UpdateHandlerOptions{Validator: r.validateAnswer}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateAnswerPrompt, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReassignPrompt, r.reassign,
		workflow.UpdateHandlerOptions{Validator: r.validateReassign}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateReassignPrompt, err)
	}
	return nil
}

func (r *promptRun) choice(v string) (compliance.PromptChoice, bool) {
	for _, c := range r.in.Choices {
		if c.Value == v {
			return c, true
		}
	}
	return compliance.PromptChoice{}, false
}

// validateAnswer refuses, in words for the person answering, anything that
// must not be recorded. It runs before the update is written to history, so
// a refused answer costs nothing and changes nothing.
func (r *promptRun) validateAnswer(ctx workflow.Context, req AnswerPromptRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	c, known := r.choice(req.Choice)
	switch {
	case !contains(r.mayAnswer(), by):
		return fmt.Errorf("%s may not answer this question: it is for %s", by, strings.ToLower(r.to.Email))
	case r.answer != nil:
		return fmt.Errorf("this question was already answered (%s by %s)", r.answer.Choice, r.answer.By)
	case r.recording:
		return errors.New("an answer to this question is being recorded")
	case r.expired || r.withdrawn:
		return fmt.Errorf("this question is %s and no longer takes answers", r.status())
	case !known:
		return fmt.Errorf("%q is not one of the choices (%s)", req.Choice, r.choiceList())
	case (r.in.NoteRequired || c.NoteRequired) && strings.TrimSpace(req.Note) == "":
		return fmt.Errorf("answering %q needs a note saying why", c.Label)
	case req.Artifact != nil && req.Artifact.Check() != nil:
		return fmt.Errorf("the evidence file: %w", req.Artifact.Check())
	case (r.in.LinkRequired || c.LinkRequired) && strings.TrimSpace(req.Link) == "" && req.Artifact == nil && len(req.Files) == 0:
		return errors.New("this answer needs a link to the evidence (--link) or the evidence file")
	case req.Link != "" && compliance.CheckLink(req.Link) != nil:
		return compliance.CheckLink(req.Link)
	case compliance.CheckAnswerFiles(r.in.Kind == auditreq.PromptKind, req.Files) != nil:
		return compliance.CheckAnswerFiles(r.in.Kind == auditreq.PromptKind, req.Files)
	}
	return r.validateDays(req.Days)
}

// validateDays refuses days on anything but a daily control's weekly
// batch, and any day outside that batch, so each day recorded is one the
// auditor can sample.
func (r *promptRun) validateDays(days []compliance.Date) error {
	if len(days) == 0 {
		return nil
	}
	if r.in.Evidence == nil || !r.in.Evidence.Batch {
		return errors.New("only a daily control's weekly batch is answered with days (--days)")
	}
	batch := r.in.Evidence.Days()
	for _, d := range days {
		if !slices.Contains(batch, d) {
			return fmt.Errorf("%s is not a day of this batch (%s to %s)", d, batch[0], batch[len(batch)-1])
		}
	}
	return nil
}

func (r *promptRun) choiceList() string {
	var vs []string
	for _, c := range r.in.Choices {
		vs = append(vs, c.Value)
	}
	return strings.Join(vs, ", ")
}

func (r *promptRun) answerPrompt(ctx workflow.Context, req AnswerPromptRequest) (PromptAnswer, error) {
	by, via := recordedAs(req.Actor, req.By, req.Channel)
	ans := PromptAnswer{
		Choice: req.Choice, Note: strings.TrimSpace(req.Note), Link: strings.TrimSpace(req.Link), Artifact: req.Artifact,
		Days: req.Days, Files: req.Files, By: by, Channel: via, Operator: req.Actor.Operator,
		UpdateID: workflow.GetCurrentUpdateInfo(ctx).ID, At: workflow.Now(ctx),
	}
	r.recording = true
	defer func() { r.recording = false }()
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	err := workflow.ExecuteActivity(actx, a.RecordPromptAnswer, activities.RecordPromptAnswerInput{Answer: compliance.PromptAnswer{
		PromptID: r.id, EngagementID: r.in.EngagementID, Choice: ans.Choice, Note: ans.Note, Link: ans.Link,
		By: ans.By, Via: ans.Channel, UpdateID: ans.UpdateID, At: ans.At, Files: ans.Files,
	}}).Get(ctx, nil)
	if err != nil {
		return PromptAnswer{}, fmt.Errorf("record answer: %w", err)
	}
	r.answer = &ans
	return ans, nil
}

func (r *promptRun) validateReassign(ctx workflow.Context, req ReassignPromptRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	to := strings.ToLower(strings.TrimSpace(req.To.Email))
	switch {
	case !contains(r.mayReassign(), by):
		return fmt.Errorf("%s may not reassign this question: only the lead (%s) may", by, strings.Join(r.mayReassign(), ", "))
	case r.answer != nil || r.recording || r.expired:
		return errors.New("this question is closed and cannot be reassigned")
	case to == "" || !strings.Contains(to, "@"):
		return errors.New("say who should answer instead (an email)")
	case to == strings.ToLower(r.to.Email):
		return fmt.Errorf("the question is already with %s", to)
	}
	return nil
}

func (r *promptRun) reassign(ctx workflow.Context, req ReassignPromptRequest) (ReassignPromptResult, error) {
	from := r.to
	by, _ := recordedAs(req.Actor, req.By, "")
	r.reassignSeq++
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	err := workflow.ExecuteActivity(actx, a.ReassignPrompt, activities.ReassignPromptInput{
		Reassignment: compliance.Reassignment{
			PromptID: r.id, EngagementID: r.in.EngagementID, From: from.Email, To: req.To.Email, ToName: req.To.Name,
			By: by, Seq: r.reassignSeq, At: workflow.Now(ctx),
		},
		From: from, To: req.To,
	}).Get(ctx, nil)
	if err != nil {
		return ReassignPromptResult{}, fmt.Errorf("reassign: %w", err)
	}
	r.to, r.reassigned = req.To, true
	if err := r.showRung(ctx, true); err != nil {
		return ReassignPromptResult{}, err
	}
	return ReassignPromptResult{To: strings.ToLower(req.To.Email)}, nil
}
