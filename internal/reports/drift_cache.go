package reports

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// DriftCache keeps each engagement's drift between the scheduler's weekly
// checks (drift.Tracker), so a check costs what changed since the last one
// rather than a re-judgement of the whole record for every control, which
// over a year grew with the square of the evidence. It lives in the
// worker's memory: a worker that restarts, or an engagement whose spec or
// plan changed, starts from a full assessment, which the tracker equals
// by construction (drift.TestTrackerEqualsFullRebuild). Safe for
// concurrent use.
type DriftCache struct {
	mu sync.Mutex
	m  map[string]*driftState
}

// NewDriftCache is an empty cache.
func NewDriftCache() *DriftCache { return &DriftCache{m: map[string]*driftState{}} }

type driftState struct {
	mu       sync.Mutex
	key      string
	window   compliance.Span
	controls []ControlReport
	tracker  *drift.Tracker
}

// Build is reports.Build's drift and on-time rate (no heat map and no
// reviews: the weekly check uses neither) from the engagement's record at
// now, through the engagement's tracker.
func (c *DriftCache) Build(ctx context.Context, store *postgres.Store, engagementID string, now time.Time) (Operating, error) {
	if store == nil {
		return Operating{}, errors.New("drift: no store")
	}
	spec, plan, err := store.SpecAndPlan(ctx, engagementID)
	if err != nil {
		return Operating{}, err
	}
	ev, err := store.EvidenceFor(ctx, engagementID)
	if err != nil {
		return Operating{}, err
	}
	prompts, err := store.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID})
	if err != nil {
		return Operating{}, err
	}
	return c.Compute(engagementID, &spec, plan, ev, Assigned(prompts), now)
}

// Compute is Build without the database; its Controls, OnTimeRate and Due
// equal ComputeAssigned's at the same instant.
func (c *DriftCache) Compute(engagementID string, spec *compliance.Spec, plan compliance.Plan, evidence []postgres.Evidence,
	assigned map[string]string, now time.Time) (Operating, error) {
	if spec == nil {
		return Operating{}, errors.New("drift: no spec")
	}
	key, err := driftKey(spec, plan)
	if err != nil {
		return Operating{}, err
	}
	c.mu.Lock()
	st := c.m[engagementID]
	if st == nil || st.key != key {
		st = &driftState{key: key}
		c.m[engagementID] = st
	}
	c.mu.Unlock()

	st.mu.Lock()
	defer st.mu.Unlock()
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return Operating{}, fmt.Errorf("calendar of %s: %w", engagementID, err)
	}
	if st.tracker == nil {
		if err := st.start(engagementID, spec, plan, cal); err != nil {
			return Operating{}, err
		}
	}
	subs := JudgedSubmissions(spec, evidence, assigned)
	check := st.tracker.Check(subs, now)
	op := Operating{EngagementID: engagementID, Window: st.window, AsOf: now.In(cal.Location),
		Controls: make([]ControlReport, len(st.controls)), OnTimeRate: check.OnTimeRate, Due: check.Due}
	for i, cr := range st.controls {
		cr.Drift = check.Controls[i]
		op.Controls[i] = cr
	}
	return op, nil
}

// start schedules the engagement's controls as ComputeAssigned does and
// begins its tracker.
func (st *driftState) start(engagementID string, spec *compliance.Spec, plan compliance.Plan, cal *compliance.Calendar) error {
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return err
	}
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		return fmt.Errorf("applicable controls of %s: %w", engagementID, err)
	}
	controls := make([]*catalog.Control, 0, len(app.Controls))
	for _, ac := range app.Controls {
		controls = append(controls, ac.Control)
	}
	slices.SortStableFunc(controls, func(a, b *catalog.Control) int { return strings.Compare(a.ID, b.ID) })
	var scheduled [][]cadence.Occurrence
	st.controls = st.controls[:0]
	for _, c := range controls {
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			return fmt.Errorf("schedule %s: %w", c.ID, err)
		}
		scheduled = append(scheduled, occs)
		st.controls = append(st.controls, ControlReport{ControlID: c.ID, Title: c.Title, Frequency: c.Frequency, Owner: spec.OwnerOfControl(c.ID, c.Domain).Email})
	}
	st.window, st.tracker = window, drift.NewTracker(scheduled, window)
	return nil
}

// driftKey names the spec and plan a tracker was built for: another
// revision (controls added, a window moved) starts a new one.
func driftKey(spec *compliance.Spec, plan compliance.Plan) (string, error) {
	b, err := json.Marshal(struct {
		Spec *compliance.Spec
		Plan compliance.Plan
	}{spec, plan})
	if err != nil {
		return "", fmt.Errorf("drift: key of the spec: %w", err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b)), nil
}
