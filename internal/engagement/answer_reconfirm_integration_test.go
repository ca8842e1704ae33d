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
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestLibraryAnswerReconfirmedForReal: on the dev server and Postgres,
// through the service the CLI calls. New evidence of ACC-04 takes the
// approved answer resting on it out of the library; a stranger, another
// owner and the lead cannot re-confirm it; its owner rewrites it; another
// owner cannot approve it back; the lead does and it is offered again.
func TestLibraryAnswerReconfirmedForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	now := time.Now().UTC()
	at := now.AddDate(0, -2, 0)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: workflows.PhaseProgramme, RecordedBy: "test", At: at}))
	const queue = "steadfast-reconfirm"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue}
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: workflows.PhaseProgramme, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at, ProgrammeStarted: true}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)

	// An approved answer on ACC-04 (priya's) from an earlier review.
	review := "acme-bank-" + compliance.DateOf(now.AddDate(0, 0, 10)).String()
	require.NoError(t, db.Store.ImportCustomerReview(ctx, postgres.CustomerReview{EngagementID: spec.ID, ReviewID: review, Customer: "Acme Bank",
		Due: compliance.DateOf(now.AddDate(0, 0, 10)), Format: "csv", FileName: "acme.csv", ImportedBy: "maya@brightlane.io", ImportedAt: at},
		[]custreview.Routed{{Question: custreview.Question{ID: "Q1", Text: "Do you review access?"}, Controls: []string{"ACC-04"}, Owner: "priya@brightlane.io"}}))
	for _, c := range []custreview.Change{
		{QuestionID: "Q1", Answer: &custreview.Answer{Text: "Quarterly.", Evidence: "https://wiki/acc-04", By: "priya@brightlane.io"}, Key: "a"},
		{QuestionID: "Q1", ApprovedBy: "maya@brightlane.io", Key: "b"}} {
		c.EngagementID, c.ReviewID, c.At = spec.ID, review, at
		require.NoError(t, db.Store.ChangeQuestion(ctx, c))
	}

	// New evidence of ACC-04: the answer leaves the library.
	_, err = db.Store.AddEvidence(ctx, postgres.Evidence{EngagementID: spec.ID, ControlID: "ACC-04", OccurrenceKey: "ACC-04/q",
		PeriodStart: at, PeriodEnd: now, DueAt: now, SubmittedAt: now.Add(-time.Minute), SubmittedBy: "priya@brightlane.io",
		Channel: postgres.ChannelCLI, Kind: "link", Value: "https://drive/acc-04-q.pdf", SubmissionKey: "cli/acc-04-q"})
	require.NoError(t, err)
	lib, err := db.Store.AnswerLibrary(ctx, spec.ID)
	require.NoError(t, err)
	assert.Empty(t, lib, "not offered as it was")
	un, err := svc.Unsettled(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, un, 1)

	req := engagement.ReconfirmRequest{EngagementID: spec.ID, ReviewID: review, QuestionID: "Q1", Answer: "Quarterly, with the new review attached."}
	r := req
	r.Actor = cli("stranger@example.com")
	_, err = svc.Reconfirm(ctx, r)
	require.ErrorContains(t, err, "not a person of this engagement")
	r.Actor = cli("maya@brightlane.io")
	_, err = svc.Reconfirm(ctx, r)
	require.ErrorContains(t, err, "only its owner priya@brightlane.io", "not even the lead re-confirms for the owner")
	// A raw Temporal client is refused the same way.
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		UpdateName: workflows.UpdateReconfirmAnswer, UpdateID: "raw", WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.ReconfirmAnswerRequest{ReviewID: review, QuestionID: "Q1", Approve: true, Actor: cli("priya@brightlane.io")}}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	require.ErrorContains(t, err, "waits on its owner's re-confirmation first")

	r.Actor = cli("priya@brightlane.io")
	q, err := svc.Reconfirm(ctx, r)
	require.NoError(t, err)
	assert.Equal(t, "priya@brightlane.io", q.ReconfirmedBy)
	_, err = svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: review, QuestionID: "Q1", Actor: cli("leo@brightlane.io")})
	require.ErrorContains(t, err, "may not triage or approve")
	lib, err = db.Store.AnswerLibrary(ctx, spec.ID)
	require.NoError(t, err)
	assert.Empty(t, lib, "re-confirmed but not yet approved again")

	a, err := svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: review, QuestionID: "Q1", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	assert.Equal(t, "maya@brightlane.io", a.ApprovedBy)
	lib, err = db.Store.AnswerLibrary(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, lib, 1, "offered again")
	assert.Equal(t, "Quarterly, with the new review attached.", lib[0].Answer)
	un, err = svc.Unsettled(ctx, spec.ID)
	require.NoError(t, err)
	assert.Empty(t, un)
}
