package refusal_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/sdk/temporal"

	"github.com/steadfast-grc/steadfast/internal/refusal"
)

// TestWords: what Temporal and gRPC add to a rule's sentence is gone, and
// the sentence itself is kept word for word, on one line.
func TestWords(t *testing.T) {
	// A validator's plain error, as an update's caller receives it.
	validator := temporal.NewApplicationError("ann@example.com wrote this explanation and may not approve it too", "wrapError")
	for _, tc := range []struct {
		err  error
		want string
	}{
		{validator, "ann@example.com wrote this explanation and may not approve it too"},
		{fmt.Errorf("approve the explanation: %w", validator), "approve the explanation: ann@example.com wrote this explanation and may not approve it too"},
		{errors.New("x: activity error (type: RecordGapDecision, scheduledEventID: 11, startedEventID: 12, identity: 1@host): the record"), "x: the record"},
		{errors.New("rpc error: code = InvalidArgument desc = no"), "no"},
		{errors.New("two\nlines  and   spaces"), "two lines and spaces"},
		{nil, ""},
	} {
		assert.Equal(t, tc.want, refusal.Words(tc.err))
	}
}
