package workflows

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// Register registers every workflow under its stable name and the
// activities. The worker, the integration tests and the replayer all call it,
// so they can never disagree on names.
func Register(r worker.Registry, acts *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivityWithOptions(acts, activity.RegisterOptions{SkipInvalidStructFunctions: true})
}

// RegisterWorkflows registers only the workflows (enough for replay).
func RegisterWorkflows(r worker.WorkflowRegistry) {
	r.RegisterWorkflowWithOptions(EngagementWorkflow, workflow.RegisterOptions{Name: EngagementWorkflowName})
	r.RegisterWorkflowWithOptions(ScopingWorkflow, workflow.RegisterOptions{Name: ScopingWorkflowName})
	r.RegisterWorkflowWithOptions(PromptWorkflow, workflow.RegisterOptions{Name: PromptWorkflowName})
	r.RegisterWorkflowWithOptions(GapAssessmentWorkflow, workflow.RegisterOptions{Name: GapAssessmentWorkflowName})
	r.RegisterWorkflowWithOptions(RemediationWorkflow, workflow.RegisterOptions{Name: RemediationWorkflowName})
	r.RegisterWorkflowWithOptions(GapRemediationWorkflow, workflow.RegisterOptions{Name: GapRemediationWorkflowName})
	r.RegisterWorkflowWithOptions(OperatingWorkflow, workflow.RegisterOptions{Name: OperatingWorkflowName})
	r.RegisterWorkflowWithOptions(ReadinessWorkflow, workflow.RegisterOptions{Name: ReadinessWorkflowName})
	r.RegisterWorkflowWithOptions(ProgrammeWorkflow, workflow.RegisterOptions{Name: ProgrammeWorkflowName})
	r.RegisterWorkflowWithOptions(OwnerBatchWorkflow, workflow.RegisterOptions{Name: OwnerBatchWorkflowName})
	r.RegisterWorkflowWithOptions(SlackClickWorkflow, workflow.RegisterOptions{Name: SlackClickWorkflowName})
	r.RegisterWorkflowWithOptions(VendorWorkWorkflow, workflow.RegisterOptions{Name: VendorWorkWorkflowName})
	r.RegisterWorkflowWithOptions(ReportReadingWorkflow, workflow.RegisterOptions{Name: ReportReadingWorkflowName})
	r.RegisterWorkflowWithOptions(CustomerReviewWorkflow, workflow.RegisterOptions{Name: CustomerReviewWorkflowName})
}
