package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// ImportCustomerReviewRequest is a customer's questionnaire, already read
// from its file (internal/questionnaire).
type ImportCustomerReviewRequest struct {
	Customer  string
	Due       compliance.Date
	Format    string
	FileName  string
	Questions []custreview.Question
	Actor     compliance.Actor `json:",omitzero"`
}

// ActorOf names who imports it, for the identity interceptor.
func (r ImportCustomerReviewRequest) ActorOf() compliance.Actor { return r.Actor }

// ImportCustomerReviewResult says where the questions went.
type ImportCustomerReviewResult struct {
	ReviewID   string
	WorkflowID string
	Routed     int
	Unmapped   []string
}

// registerImportCustomerReview lets the people who run the engagement
// import a customer's questionnaire; the review then runs as a workflow of
// its own (CustomerReview). Registering a handler adds no command, so
// earlier histories replay unchanged.
func registerImportCustomerReview(ctx workflow.Context, st *EngagementState) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, UpdateImportCustomerReview,
		func(ctx workflow.Context, req ImportCustomerReviewRequest) (ImportCustomerReviewResult, error) {
			by, _ := recordedAs(req.Actor, "", "")
			reviewID := custreview.ReviewID(req.Customer, req.Due)
			var imp activities.ImportCustomerReviewResult
			err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.ImportCustomerReview, activities.ImportCustomerReviewInput{
				EngagementID: st.EngagementID, ReviewID: reviewID, Customer: req.Customer, Due: req.Due, Format: req.Format,
				FileName: req.FileName, Spec: st.Spec, Questions: req.Questions, By: by, At: workflow.Now(ctx),
			}).Get(ctx, &imp)
			if err != nil {
				return ImportCustomerReviewResult{}, err
			}
			id := CustomerReviewWorkflowID(st.EngagementID, reviewID)
			cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
				WorkflowID: id, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
				ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
			})
			due := time.Date(req.Due.Year, req.Due.Month, req.Due.Day, 17, 0, 0, 0, time.UTC)
			child := workflow.ExecuteChildWorkflow(cctx, CustomerReviewWorkflowName, CustomerReviewInput{
				EngagementID: st.EngagementID, ReviewID: reviewID, Customer: req.Customer, Due: due, Spec: st.Spec, Questions: imp.Routed,
			})
			if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
				return ImportCustomerReviewResult{}, fmt.Errorf("start customer review %s: %w", reviewID, err)
			}
			res := ImportCustomerReviewResult{ReviewID: reviewID, WorkflowID: id}
			for _, q := range imp.Routed {
				if q.Unmapped() {
					res.Unmapped = append(res.Unmapped, q.ID)
				} else {
					res.Routed++
				}
			}
			return res, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ImportCustomerReviewRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			if err := custreview.MayImport(&st.Spec, by); err != nil {
				return err
			}
			if req.Format != "csv" && req.Format != "xlsx" {
				return fmt.Errorf("format %q: want csv or xlsx", req.Format)
			}
			return custreview.CheckImport(req.Customer, req.Due, compliance.DateOf(workflow.Now(ctx)), req.Questions)
		}})
}
