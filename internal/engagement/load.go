package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/load"
)

// LoadRequest asks what an engagement asks its people over the operating
// window: a running engagement by ID, or a spec not yet started (planned
// from Now).
type LoadRequest struct {
	EngagementID string
	Spec         *compliance.Spec
	Now          time.Time
}

// LoadView is the load per owner and month, question by question (the
// unbatched form) and in owner batches (what the scheduler sends now),
// with each owner's totals.
type LoadView struct {
	EngagementID string `json:"engagement_id"`
	// WindowStart and WindowEnd are the operating window's days.
	WindowStart  compliance.Date   `json:"window_start"`
	WindowEnd    compliance.Date   `json:"window_end"`
	Alone        []load.OwnerMonth `json:"question_by_question"`
	Batched      []load.OwnerMonth `json:"in_owner_batches"`
	AloneTotals  []load.OwnerMonth `json:"question_by_question_totals"`
	BatchedTotal []load.OwnerMonth `json:"in_owner_batches_totals"`
}

// Load computes the view from the spec and plan (compliance/load).
func (s *Service) Load(ctx context.Context, req LoadRequest) (LoadView, error) {
	spec, plan := req.Spec, compliance.Plan{}
	if spec == nil {
		var err error
		if spec, plan, err = s.spec(ctx, req.EngagementID); err != nil {
			return LoadView{}, err
		}
	} else {
		now := req.Now
		if now.IsZero() {
			now = time.Now()
		}
		var err error
		if plan, err = compliance.PlanEngagement(spec, now); err != nil {
			return LoadView{}, fmt.Errorf("plan %s: %w", spec.ID, err)
		}
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return LoadView{}, err
	}
	alone, _, err := load.Schedule(spec, plan, load.Options{})
	if err != nil {
		return LoadView{}, err
	}
	batched, _, err := load.Schedule(spec, plan, load.Options{Batched: true})
	if err != nil {
		return LoadView{}, err
	}
	v := LoadView{EngagementID: spec.ID,
		Alone:   load.PerOwnerMonth(load.Alone(alone), cal.Location),
		Batched: load.PerOwnerMonth(load.Group(batched, cal.Location), cal.Location)}
	v.AloneTotals, v.BatchedTotal = load.Totals(v.Alone), load.Totals(v.Batched)
	if w, err := load.Window(spec, plan); err == nil {
		v.WindowStart, v.WindowEnd = w.Start, w.End
	}
	return v, nil
}
