// Package engagement is Steadfast's service layer: every use case an
// interface offers (the CLI today, the worker's HTTP handlers and the web
// next) is one method on Service, taking one request struct and returning
// one result struct. A method validates its request, checks compliance's
// named rule early only to give a better message (the workflow's update
// validator enforces the same rule, with the same words, for any client),
// and composes calls to Temporal and the Postgres record. Interfaces stay
// thin: they parse their input, build the caller's compliance.Actor from
// the path that authenticated it, call a method and present its result.
package engagement

import (
	"context"
	"errors"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// Service holds what the use cases compose. A method that needs a part
// the caller did not provide says so (ErrNoTemporal, ErrNoStore), so a
// read of the record works without Temporal and a query without Postgres.
type Service struct {
	Temporal client.Client
	Store    *postgres.Store
	// TaskQueue is where engagements are started.
	TaskQueue string
	// Now is the clock (nil: time.Now).
	Now func() time.Time
	// Blobs stores evidence files (nil: the store the environment names,
	// see blob.FromEnv, opened when first needed).
	Blobs blob.Store
}

// Errors for a Service missing the part a use case needs.
var (
	ErrNoTemporal = errors.New("this needs Temporal (TEMPORAL_ADDRESS)")
	ErrNoStore    = errors.New("this needs the Postgres record (DATABASE_URL)")
)

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) temporal() (client.Client, error) {
	if s.Temporal == nil {
		return nil, ErrNoTemporal
	}
	return s.Temporal, nil
}

func (s *Service) store() (*postgres.Store, error) {
	if s.Store == nil {
		return nil, ErrNoStore
	}
	return s.Store, nil
}

// spec reads the engagement's current spec and plan from the record.
func (s *Service) spec(ctx context.Context, id string) (*compliance.Spec, compliance.Plan, error) {
	st, err := s.store()
	if err != nil {
		return nil, compliance.Plan{}, err
	}
	spec, plan, err := st.SpecAndPlan(ctx, id)
	if errors.Is(err, postgres.ErrNotFound) {
		return nil, compliance.Plan{}, noSuchEngagement(id)
	}
	if err != nil {
		return nil, compliance.Plan{}, err
	}
	return &spec, plan, nil
}

// checkActor refuses an actor no path could have produced, before asking
// anyone else.
func checkActor(a compliance.Actor) error { return a.CheckShape() }

// update sends one update and waits for its result. Validator refusals come
// back in the validator's words.
func (s *Service) update(ctx context.Context, engagementID, workflowID, name, updateID string, req, out any) error {
	return s.explain(ctx, engagementID, workflowID, s.send(ctx, workflowID, name, updateID, req, out))
}

// send is update with Temporal's errors as they are.
func (s *Service) send(ctx context.Context, workflowID, name, updateID string, req, out any) error {
	tc, err := s.temporal()
	if err != nil {
		return err
	}
	h, err := tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflowID, UpdateName: name, UpdateID: updateID, Args: []any{req},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err != nil {
		return err
	}
	return h.Get(ctx, out)
}

// query asks a workflow a query.
func (s *Service) query(ctx context.Context, engagementID, workflowID, name string, out any) error {
	tc, err := s.temporal()
	if err != nil {
		return err
	}
	resp, err := tc.QueryWorkflow(ctx, workflowID, "", name)
	if err != nil {
		return s.explain(ctx, engagementID, workflowID, err)
	}
	return resp.Get(out)
}

// engagementWorkflow is where engagement-level updates go.
func engagementWorkflow(id string) string { return workflows.EngagementWorkflowID(id) }
