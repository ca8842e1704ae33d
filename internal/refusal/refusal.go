// Package refusal words an error for the person who caused it: the
// sentence a rule said (a validator's refusal, a store's), on one line,
// without what Temporal and gRPC add to it on the way (failure types,
// retry flags, event IDs, worker identities, status codes). The CLI, the
// web and Slack all show a refusal through it, so a person reads the same
// words whichever way they came in.
package refusal

import (
	"regexp"
	"strings"
)

// internalDetail is the wording Temporal and gRPC add to a message.
var internalDetail = []*regexp.Regexp{
	regexp.MustCompile(` \(type: [^,()]*, retryable: (true|false)\)`),
	regexp.MustCompile(`(activity|workflow execution|child workflow execution) error \([^()]*\): `),
	regexp.MustCompile(`rpc error: code = \w+ desc = `),
}

// Clean strips what Temporal and gRPC add from a message.
func Clean(msg string) string {
	for _, re := range internalDetail {
		msg = re.ReplaceAllString(msg, "")
	}
	return msg
}

// Words is err as its reader should see it: cleaned, on one line.
func Words(err error) string {
	if err == nil {
		return ""
	}
	return strings.Join(strings.Fields(Clean(err.Error())), " ")
}
