package workflows

import (
	"fmt"
	"slices"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// How long owners have: the reading is due a week after the report is
// recorded and expires (escalated all the way) after three; explanations
// are taken until the lead has approved them all or ExplainFor has passed.
const (
	readingDue = 7 * 24 * time.Hour
	readingFor = 21 * 24 * time.Hour
	ExplainFor = 90 * 24 * time.Hour
)

// ChoiceRead is the reading prompt's one answer.
const ChoiceRead = "read"

// ReportReadingInput is an issued report as recorded and what each owner
// must read of it.
type ReportReadingInput struct {
	Key      report.Key
	Spec     compliance.Spec
	Report   report.Report
	Readings []report.Reading
}

// ExplainReportRequest is an owner's explanation, in their own words, of
// what a control covers or what an exception means for a customer.
type ExplainReportRequest struct {
	Subject report.Subject
	Text    string
	Actor   compliance.Actor `json:",omitzero"`
}

// ApproveExplanationRequest is the lead approving an explanation.
type ApproveExplanationRequest struct {
	Subject report.Subject
	Actor   compliance.Actor `json:",omitzero"`
}

// ActorOf names who acts, for the identity interceptor.
func (r ExplainReportRequest) ActorOf() compliance.Actor { return r.Actor }

// ActorOf names who acts, for the identity interceptor.
func (r ApproveExplanationRequest) ActorOf() compliance.Actor { return r.Actor }

// ReportExplanation is one explanation's state.
type ReportExplanation struct {
	Subject    report.Subject `json:"subject"`
	Text       string         `json:"text"`
	By         string         `json:"by"`
	ApprovedBy string         `json:"approved_by,omitempty"`
}

// ReportReadingState is the workflow's query answer and result.
type ReportReadingState struct {
	// Read, Escalated and Waiting are owners' emails by their reading's
	// state.
	Read         []string            `json:"read"`
	Escalated    []string            `json:"escalated"`
	Waiting      []string            `json:"waiting"`
	Explanations []ReportExplanation `json:"explanations"`
}

type readingRun struct {
	in      ReportReadingInput
	st      ReportReadingState
	pending int
}

// ReportReadingWorkflow follows an issued report inside the client: it
// calls out each surprise exception to the leads and the sponsor and
// carries it into the next cycle's findings; it asks each control owner,
// with one prompt on the usual ladder, to read their controls' sections
// and the exceptions touching them; and it takes the owners' explanations
// and the lead's approval of each until all are approved or ExplainFor
// has passed.
func ReportReadingWorkflow(ctx workflow.Context, in ReportReadingInput) (ReportReadingState, error) {
	r := &readingRun{in: in}
	if err := r.register(ctx); err != nil {
		return r.st, err
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	for _, e := range in.Report.Surprises() {
		if err := r.callOut(ctx, e); err != nil {
			return r.st, err
		}
	}
	ids := make([]string, len(in.Readings))
	for i, rd := range in.Readings {
		ids[i] = PromptWorkflowID(in.Key.EngagementID, readingKey(in.Key, rd.Owner.Email))
		r.st.Waiting = append(r.st.Waiting, strings.ToLower(rd.Owner.Email))
	}
	if err := workflow.ExecuteActivity(actx, a.RecordReadingsAsked, activities.RecordReadingsAskedInput{
		Key: in.Key, Readings: in.Readings, PromptIDs: ids}).Get(ctx, nil); err != nil {
		return r.st, fmt.Errorf("record the readings asked of %s: %w", in.Key, err)
	}
	sel := workflow.NewSelector(ctx)
	now := workflow.Now(ctx)
	for i, rd := range in.Readings {
		cctx := workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
			WorkflowID: ids[i], WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		})
		r.pending++
		fut := askPrompt(cctx, r.prompt(rd, now))
		sel.AddFuture(fut, func(f workflow.Future) { r.settle(ctx, rd, f) })
	}
	for r.pending > 0 {
		sel.Select(ctx)
	}
	if _, err := workflow.AwaitWithTimeout(ctx, ExplainFor, r.allApproved); err != nil {
		return r.st, err
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return r.st, err
	}
	return r.st, nil
}

func readingKey(k report.Key, owner string) string {
	return "report/" + k.String() + "/read/" + strings.ToLower(owner)
}

// callOut tells the leads and the sponsor of a surprise exception and
// carries it into the next cycle as a finding.
func (r *readingRun) callOut(ctx workflow.Context, e report.Exception) error {
	k := r.in.Key
	tell := append(r.in.Spec.PeopleWithRole(compliance.RoleLead), r.in.Spec.PeopleWithRole(compliance.RoleSponsor)...)
	dctx := workflow.WithActivityOptions(ctx, deliveryOptions)
	err := workflow.ExecuteActivity(dctx, a.Escalate, activities.EscalateInput{
		EngagementID: k.EngagementID, Key: fmt.Sprintf("report-surprise/%s/%d", k, e.N),
		Subject: fmt.Sprintf("Surprise exception %d in the %s report of %s (%s)", e.N, k.Framework, k.Date, e.Ref),
		Reason: fmt.Sprintf("The report lists an exception nobody accepted beforehand: %s Management's response: %s Owners: %s. It is a finding for the next cycle.",
			e.Description, e.ManagementResponse, strings.Join(e.Owners, ", ")),
		Tell: tell, SlackChannel: r.in.Spec.Integrations.SlackChannel, At: workflow.Now(ctx),
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("call out surprise exception %d of %s: %w", e.N, k, err)
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.CarrySurprise, activities.CarrySurpriseInput{Key: k, Exception: e, At: workflow.Now(ctx)}).Get(ctx, nil); err != nil {
		return fmt.Errorf("carry surprise exception %d of %s: %w", e.N, k, err)
	}
	return nil
}

// prompt is one owner's reading question.
func (r *readingRun) prompt(rd report.Reading, now time.Time) PromptInput {
	k, spec := r.in.Key, r.in.Spec
	var ex []string
	for _, n := range rd.Exceptions {
		e := r.in.Report.Exceptions[n-1]
		ex = append(ex, fmt.Sprintf("#%d %s (%s): %s", e.N, e.Ref, e.Origin, e.Description))
	}
	q := fmt.Sprintf("The %s report of %s is issued (opinion: %s). Read the sections on your %d controls (%s)",
		k.Framework, k.Date, r.in.Report.Opinion, len(rd.Controls), strings.Join(rd.Controls, ", "))
	if len(ex) > 0 {
		q += fmt.Sprintf(" and the %d exceptions touching them: %s", len(ex), strings.Join(ex, "; "))
	}
	q += ". Then explain each in your own words (starter report explain)."
	return PromptInput{
		EngagementID: k.EngagementID, Key: readingKey(k, rd.Owner.Email), Kind: PromptKindReportReading,
		Subject:  fmt.Sprintf("Read your sections of the %s report (%s)", k.Framework, k.Date),
		Question: q,
		Why:      "Customers read the report and ask the people who own the controls; nobody can answer for a report they have not read.",
		Choices:  []compliance.PromptChoice{{Value: ChoiceRead, Label: "I have read my sections and the exceptions"}},
		To:       rd.Owner, Leads: spec.PeopleWithRole(compliance.RoleLead), Sponsors: spec.PeopleWithRole(compliance.RoleSponsor),
		Delegates: nil, Policy: spec.Reminders, SlackChannel: spec.Integrations.SlackChannel,
		Due: now.Add(readingDue), Until: now.Add(readingFor),
	}
}

// settle records how an owner's reading prompt ended.
func (r *readingRun) settle(ctx workflow.Context, rd report.Reading, f workflow.Future) {
	r.pending--
	owner := strings.ToLower(rd.Owner.Email)
	var res PromptResult
	status, by, note, at := activities.ReadingEscalated, "steadfast", "", workflow.Now(ctx)
	if err := f.Get(ctx, &res); err != nil {
		workflow.GetLogger(ctx).Error("reading prompt", "owner", owner, "error", err)
	} else if res.Answer != nil {
		status, by, note, at = activities.ReadingRead, res.Answer.By, res.Answer.Note, res.Answer.At
	}
	r.st.Waiting = slices.DeleteFunc(r.st.Waiting, func(s string) bool { return s == owner })
	if status == activities.ReadingRead {
		r.st.Read = append(r.st.Read, owner)
	} else {
		r.st.Escalated = append(r.st.Escalated, owner)
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordReading, activities.RecordReadingInput{
		Key: r.in.Key, Owner: owner, Status: status, By: by, Note: note, At: at}).Get(ctx, nil)
	if err != nil {
		workflow.GetLogger(ctx).Error("record reading", "owner", owner, "error", err)
	}
}

// allApproved reports whether every control and exception of the report
// has an approved explanation.
func (r *readingRun) allApproved() bool {
	want := len(r.in.Report.Exceptions)
	for _, rd := range r.in.Readings {
		want += len(rd.Controls)
	}
	n := 0
	for _, e := range r.st.Explanations {
		if e.ApprovedBy != "" {
			n++
		}
	}
	return r.pending == 0 && n >= want
}

func (r *readingRun) explanation(s report.Subject) *ReportExplanation {
	for i := range r.st.Explanations {
		if r.st.Explanations[i].Subject == s {
			return &r.st.Explanations[i]
		}
	}
	return nil
}

// register sets the query and the two updates.
func (r *readingRun) register(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryReportReading, func() (ReportReadingState, error) { return r.st, nil }); err != nil {
		return fmt.Errorf("register %s query: %w", QueryReportReading, err)
	}
	record := func(ctx workflow.Context, in activities.RecordExplanationInput) error {
		in.Key, in.At, in.UpdateKey = r.in.Key, workflow.Now(ctx), workflow.GetCurrentUpdateInfo(ctx).ID
		return workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, recordOptions), a.RecordExplanation, in).Get(ctx, nil)
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateExplainReport,
		func(ctx workflow.Context, req ExplainReportRequest) (ReportExplanation, error) {
			by, via := recordedAs(req.Actor, "", "")
			text := strings.TrimSpace(req.Text)
			if err := record(ctx, activities.RecordExplanationInput{Subject: req.Subject, Body: text, By: by, Channel: via}); err != nil {
				return ReportExplanation{}, err
			}
			e := r.explanation(req.Subject)
			if e == nil {
				r.st.Explanations = append(r.st.Explanations, ReportExplanation{Subject: req.Subject})
				e = &r.st.Explanations[len(r.st.Explanations)-1]
			}
			if e.Text != text {
				// New words need a new approval.
				e.Text, e.By, e.ApprovedBy = text, by, ""
			}
			return *e, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ExplainReportRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			owners := report.SubjectOwners(req.Subject, r.in.Readings, r.in.Report.Exceptions)
			if owners == nil {
				return fmt.Errorf("%s is not a control or an exception of the %s report", req.Subject, r.in.Key)
			}
			if err := report.MayExplain(by, owners); err != nil {
				return err
			}
			return report.CheckExplanation(req.Text)
		}})
	if err != nil {
		return fmt.Errorf("register %s update: %w", UpdateExplainReport, err)
	}
	err = workflow.SetUpdateHandlerWithOptions(ctx, UpdateApproveExplanation,
		func(ctx workflow.Context, req ApproveExplanationRequest) (ReportExplanation, error) {
			by, via := recordedAs(req.Actor, "", "")
			if err := record(ctx, activities.RecordExplanationInput{Subject: req.Subject, Approve: true, By: by, Channel: via}); err != nil {
				return ReportExplanation{}, err
			}
			e := r.explanation(req.Subject)
			e.ApprovedBy = by
			return *e, nil
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, req ApproveExplanationRequest) error {
			by, err := actingPerson(ctx, req.Actor)
			if err != nil {
				return err
			}
			e := r.explanation(req.Subject)
			if e == nil {
				return fmt.Errorf("%s has no explanation to approve yet", req.Subject)
			}
			if e.ApprovedBy != "" {
				return fmt.Errorf("the explanation of %s is already approved by %s", req.Subject, e.ApprovedBy)
			}
			return report.MayApproveExplanation(&r.in.Spec, by, e.By)
		}})
	if err != nil {
		return fmt.Errorf("register %s update: %w", UpdateApproveExplanation, err)
	}
	return nil
}
