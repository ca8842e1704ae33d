package activities

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestPollTimedOut: a timeout reported just before the poll's deadline is
// the poll's own, whether the gRPC layer or the server says it (CI saw the
// server's answer beat the context's timer, and the run's "running" became
// an error); one reported with time to spare is some other call's and is
// retried; other errors are never a timeout.
func TestPollTimedOut(t *testing.T) {
	ctx := context.Background()
	near, cancelNear := context.WithTimeout(ctx, deadlineSlack/2)
	defer cancelNear()
	far, cancelFar := context.WithTimeout(ctx, time.Hour)
	defer cancelFar()

	server := serviceerror.NewDeadlineExceeded("context deadline exceeded")
	wrapped := fmt.Errorf("poll: %w", context.DeadlineExceeded)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"server, near the deadline", near, server, true},
		{"gRPC layer, near the deadline", near, wrapped, true},
		{"server, an hour to go", far, server, false},
		{"gRPC layer, an hour to go", far, wrapped, false},
		{"no deadline at all", ctx, server, false},
		{"bare gRPC status, near the deadline", near, status.Error(codes.DeadlineExceeded, "late"), true},
		{"not a timeout", near, serviceerror.NewUnavailable("down"), false},
	} {
		assert.Equal(t, tc.want, pollTimedOut(tc.ctx, tc.err), tc.name)
	}
}
