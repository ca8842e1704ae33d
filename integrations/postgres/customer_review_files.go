package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// ErrNoReview is a review the engagement does not have.
var ErrNoReview = errors.New("no such customer review")

// AllowFiles is the lead's decision that a review's export may carry the
// evidence files.
type AllowFiles struct {
	EngagementID, ReviewID, By string
	At                         time.Time
	// Key is the update making the decision.
	Key string
}

// AllowReviewFiles records the decision once: a second decision (another
// lead, or the same update retried) keeps the first, which is returned.
func (s *Store) AllowReviewFiles(ctx context.Context, a AllowFiles) (custreview.FilesAllowance, error) {
	var out custreview.FilesAllowance
	err := pgx.BeginFunc(ctx, s.q, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			SELECT files_allowed_by, files_allowed_at FROM customer_reviews
			WHERE engagement_id = @engagement_id AND review_id = @review_id FOR UPDATE`,
			pgx.StrictNamedArgs{"engagement_id": a.EngagementID, "review_id": a.ReviewID}).Scan(&out.By, &out.At)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("%s has no customer review %q: %w", a.EngagementID, a.ReviewID, ErrNoReview)
		}
		if err != nil {
			return fmt.Errorf("read review %s: %w", a.ReviewID, err)
		}
		if out.Allowed() {
			return nil
		}
		by := strings.ToLower(a.By)
		if _, err := tx.Exec(ctx, `
			UPDATE customer_reviews SET files_allowed_by = @by, files_allowed_at = @at
			WHERE engagement_id = @engagement_id AND review_id = @review_id`,
			pgx.StrictNamedArgs{"engagement_id": a.EngagementID, "review_id": a.ReviewID, "by": by, "at": a.At}); err != nil {
			return fmt.Errorf("allow files for review %s: %w", a.ReviewID, err)
		}
		at := a.At
		out = custreview.FilesAllowance{By: by, At: &at}
		return appendEvent(ctx, tx, Event{EngagementID: a.EngagementID, Kind: compliance.EventCustomerFilesAllowed, Actor: by,
			Channel: ChannelWorkflow, At: a.At, Key: compliance.EventCustomerFilesAllowed + "/" + a.ReviewID + "/" + a.Key,
			Detail: map[string]any{"review": a.ReviewID}})
	})
	return out, err
}
