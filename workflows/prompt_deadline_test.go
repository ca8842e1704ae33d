package workflows

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
)

// TestReviewNotDoneEscalatesBeforeTheQuarterCloses: a quarterly review with
// a deadline climbs owner → lead → sponsor around the deadline, and the
// sponsor hears of it days before the quarter ends, not after.
func TestReviewNotDoneEscalatesBeforeTheQuarterCloses(t *testing.T) {
	in := promptInput()
	cal, err := compliance.NewCalendar(in.Policy)
	require.NoError(t, err)
	rs, err := cadence.Reviews(cadence.ScheduleInput{ControlID: "ACC-04", Calendar: cal,
		Window: compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}})
	require.NoError(t, err)
	q1 := rs[0] // asked Mon 1 March; 5 March is a holiday, so due Fri 12 March 17:00 London
	in.Key, in.Kind, in.Due, in.Until = "review/"+q1.Key(), PromptKindReview, q1.Due, q1.GraceEnd

	log := &stepLog{}
	env := newPromptEnv(t, log)
	env.SetStartTime(cal.At(q1.AskOn, 10))
	env.ExecuteWorkflow(PromptWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	var res PromptResult
	require.NoError(t, env.GetWorkflowResult(&res))
	assert.Equal(t, OutcomeExpired, res.Outcome)

	london := cal.Location
	want := []struct {
		name string
		at   time.Time
		tell string
	}{
		{"remind-1", time.Date(2027, 3, 4, 17, 0, 0, 0, london), owner.Email}, // five business days before the deadline
		{"lead", q1.Due, lead.Email},
		{"sponsor", time.Date(2027, 3, 16, 17, 0, 0, 0, london), sponsor.Email}, // two business days after it
		{"expire", q1.GraceEnd, owner.Email},
	}
	require.Len(t, log.steps, len(want))
	closes := time.Date(2027, 3, 31, 17, 0, 0, 0, london)
	for i, w := range want {
		assert.Equal(t, w.name, log.steps[i].Step.Name)
		assert.True(t, w.at.Equal(log.at[i]), "%s fired at %s, want %s", w.name, log.at[i].In(london), w.at)
		require.Len(t, log.steps[i].Tell, 1)
		assert.Equal(t, w.tell, log.steps[i].Tell[0].Email)
		if w.name == "sponsor" {
			assert.True(t, log.at[i].Before(closes.AddDate(0, 0, -7)), "the sponsor is told at least a week before the quarter closes")
		}
	}
}

// TestEvidenceAskedLateEscalatesAtOnce: evidence asked after its deadline
// (an occurrence caught up after an outage) goes straight to the lead and
// the sponsor rather than waiting out a fresh ladder.
func TestEvidenceAskedLateEscalatesAtOnce(t *testing.T) {
	in := promptInput()
	start := time.Date(2027, 4, 20, 9, 0, 0, 0, time.UTC)
	in.Due, in.Until = start.Add(-72*time.Hour), start.Add(48*time.Hour)
	log := &stepLog{}
	env := newPromptEnv(t, log)
	env.SetStartTime(start)
	env.ExecuteWorkflow(PromptWorkflow, in)
	require.NoError(t, env.GetWorkflowError())
	require.GreaterOrEqual(t, len(log.steps), 3)
	assert.Equal(t, "lead", log.steps[0].Step.Name, "no reminder for a deadline already past")
	assert.Equal(t, "sponsor", log.steps[1].Step.Name)
	assert.True(t, log.at[0].Equal(start) && log.at[1].Equal(start), "both told at once")
	assert.Equal(t, "expire", log.steps[2].Step.Name)
	assert.True(t, log.at[2].Equal(in.Until), "expires when asked to")
}
