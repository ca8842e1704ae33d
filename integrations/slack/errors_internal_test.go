package slack

import (
	"fmt"
	"testing"

	goslack "github.com/slack-go/slack"
)

// permanentCodes is the documented list of codes a retry cannot fix; this pins
// it against IsPermanent so a code later added to transientCodes (or a change
// to IsPermanent) that makes one of them retried is noticed.
func TestPermanentCodesArePermanent(t *testing.T) {
	for code, why := range permanentCodes {
		if transientCodes[code] {
			t.Errorf("%s is listed as both permanent (%s) and transient", code, why)
		}
		err := fmt.Errorf("chat.postMessage: %w", goslack.SlackErrorResponse{Err: code})
		if !IsPermanent(err) {
			t.Errorf("%s (%s) is not treated as permanent", code, why)
		}
	}
	for code := range transientCodes {
		if IsPermanent(goslack.SlackErrorResponse{Err: code}) {
			t.Errorf("%s is transient but treated as permanent", code)
		}
	}
}
