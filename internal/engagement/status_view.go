package engagement

import (
	"context"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// assessmentPromptKind is the kind of the gap assessment's questions in the
// record (workflows keeps it unexported; the record is what counts here).
const assessmentPromptKind = "control-status"

// StatusView is `status`: the engagement workflow's answer, with the
// figures other commands also show taken from the same read models they
// use, so two commands never disagree about one figure.
type StatusView struct {
	workflows.EngagementStatus
	// OperatingWindow is the window coverage, drift and readiness use
	// (cadence.Window: from the Type I date when there is one); zero before
	// a plan exists.
	OperatingWindow compliance.Span `json:"operating_window"`
	// Due and OnTime count the evidence fallen due so far in the window and
	// what of it arrived on time (coverage's figures); OnTimeRate is nil
	// while nothing is due.
	Due    int `json:"due"`
	OnTime int `json:"on_time"`
	// Vendors counts the vendor work (the Vendors read model); nil when
	// the spec names no vendor or the record is not at hand.
	Vendors *compliance.VendorWorkCounts `json:"vendors,omitempty"`
	// Scrutiny is the customers' side: open reviews, questions waiting,
	// owners who have not read the report (scrutiny_view.go).
	Scrutiny *Scrutiny `json:"scrutiny,omitempty"`
	// ChangeRemediations are the remediations the changes' rounds started
	// once the engagement's own remediation had ended, one per change,
	// from the record (the engagement's own gaps are GapsFound and after).
	ChangeRemediations []ChangeRemediation `json:"change_remediations,omitempty"`
}

// StatusReport is Status with the record's figures when the service has
// the record: the assessment counted per answer (not per owner finished)
// and the on-time rate from the operating report.
func (s *Service) StatusReport(ctx context.Context, req StatusRequest) (StatusView, error) {
	st, err := s.Status(ctx, req)
	if err != nil {
		return StatusView{}, err
	}
	v := StatusView{EngagementStatus: st}
	if s.Store == nil {
		return v, nil
	}
	if a := st.Assessment; a != nil && st.Phase == compliance.PhaseGapAssessment {
		ps, err := s.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: req.EngagementID, Status: compliance.PromptAnswered})
		if err != nil {
			return v, fmt.Errorf("status of %s: %w", req.EngagementID, err)
		}
		answered := 0
		for _, p := range ps {
			if p.Kind == assessmentPromptKind {
				answered++
			}
		}
		cp := *a
		cp.Answered = max(a.Answered, min(answered, a.Controls))
		cp.Unanswered = a.Controls - cp.Answered
		v.Assessment = &cp
	}
	if st.Plan != nil {
		spec, plan, err := s.spec(ctx, req.EngagementID)
		if err != nil {
			return v, fmt.Errorf("status of %s: %w", req.EngagementID, err)
		}
		if w, err := cadence.Window(spec, plan); err == nil {
			v.OperatingWindow = w
		}
		if len(spec.Vendors) > 0 {
			ps, err := s.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: req.EngagementID})
			if err != nil {
				return v, fmt.Errorf("status of %s: %w", req.EngagementID, err)
			}
			vs := VendorsOf(spec, plan, ps, s.now())
			v.Vendors = &vs.Counts
		}
	}
	if v.Scrutiny, err = scrutiny(ctx, s.Store, req.EngagementID); err != nil {
		return v, fmt.Errorf("status of %s: %w", req.EngagementID, err)
	}
	items, err := s.Store.Items(ctx, req.EngagementID)
	if err != nil {
		return v, fmt.Errorf("status of %s: %w", req.EngagementID, err)
	}
	v.ChangeRemediations = changeRemediations(req.EngagementID, items, s.now())
	v.OnTimeRate = nil
	if !st.Phase.Before(compliance.PhaseOperating) {
		op, err := s.Operating(ctx, OperatingRequest{EngagementID: req.EngagementID})
		if err != nil {
			return v, fmt.Errorf("status of %s: %w", req.EngagementID, err)
		}
		v.Due, v.OnTime = op.Due, op.Heatmap.Total.OnTime
		if op.Due > 0 {
			r := op.OnTimeRate
			v.OnTimeRate = &r
		}
	}
	return v, nil
}
