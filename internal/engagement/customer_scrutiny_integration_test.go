package engagement_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// xlsx builds a questionnaire workbook.
func xlsx(t *testing.T, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // in memory
	for i, r := range rows {
		for j, v := range r {
			name, err := excelize.CoordinatesToCellName(j+1, i+1)
			require.NoError(t, err)
			require.NoError(t, f.SetCellStr("Sheet1", name, v))
		}
	}
	var b bytes.Buffer
	_, err := f.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

// promptsOf waits for n open prompts of a kind and returns them.
func promptsOf(t *testing.T, ctx context.Context, db testenv.Database, id, kind string, n int) []postgres.Prompt {
	t.Helper()
	var out []postgres.Prompt
	require.Eventually(t, func() bool {
		ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: id, Status: "open"})
		require.NoError(t, err)
		out = out[:0]
		for _, p := range ps {
			if p.Kind == kind {
				out = append(out, p)
			}
		}
		return len(out) == n
	}, 2*time.Minute, 200*time.Millisecond, "want %d open %s prompts", n, kind)
	return out
}

// TestCustomerScrutinyLifecycleForReal is issue 18's lifecycle on the dev
// server and Postgres, through the service the CLI and the web call: the
// issued report is recorded with two exceptions (one the lead accepted
// beforehand, one a surprise) and its file kept as evidence; the surprise
// is escalated and carried as a finding; every owner's reading prompt is
// answered; a 40-question XLSX questionnaire with bad rows is refused
// whole, then imported fixed, with its unmapped questions on the lead's
// triage list; the lead maps one, owners answer every routed question, the
// lead approves them, and the export is an XLSX with the approved answers,
// their owners and evidence, and formula-leading text neutralised.
func TestCustomerScrutinyLifecycleForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	spec, err := compliance.LoadSpec("../../examples/saas-startup.yaml")
	require.NoError(t, err)
	now := time.Now().UTC()
	spec.Frameworks[0].Window = &compliance.ObservationWindow{Start: compliance.DateOf(now.AddDate(-1, 0, -20)), End: compliance.DateOf(now.AddDate(0, 0, -20))}
	spec.AuditDate = compliance.DateOf(now.AddDate(0, 0, -10))
	at := now.AddDate(-1, -2, 0)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: workflows.PhaseProgramme, RecordedBy: "test", At: at}))
	const queue = "steadfast-scrutiny"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	blobs, err := blob.NewLocal(t.TempDir(), 0)
	require.NoError(t, err)
	svc := &engagement.Service{Temporal: tmp.Client, Store: db.Store, TaskQueue: queue, Blobs: blobs}

	// The lead accepted ACC-04's gap before the audit; the report is
	// certified (recorded and in the engagement's state: its programme runs).
	require.NoError(t, db.Store.ReplaceRegister(ctx, spec.ID, []postgres.GapEntry{{ControlID: "ACC-04", Rank: 1, Gap: true, Status: "missing",
		Title: "Access reviews", Domain: "access", OwnerEmail: "priya@brightlane.io", Frequency: "quarterly", Frameworks: []string{"soc2"},
		Reasons: []string{"planted"}}}, at))
	require.NoError(t, db.Store.RecordGapDecision(ctx, postgres.GapDecision{EngagementID: spec.ID, ControlID: "ACC-04", Accept: true,
		Reason: "one late review before the window", By: "maya@brightlane.io", UpdateID: "accept", At: at}))
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.DateOf(now.AddDate(0, 0, -2)),
		ReportPeriod: compliance.Span{Start: spec.Frameworks[0].Window.Start, End: spec.Frameworks[0].Window.End}}
	require.NoError(t, db.Store.RecordCertification(ctx, postgres.CertificationRow{EngagementID: spec.ID, Framework: cert.Framework,
		CertifiedOn: cert.Date, ReportPeriod: cert.ReportPeriod, RecordedBy: "maya@brightlane.io", RecordedAt: now}))
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: workflows.PhaseProgramme, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at, Certifications: []postcert.Certification{cert}, ProgrammeStarted: true}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)

	// 1. The report as issued.
	pdf := []byte("%PDF-1.7 the SOC 2 report of Brightlane")
	rec, err := svc.RecordReport(ctx, engagement.RecordReportRequest{EngagementID: spec.ID, Framework: cert.Framework, Date: cert.Date,
		Opinion: report.Qualified, Actor: cli("maya@brightlane.io"), File: &engagement.FileUpload{Name: "brightlane-soc2.pdf", Body: bytes.NewReader(pdf)},
		Exceptions: []report.ExceptionInput{
			{Ref: "ACC-04", Description: "One quarterly access review was late.", ManagementResponse: "Reviews are ticketed now."},
			{Ref: "CC7.2", Description: "Alerts waited three days in May.", ManagementResponse: "An on-call rota covers alerts."}}})
	require.NoError(t, err)
	require.Len(t, rec.Report.Exceptions, 2)
	assert.Equal(t, report.Accepted, rec.Report.Exceptions[0].Origin)
	assert.Equal(t, report.Surprise, rec.Report.Exceptions[1].Origin)
	rc, err := blobs.Open(ctx, rec.Report.File.SHA256)
	require.NoError(t, err, "the report's file is in the evidence store")
	require.NoError(t, rc.Close())

	// The surprise is escalated and carried into the next cycle.
	require.Eventually(t, func() bool {
		evs, err := db.Store.Events(ctx, spec.ID)
		require.NoError(t, err)
		for _, e := range evs {
			if e.Kind == activities.EventEscalated && strings.Contains(e.Key, "report-surprise/") {
				return true
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "the surprise was not escalated")

	// 5. Status names the owners who have not read it yet.
	require.Eventually(t, func() bool {
		v, err := svc.StatusReport(ctx, engagement.StatusRequest{EngagementID: spec.ID})
		require.NoError(t, err)
		return v.Scrutiny != nil && len(v.Scrutiny.Unread) == rec.Readers
	}, time.Minute, 200*time.Millisecond, "status does not show the unread owners")

	// 2. Every owner reads.
	for _, p := range promptsOf(t, ctx, db, spec.ID, workflows.PromptKindReportReading, rec.Readers) {
		_, err := svc.Answer(ctx, engagement.AnswerRequest{PromptID: p.ID, Choice: workflows.ChoiceRead, Actor: cli(p.AddresseeEmail)})
		require.NoError(t, err)
	}
	_, err = svc.Explain(ctx, engagement.ExplainRequest{Key: report.Key{EngagementID: spec.ID, Framework: cert.Framework, Date: cert.Date},
		Subject: report.ExceptionSubject(2), Text: "Alerts on the platform waited for three days; a rota now covers them.", Actor: cli("priya@brightlane.io")})
	require.NoError(t, err)
	_, err = svc.Explain(ctx, engagement.ExplainRequest{Key: report.Key{EngagementID: spec.ID, Framework: cert.Framework, Date: cert.Date},
		Subject: report.ExceptionSubject(2), Approve: true, Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	key := report.Key{EngagementID: spec.ID, Framework: cert.Framework, Date: cert.Date}
	_, err = svc.Explain(ctx, engagement.ExplainRequest{Key: key, Subject: report.ControlSubject("ACC-04"),
		Text: "Each quarter the system owners confirm who may reach production.", Actor: cli("priya@brightlane.io")})
	require.NoError(t, err)
	_, err = svc.Explain(ctx, engagement.ExplainRequest{Key: key, Subject: report.ControlSubject("ACC-04"), Approve: true, Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		views, err := svc.Reports(ctx, spec.ID)
		require.NoError(t, err)
		for _, r := range views[0].Readings {
			if r.Status != postgres.ReadingRead {
				return false
			}
		}
		return len(views[0].Readings) == rec.Readers
	}, time.Minute, 200*time.Millisecond, "not every reading is recorded as read")

	// 4. The questionnaire: 40 questions, 4 naming nothing the engagement runs.
	head := []string{"Question ID", "Question", "Control"}
	rows := [][]string{head}
	refs := []string{"ACC-04", "CC6.1", "CC7.2", "CHG-01", "GOV-01", "CC8.1", "VND-01", "CC6.6"}
	for i := 1; i <= 40; i++ {
		ref := refs[i%len(refs)]
		if i%10 == 0 {
			ref = "SIG-" + fmt.Sprint(i) // their own numbering: the lead triages it
		}
		if i == 5 {
			ref = "EXC-2" // a follow-up on the surprise exception
		}
		rows = append(rows, []string{fmt.Sprintf("Q%02d", i), fmt.Sprintf("Question %d about your controls?", i), ref})
	}
	bad := append(append([][]string{}, rows...), []string{"", "no ID", "ACC-04"}, []string{"Q41", "", "ACC-04"}, []string{"Q01", "twice", ""})
	_, err = svc.ImportCustomerReview(ctx, engagement.ImportCustomerReviewRequest{EngagementID: spec.ID, Customer: "Acme Bank",
		Due: compliance.DateOf(now.AddDate(0, 0, 14)), FileName: "acme.xlsx", Data: xlsx(t, bad), Actor: cli("maya@brightlane.io")})
	require.Error(t, err)
	for _, want := range []string{"Sheet1!A42: the question ID is empty", "Sheet1!B43: the question is empty", "Sheet1!A44: question Q01 is also at Sheet1!A2"} {
		assert.Contains(t, err.Error(), want)
	}
	reviews, err := svc.CustomerReviews(ctx, spec.ID)
	require.NoError(t, err)
	require.Empty(t, reviews, "nothing is imported on error")

	imp, err := svc.ImportCustomerReview(ctx, engagement.ImportCustomerReviewRequest{EngagementID: spec.ID, Customer: "Acme Bank",
		Due: compliance.DateOf(now.AddDate(0, 0, 14)), FileName: "acme.xlsx", Data: xlsx(t, rows), Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	assert.Equal(t, 36, imp.Routed)
	assert.Equal(t, []string{"Q10", "Q20", "Q30", "Q40"}, imp.Unmapped)

	v, err := svc.StatusReport(ctx, engagement.StatusRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	require.Len(t, v.Scrutiny.Reviews, 1, "status shows the open review")
	assert.Equal(t, 36, v.Scrutiny.Reviews[0].OnOwners)
	assert.Equal(t, 4, v.Scrutiny.Reviews[0].OnLead)
	assert.Empty(t, v.Scrutiny.Unread, "every owner has read the report")

	// The lead triages: an owner may not; the lead maps Q10; the rest stay.
	_, err = svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: imp.ReviewID, QuestionID: "Q10", Ref: "ACC-04", Actor: cli("leo@brightlane.io")})
	require.ErrorContains(t, err, "may not triage")
	q10, err := svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: imp.ReviewID, QuestionID: "Q10", Ref: "ACC-04", Actor: cli("maya@brightlane.io")})
	require.NoError(t, err)
	assert.Equal(t, "priya@brightlane.io", q10.Owner)

	// Owners answer every routed question; one answer starts with a formula.
	prompts := promptsOf(t, ctx, db, spec.ID, workflows.PromptKindCustomerQuestion, 37)
	followUp := 0
	for _, p := range prompts {
		if strings.HasSuffix(p.ID, "/Q05") {
			followUp++
			assert.Equal(t, rec.Report.Exceptions[1].Owners[0], strings.ToLower(p.AddresseeEmail), "the exception's owner answers the follow-up")
			assert.Contains(t, p.Question, "Management's response: An on-call rota covers alerts.")
		}
	}
	assert.Equal(t, 1, followUp)
	for _, p := range prompts {
		if strings.HasSuffix(p.ID, "/Q08") {
			assert.Contains(t, p.Question, "Your approved explanation of ACC-04: Each quarter", "the owner sees their approved explanation")
		}
	}
	for _, p := range prompts {
		note := "We do; see the linked evidence. (" + p.ID + ")"
		if strings.HasSuffix(p.ID, "/Q01") {
			note = `=HYPERLINK("http://evil.example","click")`
		}
		_, err := svc.Answer(ctx, engagement.AnswerRequest{PromptID: p.ID, Choice: workflows.ChoiceAnswer, Note: note,
			Link: "https://wiki.brightlane.io/evidence/" + p.ID[strings.LastIndex(p.ID, "/")+1:], Actor: cli(p.AddresseeEmail)})
		require.NoError(t, err)
	}
	var qs []postgres.CustomerQuestion
	defer func() {
		if t.Failed() {
			for _, q := range qs {
				t.Logf("%s %s %s", q.QuestionID, q.Status, q.Owner)
			}
		}
	}()
	require.Eventually(t, func() bool {
		_, qs, err = svc.CustomerQuestions(ctx, spec.ID, imp.ReviewID)
		require.NoError(t, err)
		n := 0
		for _, q := range qs {
			if q.Status == custreview.StatusAnswered {
				n++
			}
		}
		return n == 37
	}, 2*time.Minute, 200*time.Millisecond, "not every answer is recorded")

	// An owner may not approve; the lead approves each.
	_, err = svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: imp.ReviewID, QuestionID: "Q01", Actor: cli("priya@brightlane.io")})
	require.NoError(t, err, "priya is a lead delegate")
	_, err = svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: imp.ReviewID, QuestionID: "Q02", Actor: cli("leo@brightlane.io")})
	require.ErrorContains(t, err, "may not triage or approve")
	for _, q := range qs {
		if q.Status == custreview.StatusAnswered && q.QuestionID != "Q01" {
			_, err := svc.DecideQuestion(ctx, engagement.ReviewDecisionRequest{EngagementID: spec.ID, ReviewID: imp.ReviewID, QuestionID: q.QuestionID, Actor: cli("maya@brightlane.io")})
			require.NoError(t, err)
		}
	}

	v, err = svc.StatusReport(ctx, engagement.StatusRequest{EngagementID: spec.ID})
	require.NoError(t, err)
	assert.Equal(t, engagement.OpenReview{ReviewID: imp.ReviewID, Customer: "Acme Bank", Due: compliance.DateOf(now.AddDate(0, 0, 14)), OnLead: 3},
		v.Scrutiny.Reviews[0], "three questions still on the triage list")

	// The export: the same format, approved answers with owner and evidence.
	var out bytes.Buffer
	format, err := svc.ExportCustomerReview(ctx, spec.ID, imp.ReviewID, &out)
	require.NoError(t, err)
	assert.Equal(t, "xlsx", format)
	f, err := excelize.OpenReader(&out)
	require.NoError(t, err)
	defer func() { _ = f.Close() }() // in memory
	got, err := f.GetRows("Answers")
	require.NoError(t, err)
	require.Len(t, got, 41)
	byID := map[string][]string{}
	for _, r := range got[1:] {
		byID[r[0]] = r
	}
	assert.Equal(t, `'=HYPERLINK("http://evil.example","click")`, byID["Q01"][4], "a formula-leading answer is text")
	assert.Equal(t, "priya@brightlane.io", byID["Q01"][7], "approved by the delegate")
	assert.Equal(t, "https://wiki.brightlane.io/evidence/Q10", byID["Q10"][6])
	assert.Equal(t, custreview.StatusApproved, byID["Q10"][8])
	assert.Equal(t, custreview.StatusUnmapped, byID["Q20"][len(byID["Q20"])-1], "still on the triage list, no answer released")

	// A later question on an approved control is offered the library.
	lib, err := db.Store.AnswerLibrary(ctx, spec.ID)
	require.NoError(t, err)
	assert.Len(t, lib, 37)
	assert.NotEmpty(t, custreview.Relevant(lib, []string{"ACC-04"}, 3))
}
