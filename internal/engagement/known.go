package engagement

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// ErrNoSuchEngagement means the record holds no engagement with the ID
// asked for: a different answer from "it has nothing of that kind yet".
var ErrNoSuchEngagement = errors.New("no such engagement")

// known refuses an engagement ID the record does not hold, so a read model
// never answers "nothing yet" about an engagement that does not exist.
func (s *Service) known(ctx context.Context, id string) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	if _, err := st.Engagement(ctx, id); errors.Is(err, postgres.ErrNotFound) {
		return noSuchEngagement(id)
	} else if err != nil {
		return fmt.Errorf("engagement %s: %w", id, err)
	}
	return nil
}

// promptStatuses are the values PromptsRequest.Status takes.
var promptStatuses = []string{compliance.PromptOpen, compliance.PromptAnswered, compliance.PromptExpired, compliance.PromptWithdrawn, "all"}

// checkPromptStatus refuses a status no prompt can have, naming the ones
// that exist (a misspelt filter must not look like "nothing waiting").
func checkPromptStatus(status string) error {
	if status == "" || slices.Contains(promptStatuses, status) {
		return nil
	}
	return fmt.Errorf("--status %q is not a prompt status: use one of %s", status, strings.Join(promptStatuses, ", "))
}

// noSuchEngagement is ErrNoSuchEngagement (and the record's ErrNotFound)
// for one ID, in words that say where to look.
type noSuchEngagement string

func (e noSuchEngagement) Error() string {
	return fmt.Sprintf("no such engagement: %q is not in the record (`starter list` shows the engagements there)", string(e))
}

func (e noSuchEngagement) Is(target error) bool {
	return target == ErrNoSuchEngagement || target == postgres.ErrNotFound
}

// AwaitRecorded waits until the record holds engagement id (its scoping
// writes it moments after the start), so a command that reads the record
// right after `engage` finds it. It gives up after within and says so.
func (s *Service) AwaitRecorded(ctx context.Context, id string, within time.Duration) error {
	deadline := time.Now().Add(within)
	for {
		err := s.known(ctx, id)
		if !errors.Is(err, ErrNoSuchEngagement) {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s started but is not in the record yet after %s: is a worker running? (`starter status %s` asks the workflow)", id, within, id)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
