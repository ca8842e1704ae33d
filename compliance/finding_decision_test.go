package compliance

import (
	"errors"
	"testing"
)

func TestCheckFindingDecision(t *testing.T) {
	for _, ok := range [][2]string{{FindingFix, ""}, {FindingAccept, "compensating control in place"}} {
		if err := CheckFindingDecision(ok[0], ok[1]); err != nil {
			t.Errorf("%v: %v", ok, err)
		}
	}
	for _, bad := range [][2]string{{FindingAccept, "  "}, {"ignore", "because"}, {"", ""}} {
		if err := CheckFindingDecision(bad[0], bad[1]); !errors.Is(err, ErrInvalidFindingDecision) {
			t.Errorf("%v: got %v, want ErrInvalidFindingDecision", bad, err)
		}
	}
}
