package engagement_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// fixture is brightlane (saas-startup.yaml) recorded in a fresh Postgres,
// its engagement running in fieldwork on a dev server with a worker, and
// a Service over both. maya is the lead, priya a lead delegate who owns
// access and change, leo owns governance, sam is the consultant.
type fixture struct {
	svc  *engagement.Service
	tc   client.Client
	db   testenv.Database
	spec *compliance.Spec
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	// The window in the past, so events can have happened in it.
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.Date{Year: 2026, Month: 3, Day: 1}, End: compliance.Date{Year: 2026, Month: 8, Day: 31}}
	spec.AuditDate = compliance.Date{Year: 2026, Month: 9, Day: 20}
	at := time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseFieldwork, RecordedBy: "test", At: at}))
	const queue = "steadfast-service"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)
	return &fixture{svc: &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue}, tc: tmp.Client, db: db, spec: spec}
}

func cli(person string) compliance.Actor {
	return compliance.Actor{Person: person, Channel: compliance.ChannelCLI, Operator: "ops"}
}

func (f *fixture) count(t *testing.T, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, f.db.Store.Pool().QueryRow(context.Background(), sql).Scan(&n))
	return n
}

func TestServiceEvidence(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	add := func(key, link, person string) (engagement.AddEvidenceResult, error) {
		return f.svc.AddEvidence(ctx, engagement.AddEvidenceRequest{EngagementID: f.spec.ID, OccurrenceKey: key, Link: link, Actor: cli(person)})
	}
	_, err := add("ACC-08/2026-03", "https://drive.example/march", "leo@brightlane.io")
	require.EqualError(t, err, "leo@brightlane.io may not give evidence for ACC-08: its owner, the lead or a lead delegate may")
	_, err = add("ACC-08/2026-03", "https://drive.example/march", "bob@elsewhere.io")
	require.EqualError(t, err, "bob@elsewhere.io is not named in engagement brightlane")
	_, err = add("ACC-08/2031-03", "https://drive.example/march", "priya@brightlane.io")
	require.ErrorContains(t, err, "has no occurrence ACC-08/2031-03")
	_, err = add("ACC-08/2026-03", "drive/march", "priya@brightlane.io")
	require.ErrorContains(t, err, "not an http(s) link")
	_, err = f.svc.AddEvidence(ctx, engagement.AddEvidenceRequest{EngagementID: f.spec.ID, OccurrenceKey: "ACC-08/2026-03", Link: "https://x.example/a"})
	require.ErrorContains(t, err, "say who is acting")
	assert.Zero(t, f.count(t, `SELECT count(*) FROM evidence`), "nothing is recorded by a refused request")

	// Given months after its grace period: recorded, and counted as
	// raised retrospectively.
	res, err := add("ACC-08/2026-03", "https://drive.example/march", "priya@brightlane.io")
	require.NoError(t, err)
	assert.Equal(t, "retrospective", string(res.Status))
	again, err := add("ACC-08/2026-03", "https://drive.example/march", "priya@brightlane.io")
	require.NoError(t, err)
	assert.Equal(t, res.ID, again.ID, "the same command twice records one row")
	ev, err := f.db.Store.EvidenceFor(ctx, f.spec.ID)
	require.NoError(t, err)
	require.Len(t, ev, 1)
	assert.Equal(t, compliance.ChannelCLI, ev[0].Channel)
	assert.Equal(t, "priya@brightlane.io", ev[0].SubmittedBy)
	assert.Equal(t, "2026-03-01", ev[0].PeriodStart.Format("2006-01-02"), "the period comes from the cadence, not the caller")
}

func TestServicePopulationEvent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rec := func(person, at string) (engagement.RecordPopulationEventResult, error) {
		return f.svc.RecordPopulationEvent(ctx, engagement.RecordPopulationEventRequest{EngagementID: f.spec.ID, ControlID: "CHG-01",
			Ref: "https://git.example/pr/1", At: at, Summary: "rotate keys", Actor: cli(person)})
	}
	_, err := rec("leo@brightlane.io", "2026-04-02")
	require.EqualError(t, err, "leo@brightlane.io may not give evidence for CHG-01: its owner, the lead or a lead delegate may")
	_, err = rec("priya@brightlane.io", "2099-04-02")
	require.ErrorContains(t, err, "is in the future")
	res, err := rec("priya@brightlane.io", "2026-04-02")
	require.NoError(t, err)
	assert.True(t, res.Recorded)
	res, err = rec("maya@brightlane.io", "2026-04-02")
	require.NoError(t, err)
	assert.False(t, res.Recorded)
	require.NotNil(t, res.Before)
	assert.Equal(t, "priya@brightlane.io", res.Before.RecordedBy)

	list, err := f.svc.Population(ctx, engagement.PopulationRequest{EngagementID: f.spec.ID, ControlID: "CHG-01"})
	require.NoError(t, err)
	require.Len(t, list.Events, 1)
	assert.Equal(t, "https://git.example/pr/1", list.Events[0].EvidenceRef)
}

func TestServiceGapDecisionAndAuditRequests(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.svc.DecideGap(ctx, engagement.DecideGapRequest{EngagementID: f.spec.ID, ControlID: "ACC-04", Accept: true, Reason: "x", Actor: cli("leo@brightlane.io")})
	require.EqualError(t, err, "leo@brightlane.io may not decide on gaps: only the lead or a lead delegate may")
	_, err = f.svc.DecideGap(ctx, engagement.DecideGapRequest{EngagementID: f.spec.ID, ControlID: "ACC-04", Rank: 0, Reason: "x", Actor: cli("maya@brightlane.io")})
	require.ErrorContains(t, err, "there is no gap register to rank in yet")
	// Allowed, but there is no register yet: compliance's rank rule says so.
	_, err = f.svc.DecideGap(ctx, engagement.DecideGapRequest{EngagementID: f.spec.ID, ControlID: "ACC-04", Rank: 2, Reason: "x", Actor: cli("maya@brightlane.io")})
	require.ErrorContains(t, err, "there is no gap register to rank in yet")

	fields := auditreq.Fields{RequestID: "PBC-1", ControlID: "ACC-04", Description: "Q2 access review", Due: time.Now().AddDate(0, 2, 0).Format("2006-01-02")}
	_, err = f.svc.AddAuditRequest(ctx, engagement.AddAuditRequestRequest{EngagementID: f.spec.ID, Fields: fields, Actor: cli("leo@brightlane.io")})
	require.EqualError(t, err, "leo@brightlane.io may not add the auditor's requests in brightlane: an auditor invited to it, the lead, a lead delegate or the consultant may")
	assert.Zero(t, f.count(t, `SELECT count(*) FROM audit_requests`))

	res, err := f.svc.AddAuditRequest(ctx, engagement.AddAuditRequestRequest{EngagementID: f.spec.ID, Fields: fields, Actor: cli("sam@steadfast.example")})
	require.NoError(t, err)
	require.NoError(t, res.Failed())
	assert.Equal(t, 1, res.Routed)
	assert.Equal(t, "priya@brightlane.io", res.Requests[0].Stored.Owner, "a blank owner routes to the control's owner")
	fields.Due = time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	res, err = f.svc.AddAuditRequest(ctx, engagement.AddAuditRequestRequest{EngagementID: f.spec.ID, Fields: fields, Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	assert.Equal(t, 1, res.AlreadyRouted)
	assert.Equal(t, []string{auditreq.ColDue}, res.Requests[0].Changed)

	list, err := f.svc.AuditRequests(ctx, engagement.AuditRequestsRequest{EngagementID: f.spec.ID, Status: "all"})
	require.NoError(t, err)
	require.Len(t, list.Rows, 1)
	assert.Equal(t, "sam@steadfast.example", list.Rows[0].RequestedBy)
	_, err = f.svc.AuditRequests(ctx, engagement.AuditRequestsRequest{EngagementID: f.spec.ID, Status: "late"})
	require.ErrorContains(t, err, "--status must be open, answered, withdrawn or all")
}

// TestRawClientRefusedLikeTheService sends each engagement update from a
// plain Temporal client, as someone the rules do not allow, and expects
// the refusal the service (and so the CLI) gives, word for word, with
// nothing recorded.
func TestRawClientRefusedLikeTheService(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	leo := cli("leo@brightlane.io")
	raw := func(name string, req any) error {
		h, err := f.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
			WorkflowID: workflows.EngagementWorkflowID(f.spec.ID), UpdateName: name, UpdateID: "raw/" + name,
			Args: []any{req}, WaitForStage: client.WorkflowUpdateStageCompleted,
		})
		if err != nil {
			return err
		}
		return h.Get(ctx, nil)
	}
	_, evidenceErr := f.svc.AddEvidence(ctx, engagement.AddEvidenceRequest{EngagementID: f.spec.ID, OccurrenceKey: "ACC-08/2026-03",
		Link: "https://drive.example/march", Actor: leo})
	_, populationErr := f.svc.RecordPopulationEvent(ctx, engagement.RecordPopulationEventRequest{EngagementID: f.spec.ID, ControlID: "CHG-01",
		Ref: "PR-1", At: "2026-04-02", Summary: "x", Actor: leo})
	_, gapErr := f.svc.DecideGap(ctx, engagement.DecideGapRequest{EngagementID: f.spec.ID, ControlID: "ACC-04", Accept: true, Reason: "x", Actor: leo})
	_, importErr := f.svc.ImportPopulation(ctx, engagement.ImportPopulationRequest{EngagementID: f.spec.ID, Actor: leo})
	_, auditErr := f.svc.AddAuditRequest(ctx, engagement.AddAuditRequestRequest{EngagementID: f.spec.ID, Actor: leo,
		Fields: auditreq.Fields{RequestID: "PBC-1", Description: "x", Due: time.Now().AddDate(0, 2, 0).Format("2006-01-02")}})
	until := compliance.DateOf(time.Now()).AddDays(30)
	inviteErr := f.svc.InviteAuditor(ctx, engagement.InviteAuditorRequest{EngagementID: f.spec.ID, Email: "auditor@cpa.example", Until: until, Actor: leo})

	for _, tc := range []struct {
		name    string
		req     any
		service error
	}{
		{workflows.UpdateAddEvidence, workflows.AddEvidenceRequest{Actor: leo, OccurrenceKey: "ACC-08/2026-03",
			Kind: workflows.EvidenceLink, Value: "https://drive.example/march"}, evidenceErr},
		{workflows.UpdateRecordPopulationEvent, workflows.RecordPopulationEventRequest{Actor: leo, ControlID: "CHG-01", Ref: "PR-1",
			OccurredAt: time.Date(2026, 4, 2, 12, 0, 0, 0, time.UTC), Summary: "x"}, populationErr},
		{workflows.UpdateDecideGap, workflows.DecideGapRequest{Actor: leo, ControlID: "ACC-04", Accept: true, Reason: "x"}, gapErr},
		{workflows.UpdateAddAuditRequest, workflows.AddAuditRequestRequest{Actor: leo, RequestID: "PBC-1", Description: "x",
			Owner: "maya@brightlane.io", Due: time.Date(2026, 9, 14, 21, 0, 0, 0, time.UTC),
			PromptID: workflows.PromptWorkflowID(f.spec.ID, "audit/PBC-1")}, auditErr},
		{workflows.UpdateImportPopulation, workflows.ImportPopulationRequest{Actor: leo, From: time.Date(2026, 3, 1, 5, 0, 0, 0, time.UTC),
			To: time.Date(2026, 9, 1, 4, 0, 0, 0, time.UTC)}, importErr},
		{workflows.UpdateInviteAuditor, workflows.InviteAuditorRequest{Actor: leo, Email: "auditor@cpa.example", Until: until}, inviteErr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, tc.service, "the service refuses leo")
			err := raw(tc.name, tc.req)
			require.Error(t, err, "a raw client is refused too")
			assert.Contains(t, err.Error(), tc.service.Error(), "in the same words")
		})
	}
	// Nor can anyone act without saying who they are.
	err := raw(workflows.UpdateDecideGap, workflows.DecideGapRequest{ControlID: "ACC-04", Accept: true, Reason: "x"})
	require.ErrorContains(t, err, "say who is acting")

	for _, table := range []string{"evidence", "population_events", "audit_requests", "web_auditor_invites"} {
		assert.Zero(t, f.count(t, "SELECT count(*) FROM "+table), table)
	}
	assert.Zero(t, f.count(t, `SELECT count(*) FROM engagement_events WHERE kind IN ('gap-accepted', 'gap-overridden', 'evidence-added', 'audit-request-added')`))
}

func TestServiceNeedsWhatItUses(t *testing.T) {
	var svc engagement.Service
	_, err := svc.Status(context.Background(), engagement.StatusRequest{EngagementID: "x"})
	require.ErrorIs(t, err, engagement.ErrNoTemporal)
	_, err = svc.Gaps(context.Background(), engagement.GapsRequest{EngagementID: "x"})
	require.ErrorIs(t, err, engagement.ErrNoStore)
}

// An audit request's prompt is answered and reassigned through the
// service, with the prompt's own validator deciding who may.
func TestServiceAnswerAndReassign(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	route := func(id string) string {
		res, err := f.svc.AddAuditRequest(ctx, engagement.AddAuditRequestRequest{EngagementID: f.spec.ID, Actor: cli("maya@brightlane.io"),
			// Due well after now, so the question is still open.
			Fields: auditreq.Fields{RequestID: id, ControlID: "ACC-04", Description: "Q2 access review", Due: time.Now().AddDate(0, 2, 0).Format("2006-01-02")}})
		require.NoError(t, err)
		require.NoError(t, res.Failed())
		return res.Requests[0].Stored.PromptID
	}
	p1, p2 := route("PBC-1"), route("PBC-2")
	require.Eventually(t, func() bool {
		res, err := f.svc.Prompts(ctx, engagement.PromptsRequest{EngagementID: f.spec.ID, Addressee: "priya@brightlane.io"})
		return err == nil && len(res.Prompts) == 2
	}, time.Minute, 100*time.Millisecond, "both prompts open for the control's owner")

	_, err := f.svc.Answer(ctx, engagement.AnswerRequest{PromptID: p1, Choice: auditreq.ChoiceProvided, Link: "https://drive.example/pbc-1", Actor: cli("leo@brightlane.io")})
	require.ErrorContains(t, err, "leo@brightlane.io may not answer")
	ans, err := f.svc.Answer(ctx, engagement.AnswerRequest{PromptID: p1, Choice: auditreq.ChoiceProvided, Link: "https://drive.example/pbc-1", Actor: cli("priya@brightlane.io")})
	require.NoError(t, err)
	assert.Equal(t, compliance.ChannelCLI, ans.Channel)
	// The same command again is the same answer; with a corrected link it
	// says the first answer stands (issue 12 item 7: it printed "Recorded").
	_, err = f.svc.Answer(ctx, engagement.AnswerRequest{PromptID: p1, Choice: auditreq.ChoiceProvided, Link: "https://drive.example/pbc-1", Actor: cli("priya@brightlane.io")})
	require.NoError(t, err)
	_, err = f.svc.Answer(ctx, engagement.AnswerRequest{PromptID: p1, Choice: auditreq.ChoiceProvided, Link: "https://drive.example/pbc-1-corrected", Actor: cli("priya@brightlane.io")})
	var already engagement.AlreadyAnsweredError
	require.ErrorAs(t, err, &already)
	assert.Contains(t, err.Error(), `was already answered with "provided", link https://drive.example/pbc-1 by priya@brightlane.io`)
	assert.Contains(t, err.Error(), "the new note or link was not recorded")

	_, err = f.svc.Reassign(ctx, engagement.ReassignRequest{PromptID: p2, To: compliance.Person{Email: "leo@brightlane.io"}, Actor: cli("leo@brightlane.io")})
	require.ErrorContains(t, err, "may not reassign this question")
	moved, err := f.svc.Reassign(ctx, engagement.ReassignRequest{PromptID: p2, To: compliance.Person{Email: "leo@brightlane.io"}, Reason: "he holds the review", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	assert.Equal(t, "leo@brightlane.io", moved.To)

	rows, err := f.svc.AuditRequests(ctx, engagement.AuditRequestsRequest{EngagementID: f.spec.ID, Status: postgres.AuditAnswered})
	require.NoError(t, err)
	require.Len(t, rows.Rows, 1)
	assert.Equal(t, "https://drive.example/pbc-1", rows.Rows[0].AnswerLink)
}
