package workflows

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// TestReportIssuedAndReadForReal: on the dev server, with Postgres, an
// engagement in its certified programme records the issued report with two
// exceptions: one on a gap the lead accepted beforehand, one a surprise. The
// surprise is escalated to the lead and the sponsor and carried as a finding;
// each control owner gets one reading prompt and answers it; an owner's
// explanation is approved by the lead. A raw client is refused exactly as
// the CLI is: an owner recording the report, the lead writing an owner's
// explanation, an owner approving their own.
//
// STEADFAST_UPDATE_HISTORIES=1 records the engagement's and the reading's
// histories under testdata/histories.
func TestReportIssuedAndReadForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, plan := recordedSpec(ctx, t, db, nil)
	const queue = "steadfast-report"
	realWorker(t, tmp, queue, &activities.Activities{Store: db.Store})

	// The lead accepted ACC-04's gap before the audit.
	now := time.Now()
	require.NoError(t, db.Store.ReplaceRegister(ctx, spec.ID, []postgres.GapEntry{{ControlID: "ACC-04", Rank: 1, Gap: true,
		Status: "missing", Title: "Access reviews", Domain: "access", OwnerEmail: "priya@brightlane.io", Frequency: "quarterly",
		Frameworks: []string{"soc2"}, Reasons: []string{"test"}}}, now))
	require.NoError(t, db.Store.RecordGapDecision(ctx, postgres.GapDecision{EngagementID: spec.ID, ControlID: "ACC-04", Accept: true,
		Reason: "one review late before the window; accepted", By: leadEmail, UpdateID: "accept-acc-04", At: now}))
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(now.Add(-24 * time.Hour)),
		ReportPeriod: compliance.Span{Start: spec.Frameworks[0].Window.Start, End: spec.Frameworks[0].Window.End}}
	if cert.ReportPeriod.End.After(cert.Date) {
		cert.ReportPeriod = compliance.Span{Start: compliance.DateOf(now.AddDate(-1, 0, -1)), End: compliance.DateOf(now.Add(-48 * time.Hour))}
	}
	require.NoError(t, db.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: spec.ID, Framework: cert.Framework,
		CertifiedOn: cert.Date, ReportPeriod: cert.ReportPeriod, RecordedBy: leadEmail, RecordedAt: now}))

	// The engagement, already in its programme (started elsewhere).
	id := certifiedEngagementForReal(ctx, t, tmp, queue, spec, plan, cert)
	key := report.Key{EngagementID: spec.ID, Framework: cert.Framework, Date: cert.Date}
	readingID := ReportReadingWorkflowID(spec.ID, key)
	defer func() { _ = tmp.Client.TerminateWorkflow(context.Background(), readingID, "", "test over") }()

	update := func(wid, name, updateID string, arg, out any) error {
		h, err := tmp.Client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{WorkflowID: wid, UpdateID: updateID, UpdateName: name,
			WaitForStage: client.WorkflowUpdateStageCompleted, Args: []any{arg}})
		if err != nil {
			return err
		}
		return h.Get(ctx, out)
	}
	req := RecordReportRequest{Framework: cert.Framework, Date: cert.Date, Opinion: report.Qualified, Exceptions: []report.ExceptionInput{
		{Ref: "ACC-04", Description: "One quarterly access review was performed late.", ManagementResponse: "Reviews are now ticketed."},
		{Ref: "CC7.2", Description: "Security alerts were not triaged for three days in May.", ManagementResponse: "An on-call rota covers alerts."},
	}, File: &compliance.Artifact{SHA256: strings.Repeat("ab", 32), Size: 1200, ContentType: "application/pdf", Filename: "soc2-report.pdf"}}

	// An owner may not record the report.
	bad := req
	bad.Actor = cli("leo@brightlane.io")
	err := update(id, UpdateRecordReport, "record-by-owner", bad, nil)
	require.ErrorContains(t, err, "may not record the report")
	// A reference outside the engagement is refused before anything is recorded.
	bad = req
	bad.Actor, bad.Exceptions = cli(leadEmail), []report.ExceptionInput{{Ref: "ZZZ-1", Description: "d", ManagementResponse: "m"}}
	require.ErrorContains(t, update(id, UpdateRecordReport, "record-bad-ref", bad, nil), `"ZZZ-1" names no control`)

	req.Actor = cli(leadEmail)
	var res RecordReportResult
	require.NoError(t, update(id, UpdateRecordReport, "record-report", req, &res))
	require.Len(t, res.Report.Exceptions, 2)
	assert.Equal(t, report.Accepted, res.Report.Exceptions[0].Origin, "ACC-04's gap was accepted beforehand")
	assert.Equal(t, report.Surprise, res.Report.Exceptions[1].Origin)
	assert.Equal(t, readingID, res.ReadingWorkflowID)
	require.Equal(t, 2, res.Readers, "priya and leo own the controls")
	require.ErrorContains(t, update(id, UpdateRecordReport, "record-again", req, nil), "already recorded")

	// The surprise is escalated to the lead and sponsor and becomes a finding.
	require.Eventually(t, func() bool {
		evs, err := db.Store.Events(ctx, spec.ID)
		require.NoError(t, err)
		for _, e := range evs {
			if e.Kind == activities.EventEscalated && strings.HasPrefix(e.Key, "escalated/report-surprise/") {
				return true
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "the surprise was not escalated")
	// Carried after the call-out: wait for it.
	require.Eventually(t, func() bool {
		findings, err := db.Store.ReadinessFindings(ctx, spec.ID)
		require.NoError(t, err)
		for _, f := range findings {
			if strings.HasPrefix(f.ReviewID, "report/") && strings.Contains(f.Exception, "exception 2 (CC7.2)") {
				return true
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "the surprise is not a finding for the next cycle")

	// Each owner gets one reading prompt and answers it.
	var prompts []postgres.Prompt
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID})
		require.NoError(t, err)
		prompts = prompts[:0]
		for _, p := range ps {
			if p.Kind == PromptKindReportReading {
				prompts = append(prompts, p)
			}
		}
		return len(prompts) == 2
	}, time.Minute, 200*time.Millisecond, "the reading prompts never opened")
	for _, p := range prompts {
		assert.Regexp(t, `your \d+ controls \([A-Z]{3}-\d+`, p.Question, "the question lists the owner's controls")
		require.NoError(t, update(p.ID, UpdateAnswerPrompt, "read-"+p.ID, AnswerPromptRequest{Choice: ChoiceRead, Actor: cli(p.AddresseeEmail)}, nil))
	}

	// The lead may not write an owner's explanation; the owner does, and
	// may not approve it; the lead approves it.
	sub := report.ControlSubject("ACC-04")
	require.ErrorContains(t, update(readingID, UpdateExplainReport, "explain-by-lead",
		ExplainReportRequest{Subject: sub, Text: "x", Actor: cli(leadEmail)}, nil), "may not explain")
	require.NoError(t, update(readingID, UpdateExplainReport, "explain-acc-04",
		ExplainReportRequest{Subject: sub, Text: "Every quarter I review who can reach production.", Actor: cli("priya@brightlane.io")}, nil))
	require.ErrorContains(t, update(readingID, UpdateApproveExplanation, "approve-own",
		ApproveExplanationRequest{Subject: sub, Actor: cli("priya@brightlane.io")}, nil), "may not approve it too")
	var ex ReportExplanation
	require.NoError(t, update(readingID, UpdateApproveExplanation, "approve-acc-04", ApproveExplanationRequest{Subject: sub, Actor: cli(leadEmail)}, &ex))
	assert.Equal(t, leadEmail, ex.ApprovedBy)

	// The record shows who has read what and the approved explanation.
	require.Eventually(t, func() bool {
		views, err := db.Store.Reports(ctx, spec.ID)
		require.NoError(t, err)
		if len(views) != 1 || len(views[0].Readings) != 2 {
			return false
		}
		for _, r := range views[0].Readings {
			if r.Status != postgres.ReadingRead {
				return false
			}
		}
		return len(views[0].Explained) == 1 && views[0].Explained[0].ApprovedBy == leadEmail
	}, time.Minute, 200*time.Millisecond, "the record does not show the readings and the approval")
	views, err := db.Store.Reports(ctx, spec.ID)
	require.NoError(t, err)
	assert.Equal(t, report.Qualified, views[0].Report.Opinion)
	assert.Equal(t, "soc2-report.pdf", views[0].Report.File.Filename)
	assert.Equal(t, cert.ReportPeriod, views[0].Report.Period)
	if updateHistories() {
		saveHistory(t, history(t, ctx, tmp.Client, id, ""), "engagement_report_recorded.json")
		saveHistory(t, history(t, ctx, tmp.Client, readingID, ""), "report_reading_read_explained.json")
	}
}
