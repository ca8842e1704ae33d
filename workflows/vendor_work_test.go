package workflows

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// vendorAsk is what the fake prompt saw: when it was started and with what.
type vendorAsk struct {
	At time.Time
	In PromptInput
}

type vendorLog struct {
	mu   sync.Mutex
	asks []vendorAsk
}

func (l *vendorLog) prompt(ctx workflow.Context, in PromptInput) (PromptResult, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.asks = append(l.asks, vendorAsk{At: workflow.Now(ctx), In: in})
	return PromptResult{Outcome: OutcomeAnswered}, nil
}

// TestVendorWorkAsksOnTheRightDays runs sixteen months of the SaaS example's
// vendor work with time skipping and the real schedule (the VendorWork
// activity over compliance.VendorSchedule): each prompt goes to the vendor's
// owner at 10:00 New York time on the first business day on or after its
// ask date, with its deadline and expiry, once, across continue-as-new.
// Gusto's SOC 2 period ends 2026-12-31, before Brightlane's window ends
// 2027-08-31, and no bridge letter is on file: the bridge-letter request goes
// out a month before the window ends (1 August is a Sunday: Monday the 2nd)
// and is due when it ends. AWS's letter is on file: none is asked of AWS.
func TestVendorWorkAsksOnTheRightDays(t *testing.T) {
	spec := testSpec(t)
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	at := func(y int, m time.Month, d, h int) time.Time { return time.Date(y, m, d, h, 0, 0, 0, ny) }
	stop := at(2028, 6, 1, 0)
	log := &vendorLog{}
	in := VendorWorkInput{EngagementID: spec.ID, Spec: spec, Start: compliance.Date{Year: 2027, Month: 2, Day: 1}, FromStore: true,
		Test: &TestHooks{VendorBatchesPerRun: 3}}
	start := at(2027, 2, 1, 9)
	runs := 0
	for {
		runs++
		require.Less(t, runs, 30, "the vendor work never reached the stop")
		var ts testsuite.WorkflowTestSuite
		env := withIdentity(ts.NewTestWorkflowEnvironment())
		env.RegisterWorkflowWithOptions(VendorWorkWorkflow, workflow.RegisterOptions{Name: VendorWorkWorkflowName})
		env.RegisterWorkflowWithOptions(log.prompt, workflow.RegisterOptions{Name: PromptWorkflowName})
		env.RegisterActivity(&activities.Activities{})
		env.SetStartTime(start)
		env.RegisterDelayedCallback(env.CancelWorkflow, stop.Sub(start))
		env.ExecuteWorkflow(VendorWorkWorkflow, in)
		err := env.GetWorkflowError()
		var can *workflow.ContinueAsNewError
		if errors.As(err, &can) {
			var next VendorWorkInput
			require.NoError(t, decodePayloads(can, &next))
			require.False(t, next.Cursor.IsZero(), "the cursor is carried")
			assert.Equal(t, in.Start, next.Start, "the start never moves")
			in, start = next, next.Cursor
			continue
		}
		var canceled *temporal.CanceledError
		require.ErrorAs(t, err, &canceled, "the work runs until the engagement cancels it")
		break
	}
	assert.Greater(t, runs, 3, "the vendor work continued as new")

	type ask struct{ key, at, due, until, to string }
	var got []ask
	for _, a := range log.asks {
		got = append(got, ask{a.In.Key, a.At.In(ny).Format(time.DateTime), a.In.Due.In(ny).Format(time.DateTime),
			a.In.Until.In(ny).Format(time.DateOnly), a.In.To.Email})
		assert.Equal(t, PromptKindVendor, a.In.Kind)
		assert.NotEmpty(t, a.In.Choices, a.In.Key)
		assert.Contains(t, a.In.Delegates, "maya@brightlane.io", "the lead may answer for the owner")
	}
	assert.Equal(t, []ask{
		{"vendor/gusto/review-report/2027-02-26", "2027-02-26 10:00:00", "2027-03-28 17:00:00", "2027-04-02", "leo@brightlane.io"},
		{"vendor/amazon-web-services/review-report/2027-05-14", "2027-05-14 10:00:00", "2027-06-13 17:00:00", "2027-06-18", "priya@brightlane.io"},
		{"vendor/gusto/request-bridge-letter/2026-12-31", "2027-08-02 10:00:00", "2027-08-31 17:00:00", "2027-09-08", "leo@brightlane.io"},
		{"vendor/gusto/obtain-report/2027-12-31", "2028-01-31 10:00:00", "2028-02-29 17:00:00", "2028-03-07", "leo@brightlane.io"},
		{"vendor/amazon-web-services/obtain-report/2028-03-31", "2028-05-01 10:00:00", "2028-05-30 17:00:00", "2028-06-06", "priya@brightlane.io"},
	}, got)
}
