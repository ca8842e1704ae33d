package workflows

import (
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TestHooks shrink an engagement so tests can run its phases in seconds of
// skipped time. Production starts engagements without them (nil). They are
// carried in EngagementInput beside the state, never in EngagementState, so
// a status, a query or a continue-as-new never presents them as part of the
// engagement; the children (remediation, operating scheduler, programme)
// get the part that concerns them as their input's Test, again nil in
// production. This is the one place test knobs live.
type TestHooks struct {
	// ForceContinueAsNew makes the engagement continue as new at the next
	// point where it may (a phase boundary, or a wait in a long phase),
	// once: the next run's hooks have it cleared.
	ForceContinueAsNew bool `json:",omitempty"`
	// JiraPollEvery replaces DefaultJiraPoll in remediation.
	JiraPollEvery time.Duration `json:",omitempty"`
	// GapClosedRecheck replaces gapClosedRecheck in remediation (how soon
	// a gap a signal named is looked at again).
	GapClosedRecheck time.Duration `json:",omitempty"`
	// WithdrawRetry replaces withdrawRetryFirst in remediation (how soon a
	// confirmed withdrawal whose item was not yet recorded is tried again;
	// it still doubles each try, up to withdrawRetryMax).
	WithdrawRetry time.Duration `json:",omitempty"`
	// StopAt ends the workflow when the engagement reaches this phase.
	StopAt compliance.Phase `json:",omitempty"`
	// OperatingControls limits the evidence cadence (operating window and
	// programme) to these controls.
	OperatingControls []string `json:",omitempty"`
	// OperatingTick replaces the calendar with one occurrence per control
	// every tick (see activities.NextOccurrencesInput.TestTick).
	OperatingTick time.Duration `json:",omitempty"`
	// ProgrammeOneCycle makes the programme's run continue as new at once,
	// once: its next run has it cleared.
	ProgrammeOneCycle bool `json:",omitempty"`
	// RunAge replaces engagementRunAge, the age at which a run in a long
	// phase hands over to a new one.
	RunAge time.Duration `json:",omitempty"`
	// OperatingContinueAsNewEvery makes the operating scheduler continue
	// as new after that many requests in one run (0 leaves it to
	// Temporal's suggestion).
	OperatingContinueAsNewEvery int `json:",omitempty"`
	// VendorBatchesPerRun replaces vendorBatchesPerRun, the batches one
	// vendor-work run takes before it continues as new.
	VendorBatchesPerRun int `json:",omitempty"`
	// VendorWork starts the engagement's vendor work in a test that
	// passes hooks; production (no hooks) always starts it. Opt-in because
	// the test environment waits for every abandoned child before it ends,
	// and vendor work never ends by itself.
	VendorWork bool `json:",omitempty"`
}

// The children's inputs (OperatingInput, ProgrammeInput, RemediationInput)
// carry the hooks that concern them as Test, nil in production; histories
// recorded before they did are still decoded (see testhooks_legacy.go).

// forRemediation is the part of the hooks remediation uses, nil if none.
func (h TestHooks) forRemediation() *TestHooks {
	if h.JiraPollEvery == 0 && h.GapClosedRecheck == 0 && h.WithdrawRetry == 0 {
		return nil
	}
	return &TestHooks{JiraPollEvery: h.JiraPollEvery, GapClosedRecheck: h.GapClosedRecheck, WithdrawRetry: h.WithdrawRetry}
}

// forOperating is the part of the hooks the operating scheduler uses, nil
// if none.
func (h TestHooks) forOperating() *TestHooks {
	if h.OperatingTick == 0 && len(h.OperatingControls) == 0 && h.OperatingContinueAsNewEvery == 0 {
		return nil
	}
	return &TestHooks{OperatingTick: h.OperatingTick, OperatingControls: h.OperatingControls, OperatingContinueAsNewEvery: h.OperatingContinueAsNewEvery}
}

// forProgramme is the part of the hooks the programme uses (and hands its
// cycles' schedulers), nil if none.
func (h TestHooks) forProgramme() *TestHooks {
	if !h.ProgrammeOneCycle && len(h.OperatingControls) == 0 {
		return nil
	}
	return &TestHooks{ProgrammeOneCycle: h.ProgrammeOneCycle, OperatingControls: h.OperatingControls}
}

// value is the hooks behind a child input's pointer, the zero hooks in
// production.
func (h *TestHooks) value() TestHooks {
	if h == nil {
		return TestHooks{}
	}
	return *h
}

// hooksOf returns the hooks of an input, the zero hooks in production.
func hooksOf(in EngagementInput) TestHooks {
	if in.Test == nil {
		return TestHooks{}
	}
	return *in.Test
}

// forNextRun is what the next run gets: everything but the one-off
// ForceContinueAsNew.
func (h *TestHooks) forNextRun() *TestHooks {
	if h == nil {
		return nil
	}
	next := *h
	next.ForceContinueAsNew = false
	return &next
}
