package workflows

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/jira"
	"github.com/steadfast-grc/steadfast/integrations/jira/jiraemu"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// What the integration tests on the dev server start with.

// realWorker runs the workflows on the dev server for one test, with the
// identity check the real worker runs, until the test ends.
func realWorker(t *testing.T, tmp testenv.Temporal, queue string, acts *activities.Activities) {
	t.Helper()
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(testActorKey)})
	Register(w, acts)
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
}

// recordedSpec is the test spec, changed by edit when given, planned from
// today and recorded as the scope the activities read.
func recordedSpec(ctx context.Context, t *testing.T, db testenv.Database, edit func(*compliance.Spec)) (compliance.Spec, compliance.Plan) {
	t.Helper()
	spec := testSpec(t)
	if edit != nil {
		edit(&spec)
	}
	plan, err := compliance.PlanEngagement(&spec, time.Now())
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, recordScopeInput(spec, plan)))
	return spec, plan
}

// programmeFixture is an engagement already in its programme on a dev server
// and Postgres, with update, which sends an update and waits for its result.
type programmeFixture struct {
	db     testenv.Database
	tmp    testenv.Temporal
	spec   compliance.Spec
	id     string
	update func(wid, name, updateID string, arg, out any) error
}

// programmeForReal starts an engagement in its programme on a real worker
// listening on queue; the test's end terminates it.
func programmeForReal(ctx context.Context, t *testing.T, queue string) programmeFixture {
	t.Helper()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})
	id := EngagementWorkflowID(spec.ID)
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, EngagementWorkflowName, EngagementInput{
		Spec: spec, State: &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Phase: PhaseProgramme,
			Revision: 1, Plan: &plan, ProgrammeStarted: true}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") })
	update := func(wid, name, updateID string, arg, out any) error {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateID: updateID, UpdateName: name,
			WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
		if err != nil {
			return err
		}
		return h.Get(ctx, out)
	}
	return programmeFixture{db: db, tmp: tmp, spec: spec, id: id, update: update}
}

// waitPromptKeyed waits up to a minute for the engagement's prompt with
// this key to be recorded, and returns it; why says what failed if not.
func waitPromptKeyed(ctx context.Context, t *testing.T, db testenv.Database, engagementID, key, why string) compliance.Prompt {
	t.Helper()
	var p compliance.Prompt
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: engagementID})
		require.NoError(t, err)
		i := slices.IndexFunc(ps, func(p compliance.Prompt) bool { return p.Key == key })
		if i >= 0 {
			p = ps[i]
		}
		return i >= 0
	}, time.Minute, 100*time.Millisecond, why)
	return p
}

// jiraForReal is the Jira emulator on loopback, with an account for each
// person of spec, and the real Jira client talking to it over HTTP; the
// emulator stops when the test ends.
func jiraForReal(t *testing.T, spec compliance.Spec) (*jiraemu.Emulator, *jira.Client) {
	t.Helper()
	emu := jiraemu.New()
	t.Cleanup(emu.Close)
	for i, p := range spec.People {
		emu.AddUser(p.Email, fmt.Sprintf("acct-%d", i))
	}
	jc, err := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
	require.NoError(t, err)
	return emu, jc
}

// withISO adds ISO 27001 to the test spec.
func withISO(spec *compliance.Spec) {
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
}

// certifiedEngagementForReal starts the engagement's workflow on the dev
// server already certified by cert (in its programme phase, its programme
// started elsewhere) and terminates it when the test ends. It returns the
// engagement's workflow ID.
func certifiedEngagementForReal(ctx context.Context, t *testing.T, tmp testenv.Temporal, queue string, spec compliance.Spec, plan compliance.Plan, cert postcert.Certification) string {
	t.Helper()
	id := EngagementWorkflowID(spec.ID)
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
		WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE}, EngagementWorkflowName, EngagementInput{
		Spec: spec, State: &EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Spec: spec, Phase: PhaseProgramme,
			Revision: 1, Plan: &plan, ProgrammeStarted: true, Certifications: []postcert.Certification{cert}}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = tmp.Client.TerminateWorkflow(context.Background(), id, "", "test over") })
	return id
}
