package workflows

import (
	"strings"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/identity"
)

// Who acted comes from the request's compliance.Actor, which the worker's
// identity interceptor verified before any validator here runs (a slack or
// web actor needs its path's attestation; a cli actor names its operator).
// Validators call actingPerson first: it refuses when the interceptor did
// not run, so a worker built without it records no decision at all.
//
// Requests recorded before actors existed carry By and Channel instead.
// Validators never run on replay, so those fields are read only by handlers
// replaying such a history (recordedAs); a live request without an Actor is
// refused by the interceptor.

// actingPerson checks that the request's actor was verified and returns
// the person acting (lowercase).
func actingPerson(ctx workflow.Context, a compliance.Actor) (string, error) {
	if err := identity.Require(ctx, a); err != nil {
		return "", err
	}
	if err := a.CheckShape(); err != nil {
		return "", err
	}
	return strings.ToLower(strings.TrimSpace(a.Person)), nil
}

// recordedAs is who a request is recorded as and through which channel:
// its actor, or for a request from a history written before actors, its By
// and Channel.
func recordedAs(a compliance.Actor, by, channel string) (person, via string) {
	if strings.TrimSpace(a.Person) != "" {
		return strings.ToLower(strings.TrimSpace(a.Person)), a.Channel
	}
	return strings.ToLower(strings.TrimSpace(by)), channelOr(channel)
}

// ActorOf implements identity.Claimant for each request that decides
// something, so the interceptor finds and verifies its actor.
func (r AnswerPromptRequest) ActorOf() compliance.Actor   { return r.Actor }
func (r ReassignPromptRequest) ActorOf() compliance.Actor { return r.Actor }
func (r DecideScopeRequest) ActorOf() compliance.Actor    { return r.Actor }
func (r ReviseScopeRequest) ActorOf() compliance.Actor    { return r.Actor }
func (r CompleteGapRequest) ActorOf() compliance.Actor    { return r.Actor }
func (r AcceptGapRequest) ActorOf() compliance.Actor      { return r.Actor }
func (r CertifyRequest) ActorOf() compliance.Actor        { return r.Actor }
func (r RouteAuditRequest) ActorOf() compliance.Actor     { return r.Actor }
func (r AddSystemRequest) ActorOf() compliance.Actor      { return r.Actor }
func (r AddFrameworkRequest) ActorOf() compliance.Actor   { return r.Actor }
