package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// ReconfirmAnswerRequest is an owner re-confirming an unsettled library
// answer (Answer and Evidence, when set, rewrite it), or the lead approving
// it back into the library (Approve).
type ReconfirmAnswerRequest struct {
	ReviewID   string
	QuestionID string
	Approve    bool
	Answer     string
	Evidence   string
	Actor      compliance.Actor `json:",omitzero"`
}

// ActorOf names who acts, for the identity interceptor.
func (r ReconfirmAnswerRequest) ActorOf() compliance.Actor { return r.Actor }

// registerReconfirmAnswer lets owners re-confirm and the lead re-approve
// library answers on the engagement, which outlives every review (a
// review's workflow ends once its answers are approved). The validator
// checks who acts; the answer's own owner and standing are checked by
// custreview.CheckReconfirm/CheckReapprove against the row, in the
// activity's transaction, and a refusal fails the update the same way for
// any client. Registering a handler adds no command: histories replay.
func registerReconfirmAnswer(ctx workflow.Context, st *EngagementState) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateReconfirmAnswer,
		func(ctx workflow.Context, req ReconfirmAnswerRequest) (postgres.CustomerQuestion, error) {
			by, _ := recordedAs(req.Actor, "", "")
			var out postgres.CustomerQuestion
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.StepAnswer, activities.StepAnswerInput{
				Step: postgres.LibraryStep{EngagementID: st.EngagementID, ReviewID: req.ReviewID, QuestionID: req.QuestionID, By: by,
					Approve: req.Approve, Rewrite: req.Answer, Evidence: req.Evidence, Spec: &st.Spec, At: workflow.Now(ctx),
					Key: workflow.GetCurrentUpdateInfo(ctx).ID}}).Get(ctx, &out)
			return out, err
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ReconfirmAnswerRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if req.Approve {
				return custreview.MayTriage(&st.Spec, by)
			}
			return custreview.MayReconfirm(&st.Spec, by)
		}})
}
