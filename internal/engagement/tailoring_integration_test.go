package engagement_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// tailoredFixture starts examples/tailored-saas.yaml (owner overrides, two
// custom controls, three not applicable, one inherited) through the service
// on a dev server and Postgres, with its window moved ahead of today, and
// approves its scope as the lead.
func tailoredFixture(t *testing.T) (*engagement.Service, *compliance.Spec, testenv.Database) {
	t.Helper()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := catalog.LoadSpec("../../examples/tailored-saas.yaml")
	require.NoError(t, err)
	// Six whole calendar months from the first of a month at least 100
	// days ahead, so a monthly control has six occurrences.
	soon := time.Now().AddDate(0, 0, 100)
	first := time.Date(soon.Year(), soon.Month()+1, 1, 0, 0, 0, 0, time.UTC)
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(first), End: compliance.DateOf(first.AddDate(0, 6, -1))}
	spec.AuditDate = compliance.DateOf(first.AddDate(0, 6, 20))

	const queue = "steadfast-tailoring"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store, Temporal: tmp.Client})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue}

	_, err = svc.Start(ctx, engagement.StartRequest{Spec: spec, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		return slices.ContainsFunc(ps, func(p compliance.Prompt) bool { return p.AddresseeEmail == "maya@brightlane.io" })
	}, "the lead's scope sign-off")
	scope, err := svc.Scope(ctx, engagement.ScopeRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	for _, r := range scope.Risks {
		assert.NotEqual(t, compliance.RuleTailoredUncovered, r.Rule, "the example's tailoring leaves every requirement covered: %s", r.Message)
	}
	_, err = svc.DecideScope(ctx, engagement.DecideScopeRequest{EngagementID: spec.ID, Decision: workflows.DecisionApprove,
		Reason: "tailoring reviewed", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	return svc, spec, db
}

// waitPrompts polls the engagement's open prompts until ok holds.
func waitPrompts(t *testing.T, svc *engagement.Service, id string, ok func([]compliance.Prompt) bool, what string) []compliance.Prompt {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		res, err := svc.Prompts(context.Background(), engagement.PromptsRequest{EngagementID: id, Status: "open"})
		if err == nil && ok(res.Prompts) {
			return res.Prompts
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s (last error %v, %d prompts)", what, err, len(res.Prompts))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestTailoredEngagementForReal runs the tailored example end to end on
// Temporal and Postgres: applicability and the SoA from the recorded spec,
// the gap assessment asking each control's own owner and never a
// not-applicable or inherited control, the cadence at the tailored
// frequency, and the pack's tailoring.csv.
func TestTailoredEngagementForReal(t *testing.T) {
	svc, spec, db := tailoredFixture(t)
	ctx := context.Background()

	// Applicability and the SoA, from the spec as the engagement recorded it.
	recorded, plan, err := db.Store.SpecAndPlan(ctx, spec.ID)
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(&recorded)
	require.NoError(t, err)
	require.NotNil(t, app.Control("BRT-01"))
	require.NotNil(t, app.Control("BRT-02"))
	require.NotNil(t, app.InheritedControl("CRY-02"))
	for _, id := range []string{"AST-09", "ACC-16", "DAT-05", "CRY-02"} {
		assert.Nil(t, app.Control(id), id)
	}
	soa := map[string]catalog.SoAEntry{}
	for _, e := range app.SoA {
		soa[e.ID] = e
	}
	assert.False(t, soa["A.7.13"].Included)
	assert.Contains(t, soa["A.7.13"].Reason, "AST-09: No on-premises equipment")
	assert.Equal(t, "Amazon Web Services", soa["A.8.24"].PerformedBy["CRY-02"])
	assert.Contains(t, soa["A.8.12"].Controls, "BRT-01")

	// The gap assessment asks every control the client operates, each of
	// its own owner; not-applicable and inherited controls are not asked.
	ps := waitPrompts(t, svc, spec.ID, func(ps []compliance.Prompt) bool {
		n := 0
		for _, p := range ps {
			if strings.HasPrefix(p.Key, "gap/") {
				n++
			}
		}
		return n == len(app.Controls)
	}, "one gap-assessment question per applicable control")
	asked := map[string]string{}
	for _, p := range ps {
		if id, ok := strings.CutPrefix(p.Key, "gap/"); ok {
			asked[id] = p.AddresseeEmail
		}
	}
	assert.Len(t, asked, len(app.Controls))
	assert.Equal(t, "leo@brightlane.io", asked["ACC-04"], "the per-control owner wins over the access area's (Priya)")
	assert.Equal(t, "priya@brightlane.io", asked["ACC-02"], "no override: the area's owner")
	assert.Equal(t, "maya@brightlane.io", asked["GOV-05"])
	assert.Equal(t, "priya@brightlane.io", asked["BRT-01"], "a custom control's own owner")
	assert.Equal(t, "leo@brightlane.io", asked["BRT-02"], "a custom control without one: its area's (incident, Leo)")
	for _, id := range []string{"AST-09", "ACC-16", "DAT-05", "CRY-02"} {
		assert.NotContains(t, asked, id, "%s is not asked", id)
	}

	// The cadence the operating window will run: the real activity, on
	// the recorded spec, at the tailored frequency and owner.
	acts := &activities.Activities{Store: db.Store}
	next, err := acts.NextOccurrences(ctx, activities.NextOccurrencesInput{FromStore: true, EngagementID: spec.ID,
		Plan: plan, Until: time.Now().AddDate(2, 0, 0)})
	require.NoError(t, err)
	evidence := map[string][]activities.ScheduledOccurrence{}
	for _, o := range next.Occurrences {
		if !o.Review {
			evidence[o.ControlID] = append(evidence[o.ControlID], o)
		}
	}
	require.Len(t, evidence["ACC-04"], 6, "monthly over a six-month window, not quarterly")
	assert.Equal(t, compliance.FreqMonthly, evidence["ACC-04"][0].Frequency)
	assert.Equal(t, "leo@brightlane.io", evidence["ACC-04"][0].Owner.Email)
	assert.GreaterOrEqual(t, len(evidence["BRT-02"]), 25, "the weekly custom control")
	assert.Len(t, evidence["BRT-01"], 2, "the quarterly custom control")
	for _, id := range []string{"AST-09", "ACC-16", "DAT-05", "CRY-02"} {
		assert.Empty(t, evidence[id], "%s has no cadence", id)
	}

	// A scheduler started before schedulers followed the store names its
	// engagement and carries the spec it was started with: once the stored
	// tailoring differs from its own, it schedules from the stored spec.
	untailored := *spec
	untailored.Tailoring = compliance.Tailoring{}
	old, err := acts.NextOccurrences(ctx, activities.NextOccurrencesInput{EngagementID: spec.ID, Spec: untailored,
		Plan: plan, Until: time.Now().AddDate(2, 0, 0)})
	require.NoError(t, err)
	assert.Equal(t, len(next.Occurrences), len(old.Occurrences), "the stored spec's cadence")
	assert.False(t, slices.ContainsFunc(old.Occurrences, func(o activities.ScheduledOccurrence) bool { return o.ControlID == "AST-09" }),
		"a control made not applicable is no longer asked")
	// Without an engagement to read, the scheduler's own spec stands.
	own, err := acts.NextOccurrences(ctx, activities.NextOccurrencesInput{Spec: untailored, Plan: plan, Until: time.Now().AddDate(2, 0, 0)})
	require.NoError(t, err)
	assert.True(t, slices.ContainsFunc(own.Occurrences, func(o activities.ScheduledOccurrence) bool { return o.ControlID == "AST-09" }))

	// The coverage read model reports the same frequency and owner.
	op, err := svc.Operating(ctx, engagement.OperatingRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	i := slices.IndexFunc(op.Controls, func(c reports.ControlReport) bool { return c.ControlID == "ACC-04" })
	require.GreaterOrEqual(t, i, 0)
	assert.Equal(t, compliance.FreqMonthly, op.Controls[i].Frequency)
	assert.Equal(t, "leo@brightlane.io", op.Controls[i].Owner)

	// The pack the auditor downloads lists the tailoring with its reasons.
	files, err := svc.EvidencePackFiles(ctx, spec.ID)
	require.NoError(t, err)
	csv := string(files[evidencepack.TailoringCSV])
	assert.Contains(t, csv, "CRY-02,Encryption at rest,inherited,operated by the client,performed by Amazon Web Services,")
	assert.Contains(t, csv, "AST-09,Equipment maintenance,not-applicable,")
	assert.Contains(t, csv, "BRT-02,On-call handover review,custom-control,")
}
