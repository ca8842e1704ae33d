package activities

import (
	"context"
	"fmt"
	"strings"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

// RunningRemediationsInput names an engagement and how the remediation
// workflows to list are known: their workflow types and the prefixes of
// their workflow IDs (the workflows package names both).
type RunningRemediationsInput struct {
	EngagementID  string
	WorkflowTypes []string
	IDPrefixes    []string
}

// RunningRemediationsResult lists the workflow IDs of the remediations
// still running, in the order Temporal lists them.
type RunningRemediationsResult struct {
	WorkflowIDs []string
	// Unavailable says the worker has no Temporal client to ask.
	Unavailable bool
}

// RunningRemediations lists, from Temporal's visibility store, the
// remediation workflows of an engagement (the round remediations and their
// gap workflows) that are still running, whichever workflow started them
// (the engagement or any cycle of its programme): each carries the
// Engagement search attribute from its start. The list is read, not
// remembered, so it holds across any number of continue-as-new runs and
// years of cycles.
func (a *Activities) RunningRemediations(ctx context.Context, in RunningRemediationsInput) (RunningRemediationsResult, error) {
	if a.Temporal == nil {
		return RunningRemediationsResult{Unavailable: true}, nil
	}
	if in.EngagementID == "" || len(in.WorkflowTypes) == 0 || len(in.IDPrefixes) == 0 {
		return RunningRemediationsResult{}, temporal.NewNonRetryableApplicationError("running remediations: engagement, workflow types and ID prefixes are required", ErrTypeBadInput, nil)
	}
	types := make([]string, len(in.WorkflowTypes))
	for i, wt := range in.WorkflowTypes {
		types[i] = quoteVisibility(wt)
	}
	query := fmt.Sprintf("%s = %s AND WorkflowType IN (%s) AND ExecutionStatus = 'Running'",
		searchattr.Engagement.GetName(), quoteVisibility(in.EngagementID), strings.Join(types, ", "))
	var res RunningRemediationsResult
	var token []byte
	for {
		resp, err := a.Temporal.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: query, NextPageToken: token})
		if err != nil {
			return RunningRemediationsResult{}, fmt.Errorf("list the running remediations of %s: %w", in.EngagementID, err)
		}
		for _, e := range resp.GetExecutions() {
			id := e.GetExecution().GetWorkflowId()
			for _, p := range in.IDPrefixes {
				if strings.HasPrefix(id, p) {
					res.WorkflowIDs = append(res.WorkflowIDs, id)
					break
				}
			}
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return res, nil
		}
	}
}

// quoteVisibility quotes a value for a visibility query: single quotes,
// with a quote or backslash inside escaped by a backslash.
func quoteVisibility(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
