package activities

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"go.temporal.io/sdk/activity"

	"github.com/steadfast-grc/steadfast/compliance"
)

// scheduleSpec sets the spec and plan a batch of evidence requests is
// scheduled from.
//
// A scheduler that follows the store (FromStore) reads the engagement's
// current spec every batch. One started before schedulers did (its input
// names its engagement but not FromStore) would otherwise keep the spec it
// was started with until its window ends, so an approved tailoring change
// (a control made not applicable, a new owner, a custom control) would not
// reach the cadence it runs. The activity, which the workflow does not
// replay, closes that: when the stored spec's tailoring differs from the
// scheduler's own, the stored spec wins. Anything else keeps the input's
// spec, and a failed read keeps it too (logged): the requests go on as
// before rather than stop.
func (a *Activities) scheduleSpec(ctx context.Context, in *NextOccurrencesInput) error {
	if in.EngagementID == "" || a.Store == nil {
		if in.FromStore {
			return fmt.Errorf("follow the stored spec: no engagement or store")
		}
		return nil
	}
	spec, plan, err := a.Store.SpecAndPlan(ctx, in.EngagementID)
	switch {
	case err != nil && in.FromStore:
		return fmt.Errorf("current spec of %s: %w", in.EngagementID, err)
	case err != nil:
		activity.GetLogger(ctx).Warn("read the stored spec; scheduling from the scheduler's own", "engagement", in.EngagementID, "error", err)
		return nil
	case in.FromStore || tailoringDiffers(spec.Tailoring, in.Spec.Tailoring):
		in.Spec, in.Plan = spec, plan
	}
	in.FromStore = false
	return nil
}

// tailoringDiffers compares two tailorings as stored (JSON sorts map keys),
// so an empty section and an absent one are the same.
func tailoringDiffers(a, b compliance.Tailoring) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA != nil || errB != nil || !bytes.Equal(ja, jb)
}
