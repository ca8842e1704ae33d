package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// ChoiceAnswer is a customer question's one answer: the note is the
// answer, the link the evidence it rests on.
const ChoiceAnswer = "answer"

// reviewAfterDue is how long after its due date a review still takes
// answers and approvals before it closes.
const reviewAfterDue = 30 * 24 * time.Hour

// CustomerReviewInput is an imported questionnaire, routed.
type CustomerReviewInput struct {
	EngagementID string
	ReviewID     string
	Customer     string
	Due          time.Time
	Spec         compliance.Spec
	Questions    []custreview.Routed
}

// MapQuestionRequest is the lead mapping an unmapped question to a control
// or criterion.
type MapQuestionRequest struct {
	QuestionID string
	Ref        string
	Actor      compliance.Actor `json:",omitzero"`
}

// ApproveAnswerRequest is the lead approving an answer for release.
type ApproveAnswerRequest struct {
	QuestionID string
	Actor      compliance.Actor `json:",omitzero"`
}

// ReturnAnswerRequest is the lead returning an owner's answer to them,
// with the reason they read when asked again.
type ReturnAnswerRequest struct {
	QuestionID string
	Reason     string
	Actor      compliance.Actor `json:",omitzero"`
}

// ActorOf names who acts, for the identity interceptor.
func (r ReturnAnswerRequest) ActorOf() compliance.Actor { return r.Actor }

// ActorOf names who acts, for the identity interceptor.
func (r MapQuestionRequest) ActorOf() compliance.Actor { return r.Actor }

// ActorOf names who acts, for the identity interceptor.
func (r ApproveAnswerRequest) ActorOf() compliance.Actor { return r.Actor }

// ReviewQuestion is one question's state in the workflow.
type ReviewQuestion struct {
	custreview.Routed
	Status     string `json:"status"`
	Answer     string `json:"answer,omitempty"`
	Evidence   string `json:"evidence,omitempty"`
	AnsweredBy string `json:"answered_by,omitempty"`
	ApprovedBy string `json:"approved_by,omitempty"`
	// The lead's latest return of the answer, and how many times it went
	// back: the owner's prompt of round Returns+1 carries the reason.
	ReturnedReason string `json:"returned_reason,omitempty"`
	ReturnedBy     string `json:"returned_by,omitempty"`
	Returns        int    `json:"returns,omitempty"`
}

// CustomerReviewState is the query's answer and the result.
type CustomerReviewState struct {
	ReviewID  string           `json:"review_id"`
	Questions []ReviewQuestion `json:"questions"`
}

type reviewRun struct {
	// root is the workflow's context: prompts started from an update
	// handler live in it, not in the handler's.
	root    workflow.Context
	in      CustomerReviewInput
	st      CustomerReviewState
	library []custreview.Suggestion
	// asked holds the prompts started, by key (one per question and
	// round): a round is asked once, whatever delivers the step twice; a
	// returned answer opens the next round, a prompt of its own. deciding
	// holds the questions a lead's update is changing: the record's
	// activity yields, and a second update must not pass the validator
	// meanwhile.
	asked    map[string]bool
	deciding map[string]bool
}

// CustomerReviewWorkflow asks each mapped question of its owner (one
// prompt per question on the usual ladder, due with the review, offering
// the engagement's approved answers on the same controls), waits for the
// lead to map the unmapped ones, records each answer, and takes the lead's
// approval of each before it can be exported. It ends when every question
// is approved or unanswered, or reviewAfterDue after the due date.
func CustomerReviewWorkflow(ctx workflow.Context, in CustomerReviewInput) (CustomerReviewState, error) {
	r := &reviewRun{root: ctx, in: in, st: CustomerReviewState{ReviewID: in.ReviewID}, asked: map[string]bool{}, deciding: map[string]bool{}}
	for _, q := range in.Questions {
		status := custreview.StatusRouted
		if q.Unmapped() {
			status = custreview.StatusUnmapped
		}
		r.st.Questions = append(r.st.Questions, ReviewQuestion{Routed: q, Status: status})
	}
	// The questions routed at import, taken before anything can yield: the
	// lead may map an unmapped one while the library is read, and its
	// update handler asks that one itself (asking it here too started its
	// prompt twice, and the second start's failure recorded it unanswered).
	var routed []int
	for i, q := range r.st.Questions {
		if q.Status == custreview.StatusRouted {
			routed = append(routed, i)
		}
	}
	if err := r.register(ctx); err != nil {
		return r.st, err
	}
	var lib activities.AnswerLibraryResult
	if err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.AnswerLibrary,
		activities.AnswerLibraryInput{EngagementID: in.EngagementID}).Get(ctx, &lib); err != nil {
		return r.st, fmt.Errorf("read the answer library: %w", err)
	}
	r.library = lib.Approved
	for _, i := range routed {
		r.ask(i)
	}
	closeAt := in.Due.Add(reviewAfterDue)
	if wait := closeAt.Sub(workflow.Now(ctx)); wait > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, wait, r.settled); err != nil {
			return r.st, err
		}
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return r.st, err
	}
	return r.st, nil
}

// settled reports whether no question waits on anyone: a returned
// answer waits on its owner's new one.
func (r *reviewRun) settled() bool {
	for _, q := range r.st.Questions {
		if q.Status != custreview.StatusApproved && q.Status != custreview.StatusUnanswered {
			return false
		}
	}
	return true
}

func (r *reviewRun) find(id string) int {
	for i, q := range r.st.Questions {
		if q.ID == id {
			return i
		}
	}
	return -1
}

func (r *reviewRun) change(ctx workflow.Context, c custreview.Change) error {
	c.EngagementID, c.ReviewID, c.At = r.in.EngagementID, r.in.ReviewID, workflow.Now(ctx)
	return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.ChangeQuestion, activities.ChangeQuestionInput{Change: c}).Get(ctx, nil)
}

// ask starts question i's prompt of its current round and, in its own
// coroutine, records how it ends. A round already asked is not asked
// again: a second prompt would fail to start as a duplicate, and
// recording that failure as "unanswered" would guard the owner's real
// answer out of the record.
func (r *reviewRun) ask(i int) {
	ctx := r.root
	q := r.st.Questions[i]
	key := promptKey(r.in.ReviewID, q)
	if r.asked[key] {
		return
	}
	r.asked[key] = true
	id := PromptWorkflowID(r.in.EngagementID, key)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := r.change(ctx, custreview.Change{QuestionID: q.ID, PromptID: id, Key: "prompt"}); err != nil {
			workflow.GetLogger(ctx).Error("record question prompt", "question", q.ID, "error", err)
		}
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: id, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		})
		var res PromptResult
		if err := askPrompt(cctx, r.prompt(q, key)).Get(ctx, &res); err != nil {
			workflow.GetLogger(ctx).Error("customer question prompt", "question", q.ID, "error", err)
			var already *temporal.ChildWorkflowExecutionAlreadyStartedError
			if errors.As(err, &already) {
				return // the prompt that runs records how it ends
			}
		}
		c := custreview.Change{QuestionID: q.ID, Unanswered: true, Key: "expired"}
		if res.Answer != nil {
			c = custreview.Change{QuestionID: q.ID, Answer: &custreview.Answer{Text: res.Answer.Note, Evidence: res.Answer.Link, By: res.Answer.By},
				Key: res.Answer.UpdateID}
		}
		if err := r.change(ctx, c); err != nil {
			workflow.GetLogger(ctx).Error("record customer answer", "question", q.ID, "error", err)
		}
		cur := &r.st.Questions[i]
		if res.Answer != nil {
			cur.Status, cur.Answer, cur.Evidence, cur.AnsweredBy = custreview.StatusAnswered, res.Answer.Note, res.Answer.Link, res.Answer.By
		} else {
			cur.Status = custreview.StatusUnanswered
		}
	})
}

// promptKey names a question's prompt: the first round's key is the one
// every review before returns had (its prompt's workflow ID must not
// change under a running review); round n after n-1 returns is
// "/round-n", so its prompt is a new workflow, not the first one's
// duplicate.
func promptKey(reviewID string, q ReviewQuestion) string {
	key := "customer-review/" + reviewID + "/" + q.ID
	if q.Returns > 0 {
		key += fmt.Sprintf("/round-%d", q.Returns+1)
	}
	return key
}

// prompt is the owner's question, with the approved answers on the same
// controls offered for reuse; asked again, with the lead's reason and the
// owner's previous answer.
func (r *reviewRun) prompt(q ReviewQuestion, key string) PromptInput {
	spec := r.in.Spec
	text, subject := "", fmt.Sprintf("%s's security review: question %s", r.in.Customer, q.ID)
	if q.Returns > 0 {
		// First, so a message cut to its first lines (Slack's) keeps it.
		text = fmt.Sprintf("%s returned your answer: %s Your previous answer: %q. Answer again; the lead approves the new answer. ",
			q.ReturnedBy, q.ReturnedReason, q.Answer)
		subject += " (returned: answer again)"
	}
	text += fmt.Sprintf("%s asks (%s): %s", r.in.Customer, q.ID, q.Text)
	if q.Ref != "" {
		text += fmt.Sprintf(" [they cite %s]", q.Ref)
	}
	if q.Context != "" {
		text += " " + q.Context
	}
	text += fmt.Sprintf(" It maps to your controls %s. Answer in the note; link the evidence it rests on.", strings.Join(q.Controls, ", "))
	if prev := custreview.Relevant(r.library, q.Controls, 3); len(prev) > 0 {
		text += " Approved answers on the same controls you may reuse:"
		for _, s := range prev {
			text += fmt.Sprintf(" (%s %s) %q;", s.ReviewID, s.QuestionID, s.Answer)
		}
	}
	due := r.in.Due
	return PromptInput{
		EngagementID: r.in.EngagementID, Key: key, Kind: PromptKindCustomerQuestion,
		Subject:  subject,
		Question: text,
		Why:      "The customer reads the report and asks the people who own the controls; the lead approves each answer before it is released.",
		Choices:  []compliance.PromptChoice{{Value: ChoiceAnswer, Label: "Answer (the note is the answer)", NoteRequired: true}},
		To:       ownerByEmail(spec, q.Owner), Leads: spec.PeopleWithRole(compliance.RoleLead), Sponsors: spec.PeopleWithRole(compliance.RoleSponsor),
		Delegates: leadDelegates(spec), Policy: spec.Reminders, SlackChannel: spec.Integrations.SlackChannel,
		Due: due.Add(-48 * time.Hour), Until: due,
	}
}

// register sets the query and the lead's three updates.
//
// The return-answer update is not behind workflow.GetVersion: registering
// a handler adds no command, and its commands (the record's activity, the
// next round's prompt) come only from an accepted return-answer update,
// which is itself in the history. No history written before it holds one
// (a worker without the handler rejects the update, and a rejected update
// leaves no event), so their replay never enters it, and the first
// round's prompt keeps its key and workflow ID. A gate would not help the
// other direction either: a worker rolled back to code without the
// handler cannot replay an accepted return whatever it is marked with.
// testdata/histories/customer_review_returned_answered_again.json replays
// a return.
func (r *reviewRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryCustomerReview, func() (CustomerReviewState, error) { return r.st, nil }); err != nil {
		return fmt.Errorf("register %s query: %w", QueryCustomerReview, err)
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateMapQuestion,
		func(ctx workflow.Context, req MapQuestionRequest) (ReviewQuestion, error) {
			by, _ := recordedAs(req.Actor, "", "")
			i := r.find(req.QuestionID)
			if r.st.Questions[i].Status != custreview.StatusUnmapped {
				return r.st.Questions[i], nil // delivered twice: the first mapped it
			}
			r.deciding[req.QuestionID] = true
			defer delete(r.deciding, req.QuestionID)
			ctrls, owner := r.resolve(req.Ref)
			if err := r.change(ctx, custreview.Change{QuestionID: req.QuestionID, Map: &custreview.Mapping{Controls: ctrls, Owner: owner, By: by},
				Key: workflow.GetCurrentUpdateInfo(ctx).ID}); err != nil {
				return ReviewQuestion{}, err
			}
			q := &r.st.Questions[i]
			q.Controls, q.Owner, q.Status = ctrls, owner, custreview.StatusRouted
			r.ask(i)
			return *q, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req MapQuestionRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if err := custreview.MayTriage(&r.in.Spec, by); err != nil {
				return err
			}
			i := r.find(req.QuestionID)
			switch {
			case i < 0:
				return fmt.Errorf("review %s has no question %q", r.in.ReviewID, req.QuestionID)
			case r.deciding[req.QuestionID]:
				return fmt.Errorf("question %s is being decided by another request; look again in a moment", req.QuestionID)
			case r.st.Questions[i].Status != custreview.StatusUnmapped:
				return fmt.Errorf("question %s is already routed to %s", req.QuestionID, r.st.Questions[i].Owner)
			}
			if ctrls, _ := r.resolve(req.Ref); len(ctrls) == 0 {
				return fmt.Errorf("%q names no control of this engagement and no requirement its controls cover", req.Ref)
			}
			return nil
		}})
	if err != nil {
		return fmt.Errorf("register %s update: %w", UpdateMapQuestion, err)
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateApproveAnswer,
		func(ctx workflow.Context, req ApproveAnswerRequest) (ReviewQuestion, error) {
			by, _ := recordedAs(req.Actor, "", "")
			i := r.find(req.QuestionID)
			if r.st.Questions[i].Status != custreview.StatusAnswered {
				return r.st.Questions[i], nil // delivered twice: the first approved it
			}
			r.deciding[req.QuestionID] = true
			defer delete(r.deciding, req.QuestionID)
			if err := r.change(ctx, custreview.Change{QuestionID: req.QuestionID, ApprovedBy: by, Key: workflow.GetCurrentUpdateInfo(ctx).ID}); err != nil {
				return ReviewQuestion{}, err
			}
			q := &r.st.Questions[i]
			q.Status, q.ApprovedBy = custreview.StatusApproved, by
			return *q, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ApproveAnswerRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if err := custreview.MayTriage(&r.in.Spec, by); err != nil {
				return err
			}
			i := r.find(req.QuestionID)
			switch {
			case i < 0:
				return fmt.Errorf("review %s has no question %q", r.in.ReviewID, req.QuestionID)
			case r.deciding[req.QuestionID]:
				return fmt.Errorf("question %s is being decided by another request; look again in a moment", req.QuestionID)
			case r.st.Questions[i].Status == custreview.StatusApproved:
				return fmt.Errorf("question %s's answer is already approved", req.QuestionID)
			case r.st.Questions[i].Status != custreview.StatusAnswered:
				return fmt.Errorf("question %s has no answer to approve (it is %s)", req.QuestionID, r.st.Questions[i].Status)
			}
			return nil
		}})
	if err != nil {
		return fmt.Errorf("register %s update: %w", UpdateApproveAnswer, err)
	}
	return r.registerReturn(ctx)
}

// registerReturn sets the lead's return of an answer to its owner: the
// return is recorded with its reason, and the owner asked again in the
// next round's prompt, which records their new answer (or its expiry) as
// the first did.
func (r *reviewRun) registerReturn(ctx workflow.Context) error {
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateReturnAnswer,
		func(ctx workflow.Context, req ReturnAnswerRequest) (ReviewQuestion, error) {
			by, _ := recordedAs(req.Actor, "", "")
			i := r.find(req.QuestionID)
			if r.st.Questions[i].Status != custreview.StatusAnswered {
				return r.st.Questions[i], nil // delivered twice: the first returned it
			}
			r.deciding[req.QuestionID] = true
			defer delete(r.deciding, req.QuestionID)
			reason := strings.TrimSpace(req.Reason)
			if err := r.change(ctx, custreview.Change{QuestionID: req.QuestionID, Returned: &custreview.Return{Reason: reason, By: by},
				Key: workflow.GetCurrentUpdateInfo(ctx).ID}); err != nil {
				return ReviewQuestion{}, err
			}
			q := &r.st.Questions[i]
			q.Status, q.ReturnedReason, q.ReturnedBy, q.Returns = custreview.StatusReturned, reason, by, q.Returns+1
			r.ask(i)
			return *q, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ReturnAnswerRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			i := r.find(req.QuestionID)
			if i < 0 || r.deciding[req.QuestionID] {
				// Who may is said first, whatever the question.
				if err := custreview.MayTriage(&r.in.Spec, by); err != nil {
					return err
				}
				if i < 0 {
					return fmt.Errorf("review %s has no question %q", r.in.ReviewID, req.QuestionID)
				}
				return fmt.Errorf("question %s is being decided by another request; look again in a moment", req.QuestionID)
			}
			return custreview.CheckReturn(&r.in.Spec, by, req.QuestionID, r.st.Questions[i].Status, req.Reason)
		}})
	if err != nil {
		return fmt.Errorf("register %s update: %w", UpdateReturnAnswer, err)
	}
	return nil
}

// resolve maps a reference to its controls and owner.
func (r *reviewRun) resolve(ref string) ([]string, string) {
	lib := catalog.Default()            //workflowcheck:ignore the embedded library is loaded once and never changes
	app, err := lib.ForSpec(&r.in.Spec) //workflowcheck:ignore its map iteration only orders what callers sort; the controls found are the same on every run
	if err != nil {
		return nil, ""
	}
	return custreview.OwnerOf(&r.in.Spec, app, lib, ref)
}
