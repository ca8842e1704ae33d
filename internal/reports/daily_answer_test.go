package reports_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/workflows"
)

// A daily control's weekly batch prompt, answered with the days it was
// performed, records one evidence row per day (covering that day), and the
// readiness review samples those days and finds the day left out; answered
// with no days it records every day of the batch; a day outside the batch
// is refused before anything is recorded.
func TestDailyBatchAnswerRecordsOneRowPerDay(t *testing.T) {
	ctx := context.Background()
	e := newEngagement(t)
	acts := &activities.Activities{Store: e.db.Store}
	owner := *e.spec.Person("priya@brightlane.io")
	priya := identity.CLIActor(owner.Email)

	// answer runs the evidence prompt the scheduler would send for a batch
	// (the request built as activities.NextOccurrences builds it) on the
	// test clock, from the Monday after the batch, with the real
	// activities, and gives it each answer in turn an hour in; it returns
	// each answer's refusal (nil: accepted).
	answer := func(o cadence.Occurrence, reqs ...workflows.AnswerPromptRequest) []error {
		t.Helper()
		require.True(t, o.Batch, "LOG-03 is daily, so attested in weekly batches")
		var ts testsuite.WorkflowTestSuite
		env := ts.NewTestWorkflowEnvironment()
		env.SetWorkerOptions(worker.Options{Interceptors: identity.Interceptors(nil)})
		workflows.Register(env, acts)
		env.SetStartTime(e.cal.At(o.Period.End.AddDays(1), 9))
		refused := make([]error, len(reqs))
		env.RegisterDelayedCallback(func() {
			for i, req := range reqs {
				env.UpdateWorkflow(workflows.UpdateAnswerPrompt, fmt.Sprintf("answer-%d", i), &testsuite.TestUpdateCallback{
					OnAccept: func() {}, OnReject: func(err error) { refused[i] = err }, OnComplete: func(any, error) {},
				}, req)
			}
		}, time.Hour)
		key := "evidence/" + o.Key()
		env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.PromptWorkflowID(e.spec.ID, key)})
		env.ExecuteWorkflow(workflows.PromptWorkflow, workflows.PromptInput{EngagementID: e.spec.ID, Key: key, Kind: workflows.PromptKindEvidence,
			Subject: "LOG-03 Daily log review", Question: "Evidence for LOG-03?",
			Choices: []compliance.PromptChoice{{Value: "evidence", Label: "Here is the evidence", LinkRequired: true}},
			To:      owner, Policy: e.spec.Reminders,
			Evidence: &activities.EvidenceRequest{ControlID: "LOG-03", OccurrenceKey: o.Key(), PeriodStart: o.Period.Start.In(e.cal.Location),
				PeriodEnd: o.Period.End.In(e.cal.Location), Due: o.Due, GraceEnd: o.GraceEnd, Batch: o.Batch},
			Due: o.Due, Until: o.GraceEnd})
		require.True(t, env.IsWorkflowCompleted())
		require.NoError(t, env.GetWorkflowError())
		return refused
	}
	rowsOf := func(key string) []postgres.Evidence {
		t.Helper()
		all, err := e.db.Store.EvidenceFor(ctx, e.spec.ID)
		require.NoError(t, err)
		var out []postgres.Evidence
		for _, ev := range all {
			if ev.OccurrenceKey == key {
				out = append(out, ev)
			}
		}
		return out
	}

	// Week 1: performed every day but Wednesday; a day of the next week is
	// refused first, and refusing records nothing.
	week1, week2 := e.occ(t, "LOG-03", 1), e.occ(t, "LOG-03", 2)
	wednesday := week1.Period.Start.AddDays(2)
	var performed []compliance.Date
	for d := week1.Period.Start; !d.After(week1.Period.End); d = d.AddDays(1) {
		if d != wednesday {
			performed = append(performed, d)
		}
	}
	refused := answer(week1,
		workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://siem.example/week1",
			Days: []compliance.Date{week1.Period.Start, week2.Period.Start}, Actor: priya},
		workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://siem.example/week1", Days: performed, Actor: priya})
	require.Error(t, refused[0])
	assert.Contains(t, refused[0].Error(), fmt.Sprintf("%s is not a day of this batch (%s to %s)", week2.Period.Start, week1.Period.Start, week1.Period.End))
	require.NoError(t, refused[1])
	rows := rowsOf(week1.Key())
	require.Len(t, rows, len(performed), "one row per day performed")
	for i, ev := range rows {
		require.NotNil(t, ev.CoversStart, "row %d names its day", i)
		day := compliance.DateOf(*ev.CoversStart)
		assert.Equal(t, performed[i], day, "rows are in day order, one each")
		assert.Equal(t, day, compliance.DateOf(*ev.CoversEnd))
		require.NotNil(t, ev.PerformedAt)
		assert.Equal(t, day, compliance.DateOf(ev.PerformedAt.In(e.cal.Location)), "performed on its own day")
		assert.Equal(t, "https://siem.example/week1", ev.Value)
		assert.Equal(t, "answer-1/"+day.String(), ev.SubmissionKey, "keyed per day")
	}

	// Week 2: no days given means every day of the batch.
	require.NoError(t, answer(week2, workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://siem.example/week2", Actor: priya})[0])
	rows = rowsOf(week2.Key())
	require.Len(t, rows, 7, "one row for each of the batch's seven days")
	for i, ev := range rows {
		assert.Equal(t, week2.Period.Start.AddDays(i), compliance.DateOf(*ev.CoversStart))
	}

	// The review, once both batches are past their grace, samples by day
	// (every day: fewer than the sample) and finds Wednesday of week 1.
	asOf := week2.GraceEnd.Add(time.Hour)
	rep, err := reports.BuildReadiness(ctx, e.db.Store, e.spec.ID, asOf, 2027)
	require.NoError(t, err)
	reviewed := false
	for _, c := range rep.Controls {
		if c.ID != "LOG-03" {
			continue
		}
		reviewed = true
		assert.Contains(t, c.Note, "sampled by day")
		missing := week1.Key() + "/" + wednesday.String()
		sampled := map[string]bool{}
		for _, s := range c.Sample {
			sampled[s.OccurrenceKey] = true
			inWeeks := strings.HasPrefix(s.OccurrenceKey, week1.Key()+"/") || strings.HasPrefix(s.OccurrenceKey, week2.Key()+"/")
			if !inWeeks {
				continue
			}
			if s.OccurrenceKey == missing {
				assert.Nil(t, s.Evidence, "Wednesday has no record")
				assert.NotEmpty(t, s.Failed, "Wednesday fails")
			} else {
				assert.NotNil(t, s.Evidence, "%s has its own record", s.OccurrenceKey)
				assert.Empty(t, s.Failed, "%s passes: %+v %+v", s.OccurrenceKey, s.Judgement, s.Evidence)
			}
		}
		assert.True(t, sampled[missing], "every day is sampled when there are fewer than the sample size")
		var batchFindings []string
		for _, f := range c.Findings {
			if f.OccurrenceKey == week1.Key() || f.OccurrenceKey == week2.Key() {
				batchFindings = append(batchFindings, f.Exception)
			}
		}
		require.Len(t, batchFindings, 1, "week 1 is incomplete, week 2 is whole: %v", batchFindings)
		assert.Contains(t, batchFindings[0], "has no record for "+wednesday.String())
	}
	require.True(t, reviewed, "LOG-03 is in scope and reviewed")
}
