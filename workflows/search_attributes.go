package workflows

import (
	"fmt"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/workflows/searchattr"
)

// What the Temporal UI (and `temporal workflow list --query`) shows of the
// programme: typed search attributes, a static summary per workflow and its
// current details. The attributes are named once, in workflows/searchattr;
// setting and upserting them is here.
//
// Values a workflow has from its start travel in the start (the client's
// StartWorkflowOptions, a child's ChildWorkflowOptions): no command, so no
// replay concern. Values that change while it runs (the engagement's phase,
// a question's rung and addressee) are upserts, which are commands: they sit
// behind workflow.GetVersion(versionSearchAttributes) so a run recorded
// before them replays unchanged. Current details are not a command at all.

// versionSearchAttributes gates every upsert of a search attribute.
const versionSearchAttributes = "search-attributes"

// EngagementStartAttributes are the engagement workflow's attributes at
// its start (internal/engagement's Start sets them in the start options).
func EngagementStartAttributes(spec compliance.Spec) temporal.SearchAttributes {
	return temporal.NewSearchAttributes(engagementAttrs(spec, compliance.PhaseScoping)...)
}

// EngagementSummary is the engagement workflow's static summary.
func EngagementSummary(spec compliance.Spec) string {
	return fmt.Sprintf("Engagement %s for %s (%s), audit %s", spec.ID, spec.Client.Name, frameworkList(spec), spec.AuditDate)
}

func engagementAttrs(spec compliance.Spec, phase compliance.Phase) []temporal.SearchAttributeUpdate {
	fws := make([]string, 0, len(spec.Frameworks))
	for _, f := range spec.Frameworks {
		fws = append(fws, string(f.ID))
	}
	return []temporal.SearchAttributeUpdate{
		searchattr.Engagement.ValueSet(spec.ID), searchattr.Client.ValueSet(spec.Client.Name),
		searchattr.Phase.ValueSet(string(phase)), searchattr.Framework.ValueSet(fws),
	}
}

func frameworkList(spec compliance.Spec) string {
	fws := make([]string, 0, len(spec.Frameworks))
	for _, f := range spec.Frameworks {
		fws = append(fws, string(f.ID))
	}
	return strings.Join(fws, ", ")
}

// showPhase upserts the engagement's phase when it moved, and says in the
// current details what the engagement waits for.
func showPhase(ctx workflow.Context, st *EngagementState) error {
	details := fmt.Sprintf("%s: %s", st.Phase, st.WaitingFor)
	if st.WaitingFor == "" {
		details = string(st.Phase)
	}
	workflow.SetCurrentDetails(ctx, details)
	if cur, ok := workflow.GetTypedSearchAttributes(ctx).GetKeyword(searchattr.Phase); ok && cur == string(st.Phase) {
		return nil
	}
	if workflow.GetVersion(ctx, versionSearchAttributes, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	attrs := engagementAttrs(st.Spec, st.Phase)
	if st.Spec.ID == "" {
		attrs = []temporal.SearchAttributeUpdate{searchattr.Engagement.ValueSet(st.EngagementID), searchattr.Phase.ValueSet(string(st.Phase))}
	}
	if err := workflow.UpsertTypedSearchAttributes(ctx, attrs...); err != nil {
		return fmt.Errorf("show phase %s of %s: %w", st.Phase, st.EngagementID, err)
	}
	return nil
}

// phaseChildOptions adds what a phase's child workflow shows: the
// engagement's attributes with the child's phase, and a summary.
func phaseChildOptions(st *EngagementState, phase compliance.Phase, what string, o workflow.ChildWorkflowOptions) workflow.ChildWorkflowOptions {
	o.TypedSearchAttributes = temporal.NewSearchAttributes(engagementAttrs(st.Spec, phase)...)
	o.StaticSummary = fmt.Sprintf("%s of %s for %s", what, st.EngagementID, st.Spec.Client.Name)
	return o
}

// childOfPhase is phaseChildOptions for a child started by a phase
// workflow (a gap's remediation, a readiness review from the programme):
// it inherits its parent's attributes.
func childOfPhase(ctx workflow.Context, engagementID, summary string, o workflow.ChildWorkflowOptions) workflow.ChildWorkflowOptions {
	o.TypedSearchAttributes = inherited(ctx, engagementID)
	o.StaticSummary = summary
	return o
}

// inherited copies the engagement-level attributes of the running workflow
// (engagement, client, phase, frameworks) for a child it starts.
func inherited(ctx workflow.Context, engagementID string) temporal.SearchAttributes {
	cur := workflow.GetTypedSearchAttributes(ctx)
	ups := []temporal.SearchAttributeUpdate{searchattr.Engagement.ValueSet(engagementID)}
	if v, ok := cur.GetKeyword(searchattr.Client); ok {
		ups = append(ups, searchattr.Client.ValueSet(v))
	}
	if v, ok := cur.GetKeyword(searchattr.Phase); ok {
		ups = append(ups, searchattr.Phase.ValueSet(v))
	}
	if v, ok := cur.GetKeywordList(searchattr.Framework); ok {
		ups = append(ups, searchattr.Framework.ValueSet(v))
	}
	return temporal.NewSearchAttributes(ups...)
}

// questionAttributes are what a question (or a batch of them) shows at its
// start: the parent's engagement attributes, its kind, its addressee and
// rung 0.
func questionAttributes(ctx workflow.Context, engagementID, kind, addressee string) temporal.SearchAttributes {
	ups := []temporal.SearchAttributeUpdate{searchattr.QuestionKind.ValueSet(kind),
		searchattr.Addressee.ValueSet(strings.ToLower(addressee)), searchattr.Rung.ValueSet(0)}
	cur := inherited(ctx, engagementID)
	for _, k := range []temporal.SearchAttributeKeyKeyword{searchattr.Engagement, searchattr.Client, searchattr.Phase} {
		if v, ok := cur.GetKeyword(k); ok {
			ups = append(ups, k.ValueSet(v))
		}
	}
	if v, ok := cur.GetKeywordList(searchattr.Framework); ok {
		ups = append(ups, searchattr.Framework.ValueSet(v))
	}
	return temporal.NewSearchAttributes(ups...)
}

// startBatch starts an owner batch (OwnerBatchWorkflow) as a child the way
// askPrompt starts a question: the parent's engagement attributes, the
// batch's kind as its question kind, its addressee at rung 0, and a summary
// ("Review checklist, 12 items, from priya@…"). Each item's own rung is in the
// batch's current details and query, not in one attribute.
func startBatch(ctx workflow.Context, in OwnerBatchInput) workflow.ChildWorkflowFuture {
	o := workflow.GetChildWorkflowOptions(ctx)
	o.TypedSearchAttributes = questionAttributes(ctx, in.EngagementID, in.Kind, in.To.Email)
	what := "Evidence requests of the week"
	if in.Kind == cadence.BatchChecklist {
		what = "Review checklist"
	}
	o.StaticSummary = fmt.Sprintf("%s, %d items, from %s", what, len(in.Items), strings.ToLower(in.To.Email))
	return workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, o), OwnerBatchWorkflowName, in)
}

// askPrompt starts a question (PromptWorkflow) as a child with the
// options already on ctx, adding what it shows: the parent's engagement
// attributes, its kind, addressee and rung 0, and a summary naming what is
// asked of whom.
func askPrompt(ctx workflow.Context, in PromptInput) workflow.ChildWorkflowFuture {
	o := workflow.GetChildWorkflowOptions(ctx)
	o.TypedSearchAttributes = questionAttributes(ctx, in.EngagementID, in.Kind, in.To.Email)
	o.StaticSummary = PromptSummary(in)
	o.StaticDetails = in.Question
	return workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, o), PromptWorkflowName, in)
}

// PromptSummary is a question's one line in the UI: "Evidence for ACC-04
// Access review, 1 Apr to 30 Jun 2027 from priya@example.com".
func PromptSummary(in PromptInput) string {
	what := in.Subject
	if in.Evidence != nil {
		what = fmt.Sprintf("Evidence for %s, %s to %s", in.Subject,
			in.Evidence.PeriodStart.Format("2 Jan"), in.Evidence.PeriodEnd.Format("2 Jan 2006"))
	} else if in.Kind != "" {
		what = fmt.Sprintf("%s: %s", strings.ToUpper(in.Kind[:1])+in.Kind[1:], in.Subject)
	}
	return what + " from " + strings.ToLower(in.To.Email)
}

// showRung says where the question stands on its ladder ("reminder 2 of
// 4, next: the lead on 12 Mar") in the current details and, once the
// version allows, upserts the rung and the addressee.
func (r *promptRun) showRung(ctx workflow.Context, upsert bool) error {
	workflow.SetCurrentDetails(ctx, r.details())
	if !upsert || workflow.GetVersion(ctx, versionSearchAttributes, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	err := workflow.UpsertTypedSearchAttributes(ctx, searchattr.Rung.ValueSet(int64(len(r.steps))),
		searchattr.Addressee.ValueSet(strings.ToLower(r.to.Email)))
	if err != nil {
		return fmt.Errorf("show rung of %s: %w", r.id, err)
	}
	return nil
}

// details is the question's current state in words.
func (r *promptRun) details() string {
	out := fmt.Sprintf("%s, asked of %s", r.status(), strings.ToLower(r.to.Email))
	reminders, sent := 0, 0
	for _, s := range r.ladder {
		if s.Kind == activities.StepRemind {
			reminders++
		}
	}
	for _, s := range r.steps {
		if s.Kind == activities.StepRemind {
			sent++
		}
	}
	if n := len(r.steps); n > 0 {
		if last := r.steps[n-1]; last.Kind == activities.StepRemind {
			out += fmt.Sprintf(" — reminder %d of %d", sent, reminders)
		} else {
			out += fmt.Sprintf(" — %s rung reached", last.Kind)
		}
	}
	if r.answer == nil && !r.expired && r.next < len(r.ladder) {
		next := r.ladder[r.next]
		out += fmt.Sprintf("; next: %s on %s", next.Name, next.At.Format("2 Jan 2006"))
	}
	return out
}
