package main

import (
	"context"

	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/workflows"
)

// engagements is the starter's handle on running engagements for the
// integration tests: the same service calls the commands make, on a
// client the test already holds.
type engagements struct {
	tc        client.Client
	taskQueue string
}

func (e *engagements) service() *engagement.Service {
	return &engagement.Service{Temporal: e.tc, TaskQueue: e.taskQueue}
}

// start starts the engagement workflow for a parsed spec.
func (e *engagements) start(ctx context.Context, spec *compliance.Spec, by string) (client.WorkflowRun, error) {
	res, err := e.service().Start(ctx, engagement.StartRequest{Spec: spec, Actor: cliActor(by)})
	return res.Run, err
}

// status asks the engagement workflow for its status.
func (e *engagements) status(ctx context.Context, id string) (workflows.EngagementStatus, error) {
	return e.service().Status(ctx, engagement.StatusRequest{EngagementID: id})
}

// decideScope decides the scope as the CLI does.
func (e *engagements) decideScope(ctx context.Context, id string, req workflows.DecideScopeRequest) (workflows.ScopeDecision, error) {
	actor := req.Actor
	if actor.Person == "" {
		actor = cliActor(req.By) // a test that names only By acts through the CLI
	}
	return e.service().DecideScope(ctx, engagement.DecideScopeRequest{EngagementID: id, Decision: req.Decision, Reason: req.Reason,
		Revision: req.Revision, Actor: actor})
}

// reviseScope sends a revised spec as the CLI does.
func (e *engagements) reviseScope(ctx context.Context, id string, spec *compliance.Spec, by string) (workflows.ReviseScopeResult, error) {
	return e.service().ReviseScope(ctx, engagement.ReviseScopeRequest{EngagementID: id, Spec: spec, Actor: cliActor(by)})
}
