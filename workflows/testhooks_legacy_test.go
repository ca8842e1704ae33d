package workflows

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
)

// TestChildInputsDecodeTheirOldHooks: inputs recorded before the test
// hooks moved into TestHooks (the committed histories hold them) decode
// into Test, so a replay takes the path the run took; new inputs carry
// only Test, and none at all in production.
func TestChildInputsDecodeTheirOldHooks(t *testing.T) {
	dc := converter.GetDefaultDataConverter()
	decode := func(raw string, into any) {
		t.Helper()
		p, err := dc.ToPayload(json.RawMessage(raw))
		require.NoError(t, err)
		require.NoError(t, dc.FromPayload(p, into))
	}

	var op OperatingInput
	decode(`{"EngagementID":"brightlane","Asked":4,"ContinueAsNewEvery":3,"TestTick":8000000000,"Controls":["ACC-08","OPS-01"]}`, &op)
	assert.Equal(t, "brightlane", op.EngagementID)
	assert.Equal(t, 4, op.Asked)
	require.NotNil(t, op.Test)
	assert.Equal(t, TestHooks{OperatingTick: 8 * time.Second, OperatingControls: []string{"ACC-08", "OPS-01"}, OperatingContinueAsNewEvery: 3}, *op.Test)

	var pr ProgrammeInput
	decode(`{"EngagementID":"brightlane","Cycle":1,"ForceContinueAsNew":true,"OperatingControls":["ACC-04"]}`, &pr)
	assert.Equal(t, 1, pr.Cycle)
	require.NotNil(t, pr.Test)
	assert.Equal(t, TestHooks{ProgrammeOneCycle: true, OperatingControls: []string{"ACC-04"}}, *pr.Test)

	var rem RemediationInput
	decode(`{"EngagementID":"brightlane","Revision":2,"PollEvery":50000000}`, &rem)
	assert.Equal(t, 2, rem.Revision)
	require.NotNil(t, rem.Test)
	assert.Equal(t, TestHooks{JiraPollEvery: 50 * time.Millisecond}, *rem.Test)

	// Production inputs, old or new, have no hooks.
	var prod OperatingInput
	decode(`{"EngagementID":"brightlane","ContinueAsNewEvery":0,"TestTick":0,"Controls":null}`, &prod)
	assert.Nil(t, prod.Test)
	for _, in := range []any{OperatingInput{EngagementID: "brightlane"}, ProgrammeInput{EngagementID: "brightlane"}, RemediationInput{EngagementID: "brightlane"}} {
		b, err := json.Marshal(in)
		require.NoError(t, err)
		var keys map[string]json.RawMessage
		require.NoError(t, json.Unmarshal(b, &keys))
		for _, old := range []string{"Test", "TestTick", "Controls", "ContinueAsNewEvery", "ForceContinueAsNew", "OperatingControls", "PollEvery"} {
			assert.NotContains(t, keys, old, "%T", in)
		}
	}

	// A new input round-trips through Test alone; Test wins over old fields.
	b, err := json.Marshal(OperatingInput{EngagementID: "brightlane", Test: &TestHooks{OperatingControls: []string{"CHG-01"}}})
	require.NoError(t, err)
	var back OperatingInput
	decode(string(b), &back)
	assert.Equal(t, &TestHooks{OperatingControls: []string{"CHG-01"}}, back.Test)
	var both OperatingInput
	decode(`{"Test":{"OperatingTick":1000000000},"TestTick":8000000000}`, &both)
	assert.Equal(t, &TestHooks{OperatingTick: time.Second}, both.Test)
}

// TestChildHooksCarryOnlyTheirPart: an engagement hands each child only
// the hooks it uses, and none in production.
func TestChildHooksCarryOnlyTheirPart(t *testing.T) {
	assert.Nil(t, TestHooks{}.forOperating())
	assert.Nil(t, TestHooks{}.forProgramme())
	assert.Nil(t, TestHooks{}.forRemediation())
	assert.Nil(t, TestHooks{ForceContinueAsNew: true, RunAge: time.Hour}.forOperating(), "engagement-only hooks stay with the engagement")
	h := TestHooks{ForceContinueAsNew: true, JiraPollEvery: time.Second, WithdrawRetry: time.Second, OperatingControls: []string{"ACC-08"}, OperatingTick: time.Minute, ProgrammeOneCycle: true}
	assert.Equal(t, &TestHooks{OperatingControls: []string{"ACC-08"}, OperatingTick: time.Minute}, h.forOperating())
	assert.Equal(t, &TestHooks{OperatingControls: []string{"ACC-08"}, ProgrammeOneCycle: true}, h.forProgramme())
	assert.Equal(t, &TestHooks{JiraPollEvery: time.Second, WithdrawRetry: time.Second}, h.forRemediation())
}
