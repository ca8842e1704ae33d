package workflows

import (
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/identity"
)

// testActorKey is the key the tests' worker verifies attestations with, as
// STEADFAST_ACTOR_KEY is for the real one.
var testActorKey = []byte("test-actor-key-0123456789abcdef-0123456789")

// testWorkflowID is the ID the test environment gives the workflow it runs.
const testWorkflowID = "default-test-workflow-id"

// withIdentity registers the identity interceptor, as the worker does.
func withIdentity(env *testsuite.TestWorkflowEnvironment) *testsuite.TestWorkflowEnvironment {
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{identity.NewInterceptor(testActorKey)}})
	return env
}

// cli is a person acting through the CLI, run by an operator.
func cli(person string) compliance.Actor {
	return compliance.Actor{Person: person, Channel: compliance.ChannelCLI, Operator: "ops-test"}
}

// slackAs is a person the Slack handler authenticated, attested for one
// update of one workflow.
func slackAs(workflowID, updateID, person string) compliance.Actor {
	return identity.SlackActor(testActorKey, workflowID, updateID, person)
}
