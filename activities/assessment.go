package activities

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
	"github.com/steadfast-grc/steadfast/compliance/sampling"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// ControlToAssess is one applicable control and who is asked about it.
type ControlToAssess struct {
	ControlID  string
	Title      string
	Domain     compliance.Domain
	Frequency  compliance.Frequency
	Evidence   string
	Frameworks []string
	Owner      compliance.Person
}

// PlanAssessmentInput is the signed-off scope.
type PlanAssessmentInput struct {
	Spec compliance.Spec
	// Only limits the plan to these controls; empty means all.
	Only []string `json:",omitempty"`
}

// PlanAssessmentResult lists the controls to assess, in catalog order.
type PlanAssessmentResult struct {
	Controls []ControlToAssess
}

// PlanAssessment works out the applicable controls from the control
// library and the owner of each. An activity, so a library update between
// deploys cannot change what a running engagement already asked.
func (a *Activities) PlanAssessment(_ context.Context, in PlanAssessmentInput) (PlanAssessmentResult, error) {
	app, err := catalog.Default().ForSpec(&in.Spec)
	if err != nil {
		return PlanAssessmentResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("plan assessment of %s: %w", in.Spec.ID, err))
	}
	out := make([]ControlToAssess, 0, len(app.Controls))
	for _, ac := range app.Controls {
		c := ac.Control
		if len(in.Only) > 0 && !slices.Contains(in.Only, c.ID) {
			continue
		}
		var fws []string
		for _, fw := range compliance.FrameworkIDs {
			if len(ac.Covers[fw]) > 0 {
				fws = append(fws, fmt.Sprintf("%s %s", fw, strings.Join(ac.Covers[fw], ", ")))
			}
		}
		out = append(out, ControlToAssess{
			ControlID: c.ID, Title: c.Title, Domain: c.Domain, Frequency: c.Frequency, Evidence: c.Evidence,
			Frameworks: fws, Owner: in.Spec.OwnerOfControl(c.ID, c.Domain),
		})
	}
	return PlanAssessmentResult{Controls: out}, nil
}

// RecordAssessmentInput is one control's outcome.
type RecordAssessmentInput struct {
	Assessment postgres.ControlAssessment
}

// RecordAssessmentResult is empty.
type RecordAssessmentResult struct{}

// RecordAssessment stores a control's assessment.
func (a *Activities) RecordAssessment(ctx context.Context, in RecordAssessmentInput) (RecordAssessmentResult, error) {
	if err := a.Store.RecordAssessment(ctx, in.Assessment); err != nil {
		return RecordAssessmentResult{}, fmt.Errorf("record assessment: %w", err)
	}
	return RecordAssessmentResult{}, nil
}

// BuildRegisterInput names the engagement whose answers to rank.
type BuildRegisterInput struct {
	Spec compliance.Spec
	// Plan, when set, gives the remediation due date.
	Plan *compliance.Plan
	At   time.Time
}

// RegisterEntry is what the workflow keeps of a ranked gap.
type RegisterEntry struct {
	ControlID string
	Title     string
	Rank      int
	Status    string
	Owner     string
	// What the ticket needs to say: the control's type (a policy gap gets
	// a drafting ticket), what operating means and how it is tested, the
	// evidence sampled, the requirements at stake and why it ranks here.
	Type         string
	Description  string
	Evidence     string
	Requirements []string
	Reasons      []string
}

// BuildRegisterResult summarises the register.
type BuildRegisterResult struct {
	Controls int
	Gaps     []RegisterEntry
	// RemediationDue is the end of the plan's remediation, at 17:00 in the
	// client's zone.
	RemediationDue time.Time
}

// BuildRegister ranks every assessed control by audit impact and stores
// the register. It reads the answers from Postgres rather than taking them
// as input, to keep a 200-control payload out of workflow history.
func (a *Activities) BuildRegister(ctx context.Context, in BuildRegisterInput) (BuildRegisterResult, error) {
	app, err := catalog.Default().ForSpec(&in.Spec)
	if err != nil {
		return BuildRegisterResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("build register of %s: %w", in.Spec.ID, err))
	}
	answers, err := a.Store.Assessments(ctx, in.Spec.ID)
	if err != nil {
		return BuildRegisterResult{}, err
	}
	owners := map[string]string{}
	var assessments []gaps.Assessment
	for _, as := range answers {
		owners[as.ControlID] = as.OwnerEmail
		assessments = append(assessments, gaps.Assessment{ControlID: as.ControlID, Status: gaps.Status(as.Status),
			Auditability: gaps.Auditability{EvidenceExists: as.EvidenceExists, Sampleable: as.Sampleable}})
	}
	risks := map[string]sampling.Risk{}
	for id, r := range in.Spec.ControlRisk {
		if risk, err := sampling.ParseRisk(r); err == nil { // the spec parser has refused anything else
			risks[id] = risk
		}
	}
	reg, err := gaps.Rank(gaps.Input{Applicability: app, Assessments: assessments, ControlRisk: risks})
	if err != nil {
		return BuildRegisterResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("build register of %s: %w", in.Spec.ID, err))
	}
	entries := make([]postgres.GapEntry, len(reg.Entries))
	res := BuildRegisterResult{Controls: len(reg.Entries)}
	for i, e := range reg.Entries {
		owner := owners[e.ControlID]
		if owner == "" {
			owner = in.Spec.OwnerOfControl(e.ControlID, e.Domain).Email
		}
		var fws []string
		for _, f := range e.Frameworks {
			fws = append(fws, string(f))
		}
		entries[i] = postgres.GapEntry{ControlID: e.ControlID, Rank: e.Rank, Score: e.Score, Gap: e.Gap, Status: string(e.Status),
			Title: e.Title, Domain: string(e.Domain), OwnerEmail: owner, Frequency: string(e.Frequency), SampleSize: e.SampleSize,
			Frameworks: fws, Requirements: e.Requirements, Automated: e.Automated, Reasons: e.Reasons}
		if e.Gap {
			ge := RegisterEntry{ControlID: e.ControlID, Title: e.Title, Rank: e.Rank, Status: string(e.Status), Owner: owner, Reasons: e.Reasons}
			if ac := app.Control(e.ControlID); ac != nil {
				ge.withTicketDetails(ac)
			}
			res.Gaps = append(res.Gaps, ge)
		}
	}
	if err := a.Store.ReplaceRegister(ctx, in.Spec.ID, entries, in.At); err != nil {
		return BuildRegisterResult{}, err
	}
	if in.Plan != nil {
		cal, err := compliance.NewCalendar(in.Spec.Reminders)
		if err != nil {
			return BuildRegisterResult{}, nonRetryable(ErrTypeBadInput, err)
		}
		res.RemediationDue = cal.At(in.Plan.Remediation.End, 17)
	}
	return res, nil
}

// withTicketDetails adds what a gap's ticket needs from the library: the
// control's type, what operating means, the evidence sampled and the
// requirements at stake.
func (ge *RegisterEntry) withTicketDetails(ac *catalog.ApplicableControl) {
	ge.Type, ge.Description, ge.Evidence = string(ac.Control.Type), ac.Control.Description, ac.Control.Evidence
	for _, fw := range compliance.FrameworkIDs {
		if ids := ac.Covers[fw]; len(ids) > 0 {
			ge.Requirements = append(ge.Requirements, fmt.Sprintf("%s %s", fw, strings.Join(ids, ", ")))
		}
	}
}
