package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// AllowReviewFilesRequest is the lead letting one review's export carry
// the evidence files.
type AllowReviewFilesRequest struct {
	ReviewID string
	Actor    compliance.Actor `json:",omitzero"`
}

// ActorOf names who decides, for the identity interceptor.
func (r AllowReviewFilesRequest) ActorOf() compliance.Actor { return r.Actor }

// registerAllowReviewFiles takes the decision on the engagement, which
// outlives every review: a review's workflow ends once its answers are
// approved, and the export comes after. The validator applies
// custreview.MayAllowFiles; the activity records the decision once and
// refuses a review the engagement does not have. Registering a handler
// adds no command: earlier histories replay.
func registerAllowReviewFiles(ctx workflow.Context, st *EngagementState) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateAllowReviewFiles,
		func(ctx workflow.Context, req AllowReviewFilesRequest) (custreview.FilesAllowance, error) {
			by, _ := recordedAs(req.Actor, "", "")
			var out custreview.FilesAllowance
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.AllowReviewFiles, activities.AllowReviewFilesInput{
				EngagementID: st.EngagementID, ReviewID: req.ReviewID, By: by, At: workflow.Now(ctx),
				Key: workflow.GetCurrentUpdateInfo(ctx).ID}).Get(ctx, &out)
			return out, err
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req AllowReviewFilesRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if strings.TrimSpace(req.ReviewID) == "" {
				return fmt.Errorf("name the review whose export may carry files")
			}
			return custreview.MayAllowFiles(&st.Spec, by)
		}})
}
