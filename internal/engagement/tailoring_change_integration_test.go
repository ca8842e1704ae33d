package engagement_test

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestTailoringChangeIsAScopeChangeForReal: on a certified programme of the
// tailored example (dev server, Postgres), a new tailoring sent through the
// service is a scope change: refused from a control owner and when it
// breaks a rule, proposed with exactly the controls it affects, put to the
// lead, and once approved recorded as the spec's tailoring, with only the
// affected controls assessed again.
func TestTailoringChangeIsAScopeChangeForReal(t *testing.T) {
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	spec, err := catalog.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	at := time.Now()
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseProgramme, RecordedBy: "test", At: at}))

	const queue = "steadfast-tailoring-change"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Temporal: tmp.Client})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue}

	soc2 := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(at.AddDate(0, -1, 0)),
		ReportPeriod: compliance.Span{Start: compliance.DateOf(at.AddDate(-1, -1, 0)), End: compliance.DateOf(at.AddDate(0, -2, 0))}}
	id := workflows.ProgrammeWorkflowID(spec.ID)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE},
		workflows.ProgrammeWorkflowName, workflows.ProgrammeInput{EngagementID: spec.ID, Spec: *spec, Certifications: []postcert.Certification{soc2},
			Cycle: 1, Revision: 1, Test: &workflows.TestHooks{OperatingControls: []string{"ACC-02"}}})
	require.NoError(t, err)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") }()

	// The new tailoring: ACC-04 back to quarterly (changed), AST-09
	// applicable again (now operated), GOV-07 not applicable (leaves the
	// cadence; nothing to ask), the rest unchanged.
	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	acc04 := next.Controls["ACC-04"]
	acc04.Frequency = compliance.FreqQuarterly
	next.Controls["ACC-04"] = acc04
	delete(next.Controls, "AST-09")
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true}

	// Refused: a justification is missing, then from a control owner.
	_, err = svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("maya@brightlane.io")})
	require.ErrorContains(t, err, "tailoring.controls.GOV-07.justification: a control marked not applicable needs a justification")
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	_, err = svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("leo@brightlane.io")})
	require.ErrorContains(t, err, "leo@brightlane.io may not change the scope")

	ch, err := svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	assert.Equal(t, workflows.ChangeProposed, ch.Status)
	assert.Equal(t, []string{"ACC-04", "AST-09"}, ch.NewControls, "only the controls the change affects")
	assert.True(t, strings.HasPrefix(ch.ID, "tailoring-"), ch.ID)

	// The lead approves it through the scope-change prompt.
	var signoff compliance.Prompt
	waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		i := slices.IndexFunc(ps, func(p compliance.Prompt) bool { return p.Key == "scope-change/"+ch.ID })
		if i >= 0 {
			signoff = ps[i]
		}
		return i >= 0
	}, "the lead's approval of the tailoring change")
	assert.Equal(t, "maya@brightlane.io", signoff.AddresseeEmail)
	assert.Contains(t, signoff.Question, "2 controls would be assessed again (ACC-04, AST-09)")
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: signoff.ID, Choice: "approve", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)

	// Only the affected controls are asked again, in the change's own round.
	round := "gap/" + ch.ID + "/"
	ps := waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		n := 0
		for _, p := range ps {
			if strings.HasPrefix(p.Key, round) {
				n++
			}
		}
		return n == 2
	}, "the re-assessment of the affected controls")
	asked := map[string]string{}
	for _, p := range ps {
		if c, ok := strings.CutPrefix(p.Key, round); ok {
			asked[c] = p.AddresseeEmail
		}
		assert.False(t, strings.HasPrefix(p.Key, "gap/") && !strings.HasPrefix(p.Key, round), "no other control is re-assessed: %s", p.Key)
	}
	assert.Equal(t, map[string]string{"ACC-04": "leo@brightlane.io", "AST-09": "priya@brightlane.io"}, asked)

	// The spec the cadence reads now carries the new tailoring.
	recorded, _, err := db.Store.SpecAndPlan(ctx, spec.ID)
	require.NoError(t, err)
	assert.Equal(t, next, recorded.Tailoring)
	app, err := catalog.Default().ForSpec(&recorded)
	require.NoError(t, err)
	assert.Equal(t, compliance.FreqQuarterly, app.Control("ACC-04").Control.Frequency)
	assert.NotNil(t, app.Control("AST-09"))
	assert.Nil(t, app.Control("GOV-07"))
}
