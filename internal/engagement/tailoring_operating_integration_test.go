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
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestTailoringChangeInTheOperatingPeriodForReal: the tailored example's
// engagement in its operating period (dev server, Postgres; the scheduler
// on a three-second test cadence for three controls) takes a tailoring
// change the lead approves: from the scheduler's next batch the control
// made not applicable is no longer asked, the new custom control is asked,
// and the control with a new owner is asked of that owner; the affected
// controls alone are assessed again.
func TestTailoringChangeInTheOperatingPeriodForReal(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	op := startOperating(ctx, t, "steadfast-tailoring-operating", []string{"ACC-02", "GOV-07", "BRT-03"})
	spec, svc, prompts := op.spec, op.svc, op.prompts
	evidence := func(ps []compliance.Prompt, control string) []compliance.Prompt {
		var out []compliance.Prompt
		for _, p := range ps {
			if strings.HasPrefix(p.Key, "evidence/"+control+"/") {
				out = append(out, p)
			}
		}
		return out
	}
	require.Eventually(t, func() bool {
		ps := prompts()
		return len(evidence(ps, "GOV-07")) > 0 && len(evidence(ps, "ACC-02")) > 0
	}, time.Minute, 200*time.Millisecond, "the scheduler never asked for GOV-07 and ACC-02")
	for _, p := range evidence(prompts(), "ACC-02") {
		assert.Equal(t, "priya@brightlane.io", p.AddresseeEmail, "before the change: the access area's owner")
	}

	next := spec.Tailoring
	next.Controls = maps.Clone(spec.Tailoring.Controls)
	next.Controls["GOV-07"] = compliance.ControlTailoring{NotApplicable: true, Justification: "the org chart is the HR system's live view"}
	next.Controls["ACC-02"] = compliance.ControlTailoring{Owner: "leo@brightlane.io", Justification: "Leo took over provisioning"}
	next.Custom = append(slices.Clone(spec.Tailoring.Custom), compliance.CustomControl{
		ID: "BRT-03", Title: "Release freeze review", Domain: compliance.DomainChange, Type: "procedure",
		Description: "Before each quarterly release freeze the release manager reviews the changes still open and who approved them.",
		Frequency:   compliance.FreqQuarterly, Evidence: "The freeze review's checklist", Owner: "priya@brightlane.io",
		Maps: map[compliance.FrameworkID]map[string]string{compliance.SOC2: {"CC8.1": "open changes are reviewed and approved before release"}},
	})
	ch, err := svc.ChangeTailoring(ctx, engagement.ChangeTailoringRequest{EngagementID: spec.ID, Tailoring: next, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	assert.Equal(t, []string{"ACC-02", "BRT-03"}, ch.NewControls)
	var signoff compliance.Prompt
	require.Eventually(t, func() bool {
		i := slices.IndexFunc(prompts(), func(p compliance.Prompt) bool { return p.Key == "scope-change/"+ch.ID })
		if i >= 0 {
			signoff = prompts()[i]
		}
		return i >= 0
	}, time.Minute, 200*time.Millisecond, "the lead was not asked")
	// The cadence is unchanged until the lead approves.
	time.Sleep(4 * time.Second)
	assert.Empty(t, evidence(prompts(), "BRT-03"), "not scheduled before the lead approves")
	_, err = svc.Answer(ctx, engagement.AnswerRequest{PromptID: signoff.ID, Choice: "approve", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)

	// The next batch reads the new tailoring: the custom control is asked.
	var firstNew time.Time
	require.Eventually(t, func() bool {
		if ps := evidence(prompts(), "BRT-03"); len(ps) > 0 {
			firstNew = ps[0].CreatedAt
			for _, p := range ps[1:] {
				if p.CreatedAt.Before(firstNew) {
					firstNew = p.CreatedAt
				}
			}
			return true
		}
		return false
	}, time.Minute, 200*time.Millisecond, "the custom control never joined the cadence")
	// Two more ticks, then look at everything asked since.
	time.Sleep(7 * time.Second)
	ps := prompts()
	for _, p := range evidence(ps, "GOV-07") {
		assert.False(t, p.CreatedAt.After(firstNew), "GOV-07 is not applicable and was still asked at %s (new cadence from %s)", p.CreatedAt, firstNew)
	}
	leo := 0
	for _, p := range evidence(ps, "ACC-02") {
		if !p.CreatedAt.Before(firstNew) {
			assert.Equal(t, "leo@brightlane.io", p.AddresseeEmail, "%s: the new owner is asked", p.Key)
			leo++
		}
	}
	assert.Positive(t, leo, "ACC-02 is still asked, of its new owner")
	for _, p := range evidence(ps, "BRT-03") {
		assert.Equal(t, "priya@brightlane.io", p.AddresseeEmail)
	}

	// Only the affected controls are assessed again, in the change's round.
	round := "gap/" + ch.ID + "/"
	require.Eventually(t, func() bool {
		n := 0
		for _, p := range prompts() {
			if strings.HasPrefix(p.Key, round) {
				n++
			}
		}
		return n == 2
	}, time.Minute, 200*time.Millisecond, "the affected controls were not assessed again")
	for _, p := range prompts() {
		if strings.HasPrefix(p.Key, "gap/") {
			assert.True(t, strings.HasPrefix(p.Key, round), "nothing else is assessed: %s", p.Key)
		}
	}
	status, err := svc.Status(ctx, engagement.StatusRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	assert.Equal(t, compliance.PhaseOperating, status.Phase)
}

// operatingEngagement is the tailored example's engagement started in its
// operating period (remediation over) on a dev server and Postgres.
type operatingEngagement struct {
	spec    *compliance.Spec
	db      testenv.Database
	tmp     testenv.Temporal
	svc     *engagement.Service
	prompts func() []compliance.Prompt
}

// startOperating starts it, with the scheduler on a three-second test
// cadence for these controls; the test's end terminates its workflows.
func startOperating(ctx context.Context, t *testing.T, queue string, controls []string) operatingEngagement {
	t.Helper()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, err := catalog.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	now := time.Now().UTC()
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(now.AddDate(0, 0, -10)), End: compliance.DateOf(now.AddDate(0, 6, 0))}
	spec.AuditDate = compliance.DateOf(now.AddDate(0, 7, 0))
	plan, err := compliance.PlanEngagement(spec, now.AddDate(0, -2, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseRemediated, RecordedBy: "test", At: now}))

	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Temporal: tmp.Client})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue}

	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: *spec, Plan: &plan, Phase: compliance.PhaseRemediated,
		Revision: 1, StartedAt: now, UpdatedAt: now}
	id := workflows.EngagementWorkflowID(spec.ID)
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, workflows.EngagementWorkflowName,
		workflows.EngagementInput{Spec: *spec, StartedBy: "test", State: st,
			Test: &workflows.TestHooks{OperatingTick: 3 * time.Second, OperatingControls: controls}})
	require.NoError(t, err)
	t.Cleanup(func() {
		for _, wid := range []string{id, workflows.OperatingWorkflowID(spec.ID)} {
			_ = tmp.Client.TerminateWorkflow(context.Background(), wid, "", "test over")
		}
	})
	return operatingEngagement{spec: spec, db: db, tmp: tmp, svc: svc, prompts: func() []compliance.Prompt {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		return ps
	}}
}
