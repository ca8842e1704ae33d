package activities

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// AuditDatesInput asks for the instants of the plan's audit phases.
type AuditDatesInput struct {
	Spec compliance.Spec
	Plan compliance.Plan
}

// AuditDatesResult are the instants the engagement sleeps until, in the
// client's zone.
type AuditDatesResult struct {
	ReadinessStart time.Time
	// FixBy is the end of the readiness span: fixes are due before
	// fieldwork.
	FixBy          time.Time
	FieldworkStart time.Time
}

// AuditDates turns the plan's readiness and fieldwork dates into instants
// (an activity: it loads the client's zone).
func (a *Activities) AuditDates(_ context.Context, in AuditDatesInput) (AuditDatesResult, error) {
	cal, err := compliance.NewCalendar(in.Spec.Reminders)
	if err != nil {
		return AuditDatesResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("audit dates of %s: %w", in.Spec.ID, err))
	}
	return AuditDatesResult{
		ReadinessStart: cal.At(in.Plan.Readiness.Start, AskHour),
		FixBy:          cal.At(in.Plan.Readiness.End, 17),
		FieldworkStart: cal.At(in.Plan.Fieldwork.Start, 9),
	}, nil
}

// RecordCertificationInput is a report or certificate obtained.
type RecordCertificationInput struct {
	EngagementID  string
	Certification postcert.Certification
	By            string
	At            time.Time
}

// RecordCertification stores the certification (idempotent).
func (a *Activities) RecordCertification(ctx context.Context, in RecordCertificationInput) error {
	c := in.Certification
	if err := c.Validate(); err != nil {
		return nonRetryable(ErrTypeBadInput, fmt.Errorf("record certification of %s: %w", in.EngagementID, err))
	}
	err := a.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: in.EngagementID, Framework: c.Framework,
		CertifiedOn: c.Date, ReportPeriod: c.ReportPeriod, Reference: c.Reference, RecordedBy: in.By, RecordedAt: in.At})
	if err != nil {
		return classify(fmt.Errorf("record certification of %s (%s): %w", in.EngagementID, c.Framework, err))
	}
	return nil
}

// PlanProgrammeInput plans the certified programme's next cycle.
type PlanProgrammeInput struct {
	Spec           compliance.Spec
	Certifications []postcert.Certification
}

// PlanProgrammeResult is the next cycle: its milestones, and the spec and
// plan the operating scheduler runs on for it.
type PlanProgrammeResult struct {
	Milestones []postcert.Milestone
	Spec       compliance.Spec
	Plan       compliance.Plan
	// Refresh is when the next annual refresh runs; CycleEnd when the
	// cycle's window ends (the programme then plans the next one).
	Refresh  time.Time
	CycleEnd time.Time
}

// PlanProgramme plans the next cycle from the certifications: the next
// Type II window (SOC 2) or a year of operation from the certificate (ISO
// 27001, PCI DSS), the surveillance and recertification audits, the annual
// refresh and the quarterly reviews.
func (a *Activities) PlanProgramme(_ context.Context, in PlanProgrammeInput) (PlanProgrammeResult, error) {
	cal, err := compliance.NewCalendar(in.Spec.Reminders)
	if err != nil {
		return PlanProgrammeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("plan programme of %s: %w", in.Spec.ID, err))
	}
	ms, err := postcert.PlanNext(&in.Spec, in.Certifications, cal)
	if err != nil {
		return PlanProgrammeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("plan programme of %s: %w", in.Spec.ID, err))
	}
	res := PlanProgrammeResult{Milestones: ms, Spec: in.Spec}
	var window compliance.Span
	audit := compliance.Date{}
	for _, m := range ms {
		switch {
		case m.Kind == postcert.KindType2Window && window.Start.IsZero():
			window, audit = m.Window(), m.Due
		case m.Kind == postcert.KindAnnualRefresh && res.Refresh.IsZero():
			res.Refresh = cal.At(m.Start, AskHour)
		}
	}
	if window.Start.IsZero() {
		// No Type II window: operate for a year from the latest
		// certification, towards the next surveillance or reassessment.
		var latest compliance.Date
		for _, c := range in.Certifications {
			if c.Date.After(latest) {
				latest = c.Date
			}
		}
		window = compliance.Span{Start: latest.AddDays(1), End: latest.AddDays(365)}
		audit = cal.AddBusinessDays(window.End, postcert.MonthBusinessDays)
	}
	spec := in.Spec
	spec.Frameworks = append([]compliance.Framework(nil), in.Spec.Frameworks...)
	for i := range spec.Frameworks {
		if spec.Frameworks[i].ID == compliance.SOC2 && spec.Frameworks[i].Report == compliance.Type2 {
			w := compliance.ObservationWindow(window)
			spec.Frameworks[i].Window = &w
			spec.Frameworks[i].Type1Date = nil
		}
	}
	spec.AuditDate = audit
	res.Spec = spec
	// The cycle's plan, worked back from its audit like the first one's
	// (readiness three weeks before, fieldwork after); its operating span
	// is the cycle's window whatever the planner would have chosen.
	plan, err := compliance.PlanEngagement(&spec, cal.At(window.Start, AskHour))
	if err != nil {
		return PlanProgrammeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("plan the next cycle of %s: %w", in.Spec.ID, err))
	}
	plan.Operating = window
	res.Plan = plan
	res.CycleEnd = cal.At(window.End, 23).Add(time.Hour)
	return res, nil
}

// AssessScopeChangeInput is a system entering scope, or a framework added.
type AssessScopeChangeInput struct {
	Spec      compliance.Spec
	System    *compliance.System
	Framework *compliance.Framework
	// Tailoring replaces the spec's tailoring (assessTailoringChange).
	Tailoring *compliance.Tailoring `json:",omitempty"`
}

// AssessScopeChangeResult is what the change brings: the scope risks it
// raises and the controls that now apply and did not before.
type AssessScopeChangeResult struct {
	Risks       []compliance.ScopeRisk
	NewControls []string
	// Removed are the controls a tailoring change takes out of scope
	// (catalog.TailoringRemovals): a running assessment withdraws their
	// questions.
	Removed []string `json:",omitempty"`
	// Spec is the spec with the change applied.
	Spec compliance.Spec
}

// AssessScopeChange runs the scope-risk rules on a new system, or the
// control-library delta for a new framework.
func (a *Activities) AssessScopeChange(_ context.Context, in AssessScopeChangeInput) (AssessScopeChangeResult, error) {
	spec := in.Spec
	switch {
	case in.System != nil:
		risks, controls, err := postcert.NewSystemRisks(&spec, *in.System)
		if err != nil {
			return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("assess system %s: %w", in.System.Name, err))
		}
		spec.Systems = append(append([]compliance.System(nil), spec.Systems...), *in.System)
		return AssessScopeChangeResult{Risks: risks, NewControls: controls, Spec: spec}, nil
	case in.Framework != nil:
		before, err := catalog.Default().ForSpec(&spec)
		if err != nil {
			return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("assess framework %s: %w", in.Framework.ID, err))
		}
		spec.Frameworks = append(append([]compliance.Framework(nil), spec.Frameworks...), *in.Framework)
		after, err := catalog.Default().ForSpec(&spec)
		if err != nil {
			return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("assess framework %s: %w", in.Framework.ID, err))
		}
		had := map[string]bool{}
		for _, ac := range before.Controls {
			had[ac.Control.ID] = true
		}
		res := AssessScopeChangeResult{Spec: spec}
		for _, ac := range after.Controls {
			if !had[ac.Control.ID] {
				res.NewControls = append(res.NewControls, ac.Control.ID)
			}
		}
		return res, nil
	case in.Tailoring != nil:
		return assessTailoringChange(spec, *in.Tailoring)
	}
	return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("scope change of %s: neither a system nor a framework", spec.ID))
}

// RefreshFrameworksInput asks what changed in the frameworks in use since
// they were last certified.
type RefreshFrameworksInput struct {
	Spec           compliance.Spec
	Certifications []postcert.Certification
}

// RefreshFrameworksResult lists the changes (empty when nothing changed)
// and the applicable controls they make to be assessed again.
type RefreshFrameworksResult struct {
	Changes  []postcert.FrameworkChange
	Controls []string
}

// RefreshFrameworks compares the framework versions in use with the
// control library's. A requirement that came into force before the
// framework's latest certification was assessed then and is left out; the
// controls that remain are kept to those that apply to the scope.
func (a *Activities) RefreshFrameworks(_ context.Context, in RefreshFrameworksInput) (RefreshFrameworksResult, error) {
	inUse := map[compliance.FrameworkID]string{}
	for _, f := range in.Spec.Frameworks {
		inUse[f.ID] = f.Version
	}
	certified := map[compliance.FrameworkID]compliance.Date{}
	for _, c := range in.Certifications {
		if c.Date.After(certified[c.Framework]) {
			certified[c.Framework] = c.Date
		}
	}
	app, err := catalog.Default().ForSpec(&in.Spec)
	if err != nil {
		return RefreshFrameworksResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("annual refresh of %s: %w", in.Spec.ID, err))
	}
	applies := map[string]bool{}
	for _, ac := range app.Controls {
		applies[ac.Control.ID] = true
	}
	var res RefreshFrameworksResult
	seen := map[string]bool{}
	for _, c := range postcert.RefreshDelta(inUse, catalog.Default()) {
		if last, ok := certified[c.Framework]; ok && !c.Effective.IsZero() && c.Effective.Before(last) {
			continue
		}
		res.Changes = append(res.Changes, c)
		for _, id := range c.Controls {
			if applies[id] && !seen[id] {
				seen[id] = true
				res.Controls = append(res.Controls, id)
			}
		}
	}
	return res, nil
}

// RecordSpecInput stores a changed spec as the engagement's next revision.
type RecordSpecInput struct {
	EngagementID string
	Spec         compliance.Spec
	Plan         compliance.Plan
	Revision     int
	Phase        compliance.Phase
	By           string
	At           time.Time
	// WorkflowID is the workflow that records it (empty: the programme).
	WorkflowID string `json:",omitempty"`
}

// RecordSpec stores the spec the operating scheduler reads from its next
// batch on (a system or framework added, a new cycle's window).
func (a *Activities) RecordSpec(ctx context.Context, in RecordSpecInput) error {
	wid := in.WorkflowID
	if wid == "" {
		wid = "programme"
	}
	err := a.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: in.EngagementID, WorkflowID: wid, Revision: in.Revision,
		Spec: in.Spec, Plan: in.Plan, Phase: in.Phase, RecordedBy: in.By, At: in.At})
	if err != nil {
		return classify(fmt.Errorf("record spec revision %d of %s: %w", in.Revision, in.EngagementID, err))
	}
	return nil
}
