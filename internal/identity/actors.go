package identity

import (
	"os"
	"os/user"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// CLIActor is the CLI's actor: the operator at the keyboard (the
// STEADFAST_OPERATOR setting, else the OS user) acting for the person named
// with --as. The CLI holds Temporal credentials, so it is trusted as an
// operator and recorded as one, never as the person's own Slack or web
// session.
func CLIActor(as string) compliance.Actor {
	return compliance.Actor{Person: strings.ToLower(strings.TrimSpace(as)), Channel: compliance.ChannelCLI, Operator: Operator()}
}

// Operator names who runs the CLI: STEADFAST_OPERATOR, else the OS user.
func Operator() string {
	if op := strings.TrimSpace(os.Getenv("STEADFAST_OPERATOR")); op != "" {
		return op
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if u := strings.TrimSpace(os.Getenv("USER")); u != "" {
		return u
	}
	return ""
}

// SlackActor is a person the Slack handler found from a signed Slack
// request, attested for one update of one workflow with the key the worker
// verifies.
func SlackActor(key []byte, workflowID, updateID, person string) compliance.Actor {
	return attested(key, workflowID, updateID, compliance.Actor{Person: strings.ToLower(strings.TrimSpace(person)), Channel: compliance.ChannelSlack})
}

// WebActor is a person the web authenticated (a session), attested the
// same way.
func WebActor(key []byte, workflowID, updateID, person string) compliance.Actor {
	return attested(key, workflowID, updateID, WebPerson(person))
}

// WebPerson is a person the web authenticated, not yet attested: the
// service attests it (its request's Sign, which calls WebActor) once it
// knows the workflow and update it goes to.
func WebPerson(person string) compliance.Actor {
	return compliance.Actor{Person: strings.ToLower(strings.TrimSpace(person)), Channel: compliance.ChannelWeb}
}

func attested(key []byte, workflowID, updateID string, a compliance.Actor) compliance.Actor {
	a.Proof = compliance.Attest(key, workflowID, updateID, a)
	return a
}
