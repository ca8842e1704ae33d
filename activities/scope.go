package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// AssessScopeInput is a spec revision to plan and check.
type AssessScopeInput struct {
	Spec compliance.Spec
	// Now is the workflow's clock, so the plan is the same on every retry.
	Now time.Time
}

// AssessScopeResult is the plan worked back from the audit date and the
// scope risks it and the spec raise.
type AssessScopeResult struct {
	Plan  compliance.Plan
	Risks []compliance.ScopeRisk
}

// AssessScope runs the planner and the scope-risk rules. It is an activity,
// not workflow code, because planning loads the client's time zone, and
// zone data may change between worker deploys.
func (a *Activities) AssessScope(_ context.Context, in AssessScopeInput) (AssessScopeResult, error) {
	plan, err := compliance.PlanEngagement(&in.Spec, in.Now)
	if err != nil {
		return AssessScopeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("assess scope of %s: %w", in.Spec.ID, err))
	}
	// catalog.AssessScope adds what only the library can tell: a
	// requirement the spec's tailoring leaves without a control.
	risks, err := catalog.AssessScope(&in.Spec, plan)
	if err != nil {
		return AssessScopeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("assess scope of %s: %w", in.Spec.ID, err))
	}
	return AssessScopeResult{Plan: plan, Risks: risks}, nil
}

// RecordScopeInput is one assessed revision to store.
type RecordScopeInput struct {
	WorkflowID string
	Revision   int
	Spec       compliance.Spec
	Plan       compliance.Plan
	Risks      []compliance.ScopeRisk
	Phase      compliance.Phase
	By         string
	At         time.Time
}

// RecordScopeResult is empty: success means every row is written.
type RecordScopeResult struct{}

// RecordScope upserts the engagement, its systems, people, plan and risks.
func (a *Activities) RecordScope(ctx context.Context, in RecordScopeInput) (RecordScopeResult, error) {
	err := a.Store.RecordScope(ctx, postgres.ScopeRecord{
		EngagementID: in.Spec.ID, WorkflowID: in.WorkflowID, Revision: in.Revision, Spec: in.Spec,
		Plan: in.Plan, Risks: in.Risks, Phase: in.Phase, RecordedBy: in.By, At: in.At,
	})
	if err != nil {
		return RecordScopeResult{}, classify(fmt.Errorf("record scope revision %d of %s: %w", in.Revision, in.Spec.ID, err))
	}
	return RecordScopeResult{}, nil
}

// RecordScopeDecisionInput is a lead's decision to store.
type RecordScopeDecisionInput struct {
	EngagementID string
	Revision     int
	Approved     bool
	By           string
	Reason       string
	Channel      string
	UpdateID     string
	At           time.Time
}

// RecordScopeDecisionResult is empty: success means the decision and its
// event are stored.
type RecordScopeDecisionResult struct{}

// RecordScopeDecision stores the decision and its event exactly once.
func (a *Activities) RecordScopeDecision(ctx context.Context, in RecordScopeDecisionInput) (RecordScopeDecisionResult, error) {
	err := a.Store.RecordDecision(ctx, postgres.Decision{
		EngagementID: in.EngagementID, Revision: in.Revision, Approved: in.Approved, By: in.By,
		Reason: in.Reason, Channel: in.Channel, UpdateID: in.UpdateID, At: in.At,
	})
	if err != nil {
		return RecordScopeDecisionResult{}, classify(fmt.Errorf("record scope decision for %s: %w", in.EngagementID, err))
	}
	return RecordScopeDecisionResult{}, nil
}

// RecordEventInput is an event for the engagement log.
type RecordEventInput struct {
	EngagementID string
	Key          string
	Kind         string
	Actor        string
	Channel      string
	Detail       map[string]any
	At           time.Time
}

// RecordEventResult is empty.
type RecordEventResult struct{}

// RecordEvent appends to the engagement's log once per key.
func (a *Activities) RecordEvent(ctx context.Context, in RecordEventInput) (RecordEventResult, error) {
	err := a.Store.AppendEvent(ctx, postgres.Event{
		EngagementID: in.EngagementID, Key: in.Key, Kind: in.Kind, Actor: in.Actor,
		Channel: in.Channel, Detail: in.Detail, At: in.At,
	})
	if err != nil {
		return RecordEventResult{}, fmt.Errorf("record %s event for %s: %w", in.Kind, in.EngagementID, err)
	}
	return RecordEventResult{}, nil
}

// RecordPhaseInput moves an engagement to a phase.
type RecordPhaseInput struct {
	EngagementID string
	Phase        compliance.Phase
	Revision     int
	By           string
	At           time.Time
}

// RecordPhaseResult is empty.
type RecordPhaseResult struct{}

// RecordPhase stores the engagement's phase and logs the change once.
func (a *Activities) RecordPhase(ctx context.Context, in RecordPhaseInput) (RecordPhaseResult, error) {
	err := a.Store.RecordPhase(ctx, postgres.PhaseChange{
		EngagementID: in.EngagementID, Phase: in.Phase, Revision: in.Revision, Actor: in.By, At: in.At,
	})
	if err != nil {
		return RecordPhaseResult{}, fmt.Errorf("record phase %s of %s: %w", in.Phase, in.EngagementID, err)
	}
	return RecordPhaseResult{}, nil
}
