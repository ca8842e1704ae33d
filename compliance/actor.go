package compliance

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Actor is who did something and through which path, as that path
// authenticated it. It travels inside every Update that changes an
// engagement. A path that authenticates people itself (the Slack handler
// after checking Slack's signature, the web after its session check) proves
// the channel with an attestation a plain Temporal client cannot produce;
// the CLI, like any client holding Temporal credentials, is an operator
// acting for someone and is recorded as exactly that.
type Actor struct {
	// Person is the email of the person in the spec the action is recorded
	// for (lowercase).
	Person string `json:"person"`
	// Channel is the path that authenticated the person: cli, slack, web.
	Channel string `json:"channel"`
	// Operator is who typed the command when Channel is cli: the OS user or
	// the operator name from configuration. Empty for slack and web.
	Operator string `json:"operator,omitempty"`
	// Proof attests Person and Channel for one update of one workflow
	// (slack and web only); see Attest.
	Proof string `json:"proof,omitempty"`
}

// ErrUnattested means an actor claims a channel that authenticates people
// (slack, web) without that path's attestation.
var ErrUnattested = errors.New("only Steadfast's own Slack and web paths can act through them")

// attestedChannels are the channels whose identity a path proves.
var attestedChannels = map[string]bool{ChannelSlack: true, ChannelWeb: true}

// CheckShape refuses an actor no path could have produced: no person, an
// unknown channel, or the workflow channel (only workflows act as it).
func (a Actor) CheckShape() error {
	switch {
	case strings.TrimSpace(a.Person) == "":
		return errors.New("say who is acting (--as EMAIL)")
	case a.Channel == ChannelCLI:
		if strings.TrimSpace(a.Operator) == "" {
			return errors.New("a command from the CLI needs its operator (the OS user, or set STEADFAST_OPERATOR)")
		}
		return nil
	case attestedChannels[a.Channel]:
		return nil
	default:
		return fmt.Errorf("channel %q cannot act on an engagement (cli, slack or web)", a.Channel)
	}
}

// Attest returns the proof that the path holding key authenticated a.Person
// through a.Channel for update updateID of workflow workflowID. The proof
// binds both IDs, so a proof read from history cannot be replayed onto
// another update.
func Attest(key []byte, workflowID, updateID string, a Actor) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "steadfast-actor-v1\n%s\n%s\n%s\n%s", workflowID, updateID, a.Channel, strings.ToLower(a.Person))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyAttestation checks a's proof for that update. A cli actor needs no
// proof; slack and web need a valid one.
func VerifyAttestation(key []byte, workflowID, updateID string, a Actor) error {
	if err := a.CheckShape(); err != nil {
		return err
	}
	if !attestedChannels[a.Channel] {
		return nil
	}
	if len(key) == 0 || a.Proof == "" {
		return ErrUnattested
	}
	want := Attest(key, workflowID, updateID, a)
	if !hmac.Equal([]byte(want), []byte(a.Proof)) {
		return ErrUnattested
	}
	return nil
}

// Recorded is how the actor appears in the trail: the person, and for the
// CLI the operator who acted for them.
func (a Actor) Recorded() string {
	if a.Channel == ChannelCLI && a.Operator != "" && !strings.EqualFold(a.Operator, a.Person) {
		return fmt.Sprintf("%s (by operator %s)", strings.ToLower(a.Person), a.Operator)
	}
	return strings.ToLower(a.Person)
}
