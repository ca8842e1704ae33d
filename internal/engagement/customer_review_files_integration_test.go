package engagement_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestExportWithFilesOnlyWhenTheLeadAllowsForReal: on the dev server and
// Postgres, through the service the CLI and the web call. The export with
// files is refused until the lead allows it; an owner and the consultant
// are refused the decision (a raw Temporal client as the CLI is); the
// lead's decision is recorded once; the zip then holds the sheet (formula
// cells neutralised, each approved answer naming its files) and the file
// the approved answer rests on, byte for byte — not a file given after the
// approval, nor anything for an answer not approved.
func TestExportWithFilesOnlyWhenTheLeadAllowsForReal(t *testing.T) {
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
	const queue = "steadfast-review-files"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	blobs, err := blob.NewLocal(t.TempDir(), 0)
	require.NoError(t, err)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue, Blobs: blobs}
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: workflows.PhaseProgramme, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at, ProgrammeStarted: true}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)

	// The access review's file, recorded before the answer resting on it
	// was approved; another file after the approval.
	before := []byte("%PDF-1.4 access review Q1\n")
	addFile := func(key string, body []byte, when time.Time) {
		obj, err := blobs.Put(ctx, bytes.NewReader(body))
		require.NoError(t, err)
		_, err = db.Store.AddEvidence(ctx, postgres.Evidence{EngagementID: spec.ID, ControlID: "ACC-04", OccurrenceKey: "ACC-04/" + key,
			PeriodStart: at, PeriodEnd: now, DueAt: now, SubmittedAt: when, SubmittedBy: "priya@brightlane.io", Channel: postgres.ChannelCLI,
			Kind: "file", Value: obj.SHA256, SubmissionKey: "cli/" + key, ArtifactSHA256: obj.SHA256, ArtifactSize: obj.Size,
			ContentType: obj.ContentType, Filename: "../" + key + " review.pdf"})
		require.NoError(t, err)
	}
	addFile("q1", before, at.Add(time.Hour))
	review := "acme-bank-" + compliance.DateOf(now.AddDate(0, 0, 10)).String()
	require.NoError(t, db.Store.ImportCustomerReview(ctx, postgres.CustomerReview{EngagementID: spec.ID, ReviewID: review, Customer: "Acme Bank",
		Due: compliance.DateOf(now.AddDate(0, 0, 10)), Format: "csv", FileName: "acme.csv", ImportedBy: "maya@brightlane.io", ImportedAt: at},
		[]custreview.Routed{
			{Question: custreview.Question{ID: "Q1", Text: "Do you review access?"}, Controls: []string{"ACC-04"}, Owner: "priya@brightlane.io"},
			{Question: custreview.Question{ID: "Q2", Text: "And privileged access?"}, Controls: []string{"ACC-04"}, Owner: "priya@brightlane.io"}}))
	for _, c := range []custreview.Change{
		{QuestionID: "Q1", Answer: &custreview.Answer{Text: "=HYPERLINK(\"x\") quarterly.", Evidence: "ACC-04/q1", By: "priya@brightlane.io"}, Key: "a"},
		{QuestionID: "Q1", ApprovedBy: "maya@brightlane.io", Key: "b"},
		{QuestionID: "Q2", Answer: &custreview.Answer{Text: "Monthly.", By: "priya@brightlane.io"}, Key: "c"}} {
		c.EngagementID, c.ReviewID, c.At = spec.ID, review, at.Add(2*time.Hour)
		require.NoError(t, db.Store.ChangeQuestion(ctx, c))
	}
	addFile("q2", []byte("%PDF-1.4 a later review\n"), at.Add(3*time.Hour))

	var zipped bytes.Buffer
	_, err = svc.ExportCustomerReviewWithFiles(ctx, spec.ID, review, &zipped)
	require.ErrorContains(t, err, "carries references only")
	assert.Zero(t, zipped.Len(), "nothing written before the refusal")

	allow := engagement.AllowReviewFilesRequest{EngagementID: spec.ID, ReviewID: review}
	for who, want := range map[string]string{"leo@brightlane.io": "may not allow evidence files", "sam@steadfast.example": "only the lead or a lead delegate"} {
		r := allow
		r.Actor = cli(who)
		_, err := svc.AllowReviewFiles(ctx, r)
		require.ErrorContains(t, err, want, who)
	}
	h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		UpdateName: workflows.UpdateAllowReviewFiles, UpdateID: "raw", WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.AllowReviewFilesRequest{ReviewID: review, Actor: cli("leo@brightlane.io")}}})
	if err == nil {
		err = h.Get(ctx, nil)
	}
	require.ErrorContains(t, err, "may not allow evidence files", "a raw client is refused as the CLI is")
	r := allow
	r.ReviewID = "nobody-2030-01-01"
	r.Actor = cli("maya@brightlane.io")
	_, err = svc.AllowReviewFiles(ctx, r)
	require.ErrorContains(t, err, "has no customer review")

	allow.Actor = cli("maya@brightlane.io")
	f, err := svc.AllowReviewFiles(ctx, allow)
	require.NoError(t, err)
	assert.Equal(t, "maya@brightlane.io", f.By)
	allow.Actor = cli("priya@brightlane.io")
	f, err = svc.AllowReviewFiles(ctx, allow)
	require.NoError(t, err)
	assert.Equal(t, "maya@brightlane.io", f.By, "the decision is recorded once")
	reviews, err := svc.CustomerReviews(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, reviews, 1)
	assert.True(t, reviews[0].Files.Allowed())
	var events int
	require.NoError(t, db.Store.Pool().QueryRow(ctx, `SELECT count(*) FROM engagement_events WHERE engagement_id = $1 AND kind = $2`,
		spec.ID, compliance.EventCustomerFilesAllowed).Scan(&events))
	assert.Equal(t, 1, events)

	res, err := svc.ExportCustomerReviewWithFiles(ctx, spec.ID, review, &zipped)
	require.NoError(t, err)
	assert.Equal(t, 1, res.Files)
	zr, err := zip.NewReader(bytes.NewReader(zipped.Bytes()), int64(zipped.Len()))
	require.NoError(t, err)
	got := map[string][]byte{}
	for _, zf := range zr.File {
		rc, err := zf.Open()
		require.NoError(t, err)
		body, err := io.ReadAll(rc)
		require.NoError(t, err)
		got[zf.Name] = body
	}
	require.Len(t, got, 2, "the sheet and the one file the approved answer rests on")
	sheet, err := csv.NewReader(bytes.NewReader(got[review+".csv"])).ReadAll()
	require.NoError(t, err)
	require.Len(t, sheet, 3)
	assert.Equal(t, "evidence_files", sheet[0][len(sheet[0])-1])
	assert.Equal(t, `'=HYPERLINK("x") quarterly.`, sheet[1][4], "a formula-leading answer is neutralised")
	name, _, _ := strings.Cut(sheet[1][9], " ")
	assert.True(t, strings.HasPrefix(name, "files/ACC-04/"), name)
	assert.NotContains(t, name, "..", "a stored name cannot climb out of files/")
	assert.Equal(t, before, got[name])
	assert.Empty(t, sheet[2][9], "an answer not approved carries no files")
	assert.Empty(t, sheet[2][4], "nor its answer")
}
