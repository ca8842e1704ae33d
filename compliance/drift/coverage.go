package drift

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// Tally counts occurrences by status. Expected counts those that have fallen
// due (OnTime+Late+Overdue+Retrospective+Missed); Pending those not yet due.
type Tally struct {
	Expected      int `json:"expected"`
	OnTime        int `json:"on_time"`
	Late          int `json:"late"`
	Overdue       int `json:"overdue"`
	Retrospective int `json:"retrospective"`
	Missed        int `json:"missed"`
	Pending       int `json:"pending"`
	// OutOfPeriod counts evidence performed before its period or the
	// window opened: it does not evidence the occurrence.
	OutOfPeriod int `json:"out_of_period"`
	// Unauthorised counts evidence given by someone who may not.
	Unauthorised int `json:"unauthorised"`
	// Incomplete counts daily batches missing a day's record.
	Incomplete int `json:"incomplete"`
}

func (t *Tally) add(s Status) {
	switch s {
	case StatusOnTime:
		t.OnTime++
	case StatusLate:
		t.Late++
	case StatusOverdue:
		t.Overdue++
	case StatusRetrospective:
		t.Retrospective++
	case StatusMissed:
		t.Missed++
	case StatusBeforePeriod, StatusPerformedOutsideWindow:
		t.OutOfPeriod++
	case StatusUnauthorised:
		t.Unauthorised++
	case StatusIncomplete:
		t.Incomplete++
	case StatusPending:
		t.Pending++
		return
	default:
		return
	}
	t.Expected++
}

func (t *Tally) plus(o Tally) {
	t.Expected += o.Expected
	t.OnTime += o.OnTime
	t.Late += o.Late
	t.Overdue += o.Overdue
	t.Retrospective += o.Retrospective
	t.Missed += o.Missed
	t.Pending += o.Pending
	t.OutOfPeriod += o.OutOfPeriod
	t.Unauthorised += o.Unauthorised
	t.Incomplete += o.Incomplete
}

// Rate is the share of fallen-due occurrences that were on time, 0 when
// nothing has fallen due (check Expected before showing it).
func (t Tally) Rate() float64 {
	if t.Expected == 0 {
		return 0
	}
	return float64(t.OnTime) / float64(t.Expected)
}

// Heat-map glyphs: a cell shows its worst status.
const (
	GlyphOnTime        = "█" // everything that fell due was on time
	GlyphLate          = "▓" // something late
	GlyphOverdue       = "!" // something past due with nothing yet (within grace)
	GlyphRetrospective = "▒" // something raised retrospectively
	GlyphMissed        = "✗" // something missed
	GlyphOutOfPeriod   = "○" // evidence performed outside its period: not evidence of it
	GlyphUnauthorised  = "◇" // evidence given by someone who may not
	GlyphIncomplete    = "◐" // a daily batch missing a day's record
	GlyphPending       = "·" // only occurrences not yet due
	GlyphNone          = " " // nothing expected this month
)

// Glyph is the cell's heat-map mark: its worst status.
func (t Tally) Glyph() string {
	switch {
	case t.Missed > 0:
		return GlyphMissed
	case t.OutOfPeriod > 0:
		return GlyphOutOfPeriod
	case t.Retrospective > 0:
		return GlyphRetrospective
	case t.Incomplete > 0:
		return GlyphIncomplete
	case t.Unauthorised > 0:
		return GlyphUnauthorised
	case t.Overdue > 0:
		return GlyphOverdue
	case t.Late > 0:
		return GlyphLate
	case t.OnTime > 0:
		return GlyphOnTime
	case t.Pending > 0:
		return GlyphPending
	default:
		return GlyphNone
	}
}

// Cell is one control in one month.
type Cell struct {
	Month string `json:"month"` // YYYY-MM
	Tally
}

// HeatmapRow is one control across the window's months.
type HeatmapRow struct {
	ControlID string `json:"control_id"`
	Cells     []Cell `json:"cells"`
	Total     Tally  `json:"total"`
}

// Heatmap is the coverage of a window, control by control and month by
// month. An occurrence belongs to the month its period ends in (a Q1 review
// is March's, a week is the month of its Sunday), so each counts once.
type Heatmap struct {
	Window compliance.Span `json:"window"`
	AsOf   time.Time       `json:"as_of"`
	Months []string        `json:"months"`
	Rows   []HeatmapRow    `json:"rows"`
	Total  Tally           `json:"total"`
	// OnTimeRate is Total.Rate(): on time over fallen due, window so far.
	OnTimeRate float64 `json:"on_time_rate"`
}

// Coverage lays out the heat map of every control in occs at now. Rows are in
// the order controls first appear in occs; months run from the window's
// first to its last (from the occurrences' when the window is zero).
// Occurrences outside the window are left out. cal gives the client's zone
// for AsOf; nil means UTC.
func Coverage(occs []cadence.Occurrence, subs []Submission, now time.Time, window compliance.Span, cal *compliance.Calendar) Heatmap {
	loc := time.UTC
	if cal != nil && cal.Location != nil {
		loc = cal.Location
	}
	h := Heatmap{Window: window, AsOf: now.In(loc), Rows: []HeatmapRow{}}

	first, last := window.Start, window.End
	if first.IsZero() || last.IsZero() {
		for i, o := range occs {
			if i == 0 || o.Period.End.Before(first) {
				first = o.Period.End
			}
			if i == 0 || o.Period.End.After(last) {
				last = o.Period.End
			}
		}
	}
	col := map[string]int{}
	// (A century at most: a bad date cannot make the loop run away.)
	if !first.IsZero() && !last.After(first.AddDays(366*100)) {
		for m := (compliance.Date{Year: first.Year, Month: first.Month, Day: 1}); !m.After(last); m = addMonth(m) {
			col[monthLabel(m)] = len(h.Months)
			h.Months = append(h.Months, monthLabel(m))
		}
	}

	byKey := FirstByKey(subs, now)
	row := map[string]int{}
	for _, o := range occs {
		var sp *Submission
		if s, ok := byKey[o.Key()]; ok {
			sp = &s
		}
		st := Classify(o, sp, now, window)
		// A period overlapping the window's edge counts in the window's
		// first or last month.
		end := o.Period.End
		if !window.End.IsZero() && end.After(window.End) {
			end = window.End
		}
		if !window.Start.IsZero() && end.Before(window.Start) {
			end = window.Start
		}
		c, ok := col[monthLabel(end)]
		if st == StatusOutsideWindow || !ok {
			continue
		}
		r, ok := row[o.ControlID]
		if !ok {
			r = len(h.Rows)
			row[o.ControlID] = r
			cells := make([]Cell, len(h.Months))
			for i, m := range h.Months {
				cells[i].Month = m
			}
			h.Rows = append(h.Rows, HeatmapRow{ControlID: o.ControlID, Cells: cells})
		}
		h.Rows[r].Cells[c].add(st)
		h.Rows[r].Total.add(st)
	}
	for _, r := range h.Rows {
		h.Total.plus(r.Total)
	}
	h.OnTimeRate = h.Total.Rate()
	return h
}

// OnTimeRate is the share of occurrences fallen due in the window so far
// that were on time, with how many fell due (rate is 0 when due is 0; show
// "n/a" then, not 0%).
func OnTimeRate(occs []cadence.Occurrence, subs []Submission, now time.Time, window compliance.Span) (rate float64, due int) {
	first := FirstByKey(subs, now)
	var t Tally
	for _, st := range classifyAll(occs, first, now, window) {
		t.add(st)
	}
	return t.Rate(), t.Expected
}

func monthLabel(d compliance.Date) string { return fmt.Sprintf("%04d-%02d", d.Year, int(d.Month)) }

func addMonth(d compliance.Date) compliance.Date {
	if d.Month == time.December {
		return compliance.Date{Year: d.Year + 1, Month: time.January, Day: 1}
	}
	return compliance.Date{Year: d.Year, Month: d.Month + 1, Day: 1}
}

// Legend explains the heat map's glyphs.
const Legend = GlyphOnTime + " all on time  " + GlyphLate + " late  " + GlyphOverdue + " overdue  " +
	GlyphRetrospective + " retrospective  " + GlyphMissed + " missed  " +
	GlyphOutOfPeriod + " performed outside its period  " + GlyphUnauthorised + " unauthorised  " + GlyphIncomplete + " day missing  " + GlyphPending + " not yet due  (blank: nothing expected)"

// Text renders the heat map for a terminal: a line per control, a column
// per month (years marked above their months), the control's on-time count,
// and a legend.
func (h Heatmap) Text(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Coverage %s, as of %s: ", h.Window, h.AsOf.Format("2006-01-02 15:04 MST"))
	if h.Total.Expected == 0 {
		b.WriteString("nothing due yet\n")
	} else {
		fmt.Fprintf(&b, "%.1f%% on time (%d of %d due)\n", 100*h.OnTimeRate, h.Total.OnTime, h.Total.Expected)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	return h.Grid(w)
}

// Grid is Text without its header line, for a caller that prints its own.
func (h Heatmap) Grid(w io.Writer) error {
	var b strings.Builder
	width := len("control")
	for _, r := range h.Rows {
		width = max(width, len(r.ControlID))
	}
	pad := func(s string, n int) string { return s + strings.Repeat(" ", max(0, n-len(s))) }

	// Year line: the year above its first month shown.
	years := []byte(strings.Repeat(" ", width+4*len(h.Months)+4))
	for i, m := range h.Months {
		if i == 0 || m[5:] == "01" {
			copy(years[width+1+4*i:], m[:4])
		}
	}
	b.WriteString(strings.TrimRight(string(years), " ") + "\n")
	b.WriteString(pad("control", width))
	for _, m := range h.Months {
		month, _ := strconv.Atoi(m[5:])
		b.WriteString(" " + time.Month(month).String()[:3])
	}
	b.WriteString("  on time\n")
	for _, r := range h.Rows {
		b.WriteString(pad(r.ControlID, width))
		for _, c := range r.Cells {
			b.WriteString("  " + c.Glyph() + " ")
		}
		fmt.Fprintf(&b, "  %d/%d\n", r.Total.OnTime, r.Total.Expected)
	}
	b.WriteString(Legend + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// CSVHeader is the header row CSV writes.
var CSVHeader = []string{"control_id", "month", "expected", "on_time", "late", "overdue", "retrospective", "missed", "pending",
	"out_of_period", "unauthorised", "incomplete"}

// CSV writes one row per control and month (every cell, zeros included).
func (h Heatmap) CSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for _, r := range h.Rows {
		for _, c := range r.Cells {
			rec := []string{r.ControlID, c.Month}
			for _, n := range []int{c.Expected, c.OnTime, c.Late, c.Overdue, c.Retrospective, c.Missed, c.Pending, c.OutOfPeriod, c.Unauthorised, c.Incomplete} {
				rec = append(rec, strconv.Itoa(n))
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}
