package workflows

import (
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TestHooks shrink an engagement so tests can run its phases in seconds of
// skipped time. Production starts engagements without them (nil). They are
// carried in EngagementInput beside the state, never in EngagementState, so
// a status, a query or a continue-as-new never presents them as part of the
// engagement.
type TestHooks struct {
	// ForceContinueAsNew makes the engagement continue as new at the next
	// point where it may (a phase boundary, or a wait in a long phase),
	// once: the next run's hooks have it cleared.
	ForceContinueAsNew bool `json:",omitempty"`
	// JiraPollEvery replaces DefaultJiraPoll in remediation.
	JiraPollEvery time.Duration `json:",omitempty"`
	// StopAt ends the workflow when the engagement reaches this phase.
	StopAt compliance.Phase `json:",omitempty"`
	// OperatingControls limits the evidence cadence (operating window and
	// programme) to these controls.
	OperatingControls []string `json:",omitempty"`
	// OperatingTick replaces the calendar with one occurrence per control
	// every tick (see OperatingInput.TestTick).
	OperatingTick time.Duration `json:",omitempty"`
	// ProgrammeOneCycle makes each programme cycle continue as new at once
	// (see ProgrammeInput.ForceContinueAsNew).
	ProgrammeOneCycle bool `json:",omitempty"`
	// RunAge replaces engagementRunAge, the age at which a run in a long
	// phase hands over to a new one.
	RunAge time.Duration `json:",omitempty"`
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
