package answers

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/temporal"
)

// Failures to reach Temporal come back as errors (the dispatcher retries
// them); refusals come back as messages (the clicker reads them at once).
func TestOutcomeSeparatesRetryableFromRefusals(t *testing.T) {
	for _, err := range []error{
		serviceerror.NewUnavailable("frontend down"),
		serviceerror.NewDeadlineExceeded("slow"),
		serviceerror.NewResourceExhausted(0, "busy"),
		fmt.Errorf("update: %w", context.DeadlineExceeded),
	} {
		out, got := outcome(err)
		assert.ErrorIs(t, got, err, "%v is retried", err)
		assert.False(t, out.Accepted)
	}
	out, err := outcome(temporal.NewApplicationError("Only the owner may answer.", "refused"))
	assert.NoError(t, err, "a validator refusal is not retried")
	assert.Equal(t, "Only the owner may answer.", out.Message)
	out, err = outcome(errors.New("odd"))
	assert.NoError(t, err)
	assert.Equal(t, "odd", out.Message)
}
