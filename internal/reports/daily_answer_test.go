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
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/internal/testenv"
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
	tmp := testenv.DevServer(t)
	w := worker.New(tmp.Client, "daily", worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: e.db.Store})
	require.NoError(t, w.Start())
	defer w.Stop()
	svc := answers.Service{Temporal: tmp.Client}
	owner := *e.spec.Person("priya@brightlane.io")
	priya := identity.CLIActor(owner.Email)

	// open starts the evidence prompt the scheduler would send for a batch
	// (the request built as activities.NextOccurrences builds it).
	open := func(o cadence.Occurrence) string {
		t.Helper()
		require.True(t, o.Batch, "LOG-03 is daily, so attested in weekly batches")
		key := "evidence/" + o.Key()
		id := workflows.PromptWorkflowID(e.spec.ID, key)
		_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: "daily"}, workflows.PromptWorkflowName,
			workflows.PromptInput{EngagementID: e.spec.ID, Key: key, Kind: workflows.PromptKindEvidence, Subject: "LOG-03 Daily log review",
				Question: "Evidence for LOG-03?", Choices: []compliance.PromptChoice{{Value: "evidence", Label: "Here is the evidence", LinkRequired: true}},
				To: owner, Policy: e.spec.Reminders,
				Evidence: &activities.EvidenceRequest{ControlID: "LOG-03", OccurrenceKey: o.Key(), PeriodStart: o.Period.Start.In(e.cal.Location),
					PeriodEnd: o.Period.End.In(e.cal.Location), Due: o.Due, GraceEnd: o.GraceEnd, Batch: o.Batch},
				Due: o.Due, Until: o.GraceEnd})
		require.NoError(t, err)
		require.Eventually(t, func() bool {
			resp, err := tmp.Client.QueryWorkflow(ctx, id, "", workflows.QueryPrompt)
			var st workflows.PromptState
			return err == nil && resp.Get(&st) == nil && st.Status == compliance.PromptOpen
		}, 30*time.Second, 20*time.Millisecond, "the prompt opens")
		return id
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

	// Week 1: performed every day but Wednesday; first a day of the next
	// week is refused, and refusing records nothing.
	week1, week2 := e.occ(t, "LOG-03", 1), e.occ(t, "LOG-03", 2)
	p1 := open(week1)
	_, err := svc.Answer(ctx, p1, "outside", workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://siem.example/week1",
		Days: []compliance.Date{week1.Period.Start, week2.Period.Start}, Actor: priya})
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("%s is not a day of this batch (%s to %s)", week2.Period.Start, week1.Period.Start, week1.Period.End))
	assert.Empty(t, rowsOf(week1.Key()), "a refused answer records nothing")

	wednesday := week1.Period.Start.AddDays(2)
	var performed []compliance.Date
	for d := week1.Period.Start; !d.After(week1.Period.End); d = d.AddDays(1) {
		if d != wednesday {
			performed = append(performed, d)
		}
	}
	_, err = svc.Answer(ctx, p1, "days", workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://siem.example/week1",
		Days: performed, Actor: priya})
	require.NoError(t, err)
	var rows []postgres.Evidence
	require.Eventually(t, func() bool { rows = rowsOf(week1.Key()); return len(rows) == len(performed) },
		30*time.Second, 50*time.Millisecond, "one row per day performed")
	for i, ev := range rows {
		require.NotNil(t, ev.CoversStart, "row %d names its day", i)
		day := compliance.DateOf(*ev.CoversStart)
		assert.Equal(t, performed[i], day, "rows are in day order, one each")
		assert.Equal(t, day, compliance.DateOf(*ev.CoversEnd))
		require.NotNil(t, ev.PerformedAt)
		assert.Equal(t, day, compliance.DateOf(ev.PerformedAt.In(e.cal.Location)), "performed on its own day")
		assert.Equal(t, "https://siem.example/week1", ev.Value)
		assert.Equal(t, "days/"+day.String(), ev.SubmissionKey, "keyed per day")
	}

	// Week 2: no days given means every day of the batch.
	p2 := open(week2)
	_, err = svc.Answer(ctx, p2, "whole", workflows.AnswerPromptRequest{Choice: "evidence", Link: "https://siem.example/week2", Actor: priya})
	require.NoError(t, err)
	require.Eventually(t, func() bool { rows = rowsOf(week2.Key()); return len(rows) == 7 },
		30*time.Second, 50*time.Millisecond, "one row for each of the batch's seven days")
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
