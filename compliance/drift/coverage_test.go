package drift_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// engagement is three controls over 2027, seen on 7 July 2027: LOG-01
// monthly (on, late, retrospective, missed, on, overdue), ACC-04 quarterly
// (Q1 on time, Q2 overdue), VUL-02 weekly (always on time).
func engagement(t testing.TB) ([]cadence.Occurrence, []drift.Submission, *compliance.Calendar) {
	cal := newYork(t)
	logs := monthly(t, cal)
	acc := sched(t, cadence.ScheduleInput{ControlID: "ACC-04", Frequency: compliance.FreqQuarterly, Window: year2027, Calendar: cal})
	vul := sched(t, cadence.ScheduleInput{ControlID: "VUL-02", Frequency: compliance.FreqWeekly, Window: year2027, Calendar: cal})
	subs := answer(logs, "olr-o-")
	subs = append(subs, answer(acc, "o")...)
	subs = append(subs, answer(vul, strings.Repeat("o", len(vul)))...)
	occs := append(append(append([]cadence.Occurrence{}, logs...), acc...), vul...)
	return occs, subs, cal
}

func TestCoverageCounts(t *testing.T) {
	occs, subs, cal := engagement(t)
	now := cal.At(date(t, "2027-07-07"), 12)
	h := drift.Coverage(occs, subs, now, year2027, cal)

	require.Len(t, h.Months, 12)
	assert.Equal(t, "2027-01", h.Months[0])
	assert.Equal(t, "2027-12", h.Months[11])
	require.Len(t, h.Rows, 3)
	assert.Equal(t, []string{"LOG-01", "ACC-04", "VUL-02"}, []string{h.Rows[0].ControlID, h.Rows[1].ControlID, h.Rows[2].ControlID})

	cell := func(row int, month string) drift.Tally {
		for _, c := range h.Rows[row].Cells {
			if c.Month == month {
				return c.Tally
			}
		}
		t.Fatalf("no month %s", month)
		return drift.Tally{}
	}
	assert.Equal(t, drift.Tally{Expected: 1, OnTime: 1}, cell(0, "2027-01"))
	assert.Equal(t, drift.Tally{Expected: 1, Late: 1}, cell(0, "2027-02"))
	assert.Equal(t, drift.Tally{Expected: 1, Retrospective: 1}, cell(0, "2027-03"))
	assert.Equal(t, drift.Tally{Expected: 1, Missed: 1}, cell(0, "2027-04"))
	assert.Equal(t, drift.Tally{Expected: 1, Overdue: 1}, cell(0, "2027-06"))
	assert.Equal(t, drift.Tally{Pending: 1}, cell(0, "2027-07"))
	assert.Equal(t, drift.Tally{Expected: 6, OnTime: 2, Late: 1, Retrospective: 1, Missed: 1, Overdue: 1, Pending: 6}, h.Rows[0].Total)

	assert.Equal(t, drift.Tally{}, cell(1, "2027-01"), "a quarterly control expects nothing in January")
	assert.Equal(t, drift.Tally{Expected: 1, OnTime: 1}, cell(1, "2027-03"), "the Q1 review is March's")
	assert.Equal(t, drift.Tally{Expected: 1, Overdue: 1}, cell(1, "2027-06"))

	// Weeks belong to the month their Sunday is in: January 2027 has five
	// (the 3rd, 10th, 17th, 24th and 31st).
	assert.Equal(t, drift.Tally{Expected: 5, OnTime: 5}, cell(2, "2027-01"))
	// July's four weeks (to Sunday 25th) are pending: the first, ending
	// Sunday 4 July, is due Wednesday 7 July at 17:00.
	assert.Equal(t, drift.Tally{Pending: 4}, cell(2, "2027-07"))
	assert.Equal(t, 53, h.Rows[2].Total.Expected+h.Rows[2].Total.Pending)

	total := h.Rows[0].Total.Expected + h.Rows[1].Total.Expected + h.Rows[2].Total.Expected
	assert.Equal(t, total, h.Total.Expected)
	rate, due := drift.OnTimeRate(occs, subs, now, year2027)
	assert.Equal(t, h.Total.Expected, due)
	assert.InDelta(t, float64(h.Total.OnTime)/float64(due), rate, 1e-12)
	assert.InDelta(t, rate, h.OnTimeRate, 1e-12)
	assert.Equal(t, 2+1+26, h.Total.OnTime)

	// Per-control totals agree with Assess.
	for _, r := range h.Rows {
		var mine []cadence.Occurrence
		for _, o := range occs {
			if o.ControlID == r.ControlID {
				mine = append(mine, o)
			}
		}
		d := drift.Assess(mine, subs, now, year2027)
		assert.Equal(t, drift.Tally{Expected: d.Expected, OnTime: d.OnTime, Late: d.Late, Overdue: d.Overdue,
			Retrospective: d.Retrospective, Missed: d.Missed, Pending: d.Pending}, r.Total, r.ControlID)
	}
}

func TestCoverageLeavesOutWhatIsOutsideTheWindow(t *testing.T) {
	occs, subs, cal := engagement(t)
	now := cal.At(date(t, "2027-07-07"), 12)
	w := span(t, "2027-04-01", "2027-12-31")
	h := drift.Coverage(occs, subs, now, w, cal)
	require.Len(t, h.Months, 9)
	assert.Equal(t, "2027-04", h.Months[0])
	// LOG-01 from April: missed, on, overdue.
	assert.Equal(t, drift.Tally{Expected: 3, OnTime: 1, Missed: 1, Overdue: 1, Pending: 6}, h.Rows[0].Total)
	// The week of 29 March–4 April overlaps the window and counts (April's,
	// with the weeks ending the 11th, 18th and 25th).
	assert.Equal(t, drift.Tally{Expected: 4, OnTime: 4}, h.Rows[2].Cells[0].Tally)

	rate, due := drift.OnTimeRate(nil, nil, now, w)
	assert.Zero(t, rate)
	assert.Zero(t, due)

	// A zero window: months from the occurrences themselves.
	h = drift.Coverage(occs, subs, now, compliance.Span{}, cal)
	assert.Equal(t, "2027-01", h.Months[0])
	assert.Equal(t, "2027-12", h.Months[len(h.Months)-1])

	// Nothing at all still renders.
	h = drift.Coverage(nil, nil, now, year2027, nil)
	assert.Empty(t, h.Rows)
	var b bytes.Buffer
	require.NoError(t, h.Text(&b))
	assert.Contains(t, b.String(), "nothing due yet")
}

func TestCoverageText(t *testing.T) {
	occs, subs, cal := engagement(t)
	h := drift.Coverage(occs, subs, cal.At(date(t, "2027-07-07"), 12), year2027, cal)
	var b bytes.Buffer
	require.NoError(t, h.Text(&b))
	onTime, due := h.Total.OnTime, h.Total.Expected
	want := fmt.Sprintf(`Coverage 2027-01-01 → 2027-12-31, as of 2027-07-07 12:00 EDT: %.1f%% on time (%d of %d due)
        2027
control Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec  on time
LOG-01   █   ▓   ▒   ✗   █   !   ·   ·   ·   ·   ·   ·   2/6
ACC-04           █           !           ·           ·   1/2
VUL-02   █   █   █   █   █   █   ·   ·   ·   ·   ·   ·   26/26
`, 100*float64(onTime)/float64(due), onTime, due) + drift.Legend + "\n"
	assert.Equal(t, want, b.String())
}

func TestCoverageCSVAndJSON(t *testing.T) {
	occs, subs, cal := engagement(t)
	h := drift.Coverage(occs, subs, cal.At(date(t, "2027-07-07"), 12), year2027, cal)

	var b bytes.Buffer
	require.NoError(t, h.CSV(&b))
	recs, err := csv.NewReader(&b).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 1+3*12)
	assert.Equal(t, drift.CSVHeader, recs[0])
	assert.Equal(t, []string{"LOG-01", "2027-03", "1", "0", "0", "0", "1", "0", "0", "0", "0", "0"}, recs[3])
	assert.Equal(t, []string{"ACC-04", "2027-06", "1", "0", "0", "1", "0", "0", "0", "0", "0", "0"}, recs[12+6])

	js, err := json.Marshal(h)
	require.NoError(t, err)
	var back drift.Heatmap
	require.NoError(t, json.Unmarshal(js, &back))
	assert.Equal(t, h.Rows, back.Rows)
	assert.Equal(t, h.Total, back.Total)
	var raw map[string]any
	require.NoError(t, json.Unmarshal(js, &raw))
	for _, k := range []string{"window", "as_of", "months", "rows", "total", "on_time_rate"} {
		assert.Contains(t, raw, k)
	}
	cell := raw["rows"].([]any)[0].(map[string]any)["cells"].([]any)[1].(map[string]any)
	assert.Equal(t, map[string]any{"month": "2027-02", "expected": 1.0, "on_time": 0.0, "late": 1.0, "overdue": 0.0,
		"retrospective": 0.0, "missed": 0.0, "pending": 0.0, "out_of_period": 0.0, "unauthorised": 0.0, "incomplete": 0.0}, cell)
}

// BenchmarkCoverage150Controls builds the heat map of a 150-control
// engagement over twelve months, late in the window.
func BenchmarkCoverage150Controls(b *testing.B) {
	cal := newYork(b, "2027-05-31", "2027-07-05", "2027-09-06", "2027-11-25")
	mix := []compliance.Frequency{compliance.FreqQuarterly, compliance.FreqAnnual, compliance.FreqMonthly, compliance.FreqPerEvent,
		compliance.FreqWeekly, compliance.FreqDaily, compliance.FreqSemiAnnual, compliance.FreqContinuous, compliance.FreqQuarterly, compliance.FreqAnnual}
	var occs []cadence.Occurrence
	var subs []drift.Submission
	for i := range 150 {
		o := sched(b, cadence.ScheduleInput{ControlID: fmt.Sprintf("CTL-%03d", i), Frequency: mix[i%len(mix)], Window: year2027, Calendar: cal})
		occs = append(occs, o...)
		subs = append(subs, answer(o, strings.Repeat("oolor-", 10)[:len(o)])...)
	}
	now := cal.At(date(b, "2027-12-20"), 12)
	b.ReportAllocs()
	for b.Loop() {
		h := drift.Coverage(occs, subs, now, year2027, cal)
		if len(h.Rows) != 150 {
			b.Fatal("rows")
		}
	}
}

func TestCoverageCountsAnEdgePeriodInTheWindowsLastMonth(t *testing.T) {
	cal := newYork(t)
	// Scheduled over a longer window; the coverage window ends Wednesday 31
	// March, inside the week of 29 March–4 April.
	occs := sched(t, cadence.ScheduleInput{ControlID: "VUL-02", Frequency: compliance.FreqWeekly, Window: year2027, Calendar: cal})
	w := span(t, "2027-03-01", "2027-03-31")
	now := cal.At(date(t, "2027-05-01"), 12)
	h := drift.Coverage(occs, nil, now, w, cal)
	require.Equal(t, []string{"2027-03"}, h.Months)
	d := drift.Assess(occs, nil, now, w)
	assert.Equal(t, 5, d.Missed, "weeks ending 7, 14, 21, 28 March and 4 April")
	assert.Equal(t, d.Missed, h.Rows[0].Cells[0].Missed)
	assert.Nil(t, drift.EscalateBy(occs[0], nil))
}
