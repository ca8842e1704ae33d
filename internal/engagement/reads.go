package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/workflows"
)

// The read models behind status, list, prompts, coverage, drift,
// readiness and findings.

// StatusRequest names an engagement.
type StatusRequest struct{ EngagementID string }

// Status asks the engagement workflow (one query answers it).
func (s *Service) Status(ctx context.Context, req StatusRequest) (workflows.EngagementStatus, error) {
	var st workflows.EngagementStatus
	if err := s.query(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.QueryStatus, &st); err != nil {
		return st, fmt.Errorf("status of %s: %w", req.EngagementID, err)
	}
	return st, nil
}

// ListRequest lists every engagement.
type ListRequest struct{}

// ListResult is every engagement in the record.
type ListResult struct {
	Engagements []postgres.EngagementSummary
}

// List reads the engagements from the record.
func (s *Service) List(ctx context.Context, _ ListRequest) (ListResult, error) {
	st, err := s.store()
	if err != nil {
		return ListResult{}, err
	}
	l, err := st.ListEngagements(ctx)
	return ListResult{Engagements: l}, err
}

// PromptsRequest filters the questions people are asked (Status "all" or
// empty: every status).
type PromptsRequest struct {
	EngagementID string
	Addressee    string
	Status       string
}

// PromptsResult is the prompts matching.
type PromptsResult struct {
	Prompts []postgres.Prompt
	// TimeZones is each prompt's addressee's time zone (IANA name), by
	// prompt ID: the person's own, else the engagement's.
	TimeZones map[string]string
}

// Prompts lists prompts from the record.
func (s *Service) Prompts(ctx context.Context, req PromptsRequest) (PromptsResult, error) {
	if err := checkPromptStatus(req.Status); err != nil {
		return PromptsResult{}, err
	}
	st, err := s.store()
	if err != nil {
		return PromptsResult{}, err
	}
	if req.EngagementID != "" {
		if err := s.known(ctx, req.EngagementID); err != nil {
			return PromptsResult{}, err
		}
	}
	status := req.Status
	if status == "all" {
		status = ""
	}
	ps, err := st.Prompts(ctx, postgres.PromptFilter{EngagementID: req.EngagementID, Addressee: req.Addressee, Status: status})
	if err != nil {
		return PromptsResult{}, err
	}
	zones, err := s.addresseeZones(ctx, ps)
	return PromptsResult{Prompts: ps, TimeZones: zones}, err
}

// OperatingRequest asks for the operating report now, or as of the end of
// AsOf (a day in the client's zone) when it is set.
type OperatingRequest struct {
	EngagementID string
	AsOf         compliance.Date
}

// Operating is the evidence record behind coverage and drift.
func (s *Service) Operating(ctx context.Context, req OperatingRequest) (reports.Operating, error) {
	st, err := s.store()
	if err != nil {
		return reports.Operating{}, err
	}
	if err := s.known(ctx, req.EngagementID); err != nil {
		return reports.Operating{}, err
	}
	if !req.AsOf.IsZero() {
		return reports.BuildOn(ctx, st, req.EngagementID, req.AsOf)
	}
	return reports.Build(ctx, st, req.EngagementID, s.now())
}

// ReadinessRequest runs a readiness review as of the end of AsOf (zero:
// now) with Seed, or when SeedSet is false the seed derived from the
// engagement and the day.
type ReadinessRequest struct {
	EngagementID string
	AsOf         compliance.Date
	Seed         uint64
	SeedSet      bool
}

// Readiness samples and tests the controls the way the auditor will.
func (s *Service) Readiness(ctx context.Context, req ReadinessRequest) (readiness.Report, error) {
	st, err := s.store()
	if err != nil {
		return readiness.Report{}, err
	}
	if err := s.known(ctx, req.EngagementID); err != nil {
		return readiness.Report{}, err
	}
	return ReviewAsOf(ctx, st, req, s.now())
}

// ReviewAsOf is Readiness on a given store and clock (the evidence pack
// runs it on the pool it writes the pack from).
func ReviewAsOf(ctx context.Context, store *postgres.Store, req ReadinessRequest, now time.Time) (readiness.Report, error) {
	at, day, seed := now, req.AsOf, req.Seed
	if !day.IsZero() {
		spec, _, err := store.SpecAndPlan(ctx, req.EngagementID)
		if err != nil {
			return readiness.Report{}, err
		}
		cal, err := compliance.NewCalendar(spec.Reminders)
		if err != nil {
			return readiness.Report{}, fmt.Errorf("calendar of %s: %w", req.EngagementID, err)
		}
		at = reports.EndOfDay(cal, day)
	} else {
		day = compliance.DateOf(at)
	}
	if !req.SeedSet {
		seed = sampling.SeedFor("readiness", req.EngagementID, day.String())
	}
	return reports.BuildReadiness(ctx, store, req.EngagementID, at, seed)
}

// FindingsRequest names an engagement.
type FindingsRequest struct{ EngagementID string }

// FindingsResult is the readiness findings, ranked, with the lead's
// decisions, and the fix recorded for each finding fixed.
type FindingsResult struct {
	Findings []postgres.Finding
	Fixes    map[string]postgres.FindingFix
}

// Findings reads the stored readiness findings.
func (s *Service) Findings(ctx context.Context, req FindingsRequest) (FindingsResult, error) {
	st, err := s.store()
	if err != nil {
		return FindingsResult{}, err
	}
	if err := s.known(ctx, req.EngagementID); err != nil {
		return FindingsResult{}, err
	}
	fs, err := st.ReadinessFindings(ctx, req.EngagementID)
	if err != nil {
		return FindingsResult{}, err
	}
	fixes, err := st.FindingFixes(ctx, req.EngagementID)
	return FindingsResult{Findings: fs, Fixes: fixes}, err
}
