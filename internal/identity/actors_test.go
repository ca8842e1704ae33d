package identity

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/compliance"
)

func TestCLIActorNamesItsOperator(t *testing.T) {
	t.Setenv("STEADFAST_OPERATOR", "ops-7")
	a := CLIActor(" Maya@Brightlane.io ")
	assert.Equal(t, compliance.Actor{Person: "maya@brightlane.io", Channel: compliance.ChannelCLI, Operator: "ops-7"}, a)
	assert.NoError(t, compliance.VerifyAttestation(nil, "w", "u", a), "a CLI actor needs no attestation")
	assert.Equal(t, "maya@brightlane.io (by operator ops-7)", a.Recorded())

	t.Setenv("STEADFAST_OPERATOR", "")
	assert.NotEmpty(t, CLIActor("maya@brightlane.io").Operator, "the OS user when no operator is configured")
}

func TestSlackActorIsBoundToItsUpdate(t *testing.T) {
	key := []byte("k-0123456789abcdef-0123456789abcdef")
	a := SlackActor(key, "prompt/x/y", "slack/D1", "priya@brightlane.io")
	assert.NoError(t, compliance.VerifyAttestation(key, "prompt/x/y", "slack/D1", a))
	assert.ErrorIs(t, compliance.VerifyAttestation(key, "prompt/x/y", "slack/D2", a), compliance.ErrUnattested, "another update")
	assert.ErrorIs(t, compliance.VerifyAttestation(key, "prompt/x/z", "slack/D1", a), compliance.ErrUnattested, "another workflow")
	assert.ErrorIs(t, compliance.VerifyAttestation(nil, "prompt/x/y", "slack/D1", a), compliance.ErrUnattested, "a worker without the key")
	web := WebActor(key, "prompt/x/y", "slack/D1", "priya@brightlane.io")
	assert.NotEqual(t, a.Proof, web.Proof, "a Slack proof is not a web proof")
}
