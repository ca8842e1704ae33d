package workflows

import (
	"encoding/json"
	"fmt"
	"time"
)

// Before the test hooks moved into TestHooks, the children's inputs carried
// them as fields of their own. Histories recorded then (committed under
// testdata/histories, and any run still open) hold those fields in their
// inputs, and a replay must take the same path they took, so each input
// still decodes them into its Test hooks. Nothing encodes them any more.

// legacyOperatingHooks are OperatingInput's old fields.
type legacyOperatingHooks struct {
	TestTick           time.Duration
	Controls           []string
	ContinueAsNewEvery int
}

// UnmarshalJSON decodes an OperatingInput, old fields included.
func (in *OperatingInput) UnmarshalJSON(b []byte) error {
	type plain OperatingInput
	var old legacyOperatingHooks
	if err := decodeWithLegacy(b, (*plain)(in), &old); err != nil {
		return fmt.Errorf("decode operating input: %w", err)
	}
	if in.Test == nil {
		in.Test = TestHooks{OperatingTick: old.TestTick, OperatingControls: old.Controls, OperatingContinueAsNewEvery: old.ContinueAsNewEvery}.forOperating()
	}
	return nil
}

// legacyProgrammeHooks are ProgrammeInput's old fields.
type legacyProgrammeHooks struct {
	ForceContinueAsNew bool
	OperatingControls  []string
}

// UnmarshalJSON decodes a ProgrammeInput, old fields included.
func (in *ProgrammeInput) UnmarshalJSON(b []byte) error {
	type plain ProgrammeInput
	var old legacyProgrammeHooks
	if err := decodeWithLegacy(b, (*plain)(in), &old); err != nil {
		return fmt.Errorf("decode programme input: %w", err)
	}
	if in.Test == nil {
		in.Test = TestHooks{ProgrammeOneCycle: old.ForceContinueAsNew, OperatingControls: old.OperatingControls}.forProgramme()
	}
	return nil
}

// legacyRemediationHooks are RemediationInput's old fields.
type legacyRemediationHooks struct {
	PollEvery time.Duration
}

// UnmarshalJSON decodes a RemediationInput, old fields included.
func (in *RemediationInput) UnmarshalJSON(b []byte) error {
	type plain RemediationInput
	var old legacyRemediationHooks
	if err := decodeWithLegacy(b, (*plain)(in), &old); err != nil {
		return fmt.Errorf("decode remediation input: %w", err)
	}
	if in.Test == nil {
		in.Test = TestHooks{JiraPollEvery: old.PollEvery}.forRemediation()
	}
	return nil
}

// decodeWithLegacy decodes b into the input and, separately, its old
// fields.
func decodeWithLegacy(b []byte, in, old any) error {
	if err := json.Unmarshal(b, in); err != nil {
		return err
	}
	return json.Unmarshal(b, old)
}
