package load_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/load"
)

func example(t *testing.T, path string) (*compliance.Spec, compliance.Plan, *time.Location) {
	t.Helper()
	spec, err := compliance.LoadSpec(path)
	require.NoError(t, err)
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err)
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	return spec, plan, cal.Location
}

// TestBatchesKeepEveryOccurrence: grouping loses no occurrence, changes no
// deadline, and never asks an item later than it would be asked alone.
func TestBatchesKeepEveryOccurrence(t *testing.T) {
	for _, f := range []string{"../../examples/saas-startup.yaml", "../../examples/payments-co.yaml"} {
		spec, plan, loc := example(t, f)
		qs, _, err := load.Schedule(spec, plan, load.Options{Batched: true})
		require.NoError(t, err)
		batches := load.Group(qs, loc)
		seen := map[string]load.Question{}
		for _, b := range batches {
			for _, q := range b.Items {
				_, dup := seen[q.Key]
				require.False(t, dup, q.Key)
				seen[q.Key] = q
				assert.False(t, q.AskAt.Before(b.AskAt), "%s asked before its batch", q.Key)
				assert.Equal(t, q.Owner.Email, b.Owner.Email)
				if q.Review {
					assert.Equal(t, cadence.BatchChecklist, b.Kind)
				} else {
					assert.Equal(t, cadence.WeekBatchKey(q.Owner.Email, q.Due, loc), b.Key, "%s is in its due week's batch", q.Key)
				}
			}
		}
		assert.Len(t, seen, len(qs))
		for _, q := range qs {
			assert.Equal(t, q, seen[q.Key])
		}
		assert.Less(t, len(batches)*3, len(qs), "%s: batches are far fewer than questions", f)
	}
}

// TestReviewPolicyThinsReviews: with the policy, moderate and low risk
// controls are reviewed half-yearly and the window's end is still
// reviewed; a PCI DSS service provider's PCI controls stay quarterly.
func TestReviewPolicyThinsReviews(t *testing.T) {
	spec, plan, _ := example(t, "../../examples/saas-startup.yaml")
	count := func(s *compliance.Spec, batched bool) (reviews int) {
		qs, _, err := load.Schedule(s, plan, load.Options{Batched: batched})
		require.NoError(t, err)
		for _, q := range qs {
			if q.Review {
				reviews++
			}
		}
		return reviews
	}
	s := *spec
	s.ReviewPolicy = nil
	quarterly := count(&s, true)
	unaligned := count(&s, false)
	assert.LessOrEqual(t, quarterly, unaligned)
	s.ReviewPolicy = map[string]compliance.Frequency{"moderate": compliance.FreqSemiAnnual, "low": compliance.FreqSemiAnnual}
	s.ControlRisk = map[string]string{"ACC-04": "high"}
	half := count(&s, true)
	assert.Less(t, half*3, quarterly*2, "half-yearly for all but one control")
	assert.Greater(t, half, 0)
}

func TestPlanReviewsCoversTheWindow(t *testing.T) {
	cal, err := compliance.NewCalendar(compliance.ReminderPolicy{TimeZone: "UTC"})
	require.NoError(t, err)
	w := compliance.Span{Start: compliance.Date{Year: 2027, Month: 2, Day: 15}, End: compliance.Date{Year: 2028, Month: 2, Day: 14}}
	rs, err := cadence.Reviews(cadence.ScheduleInput{ControlID: "ACC-01", Window: w, Calendar: cal})
	require.NoError(t, err)
	require.Len(t, rs, 5, "the window touches five quarters")
	for _, every := range []int{1, 2} {
		kept := cadence.PlanReviews(rs, every)
		require.NotEmpty(t, kept)
		assert.Equal(t, w.Start, kept[0].Period.Start)
		assert.Equal(t, w.End, kept[len(kept)-1].Period.End, "the window's end is reviewed")
		for i := 1; i < len(kept); i++ {
			assert.Equal(t, kept[i-1].Period.End.AddDays(1), kept[i].Period.Start, "no gap between reviews")
		}
		if every == 1 {
			assert.Len(t, kept, 4, "the six-week first quarter is reviewed with the next")
		} else {
			assert.Len(t, kept, 2)
		}
	}
}

// TestBatchKeysFitSlack: an item's prompt ID stays within Slack's ID
// limit (246 bytes) even for a long engagement ID and owner address.
func TestBatchKeysFitSlack(t *testing.T) {
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + ".example"
	eng := strings.Repeat("e", 40)
	key := cadence.WeekBatchKey(long, time.Date(2027, 4, 9, 17, 0, 0, 0, time.UTC), time.UTC)
	id := compliance.BatchItemID("prompt/"+eng+"/batch/"+key, "evidence/ACC-08/2027-03")
	assert.LessOrEqual(t, len(id), 246, id)
	assert.NotEqual(t, key, cadence.WeekBatchKey("x"+long, time.Date(2027, 4, 9, 17, 0, 0, 0, time.UTC), time.UTC), "one key per owner")
}

// TestScheduleAsksEachControlsOwner: the batched schedule addresses a
// control's questions to its per-control owner (a tailoring override or a
// custom control's owner) rather than its area's owner, so an owner batch
// holds what its owner answers for.
func TestScheduleAsksEachControlsOwner(t *testing.T) {
	spec, plan, _ := example(t, "../../examples/tailored-saas.yaml")
	qs, _, err := load.Schedule(spec, plan, load.Options{Batched: true})
	require.NoError(t, err)
	owners := map[string]map[string]bool{}
	for _, q := range qs {
		if owners[q.ControlID] == nil {
			owners[q.ControlID] = map[string]bool{}
		}
		owners[q.ControlID][q.Owner.Email] = true
	}
	assert.Equal(t, map[string]bool{"leo@brightlane.io": true}, owners["ACC-04"], "the tailored owner, not the access area's")
	assert.Equal(t, map[string]bool{"priya@brightlane.io": true}, owners["ACC-02"], "no override: the area's owner")
	assert.Equal(t, map[string]bool{"priya@brightlane.io": true}, owners["BRT-01"], "a custom control's own owner")
}
