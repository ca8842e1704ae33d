package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// operatingCLI records brightlane (a Type II window 2027-03-01 → 2027-08-31
// in New York) with evidence through May 2027 — ACC-08 always on time,
// OPS-01 late twice then on time, VUL-02 with one retrospective, nothing at
// all for OPS-15 — and returns the CLI pointed at that database.
func operatingCLI(t *testing.T) func(args ...string) (stdout, stderr string, err error) {
	t.Helper()
	_, _, _, cli := operatingFixture(t)
	return cli
}

// operatingFixture is operatingCLI with the database, spec and plan it
// recorded, for tests that add to the record.
func operatingFixture(t *testing.T) (testenv.Database, *compliance.Spec, compliance.Plan, func(args ...string) (stdout, stderr string, err error)) {
	t.Helper()
	ctx := context.Background()
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec, Plan: plan,
		Phase: compliance.PhaseScoping, RecordedBy: "test", At: at,
	}))
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	window, err := cadence.Window(spec, plan)
	require.NoError(t, err)

	n := 0
	give := func(controlID string, seq int, when func(cadence.Occurrence) time.Time) {
		c := catalog.Default().Control(controlID)
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		require.NoError(t, err)
		o := occs[seq-1]
		n++
		_, err = db.Store.AddEvidence(ctx, postgres.Evidence{
			EngagementID: spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
			PeriodStart: o.Period.Start.In(cal.Location), PeriodEnd: o.Period.End.In(cal.Location), DueAt: o.Due,
			SubmittedAt: when(o), SubmittedBy: "priya@brightlane.io", Channel: "cli", Kind: "link",
			Value: fmt.Sprintf("https://drive.example/%d", n), SubmissionKey: fmt.Sprintf("test/%d", n),
		})
		require.NoError(t, err)
	}
	onTime := func(o cadence.Occurrence) time.Time { return o.Due.Add(-time.Hour) }
	late := func(o cadence.Occurrence) time.Time { return o.Due.Add(time.Hour) }
	retro := func(o cadence.Occurrence) time.Time { return o.GraceEnd.Add(24 * time.Hour) }
	for seq := 1; seq <= 3; seq++ {
		give("ACC-08", seq, onTime)
	}
	give("OPS-01", 1, late)
	give("OPS-01", 2, late)
	give("OPS-01", 3, onTime)
	give("VUL-02", 1, onTime)
	give("VUL-02", 2, retro)
	give("VUL-02", 3, onTime)

	t.Setenv("DATABASE_URL", db.URL)
	return db, spec, plan, func(args ...string) (string, string, error) {
		var out, errOut bytes.Buffer
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&errOut)
		err := root.ExecuteContext(ctx)
		return out.String(), errOut.String(), err
	}
}

func TestCoverageAndDriftCLI(t *testing.T) {
	cli := operatingCLI(t)

	t.Run("coverage text", func(t *testing.T) {
		out, _, err := cli("coverage", "brightlane", "--as-of", "2027-06-15")
		require.NoError(t, err)
		lines := strings.Split(out, "\n")
		assert.Regexp(t, `^brightlane: operating window 2027-03-01 → 2027-08-31, as of 2027-06-15 23:59 EDT; on-time rate so far \d+\.\d% \(6 of \d+ due\)$`, lines[0])
		assert.Contains(t, out, drift.Legend)
		assert.Contains(t, out, " Mar Apr May Jun Jul Aug  on time")
		row := func(id string) string {
			for _, l := range lines {
				if strings.HasPrefix(l, id+" ") {
					return l
				}
			}
			t.Fatalf("no row for %s in:\n%s", id, out)
			return ""
		}
		assert.Equal(t, "ACC-08   █   █   █   ·   ·   ·   3/3", row("ACC-08"))
		assert.Equal(t, "OPS-01   ▓   ▓   █   ·   ·   ·   1/3", row("OPS-01"))
		assert.Equal(t, "VUL-02   █   ▒   █   ·   ·   ·   2/3", row("VUL-02"))
		assert.Equal(t, "OPS-15   ✗   ✗   ✗   ·   ·   ·   0/3", row("OPS-15"))
	})

	t.Run("coverage before anything is due", func(t *testing.T) {
		out, _, err := cli("coverage", "brightlane", "--as-of", "2027-03-02")
		require.NoError(t, err)
		assert.Contains(t, strings.SplitN(out, "\n", 2)[0], "on-time rate so far n/a (nothing due yet)")

		out, _, err = cli("coverage", "brightlane", "--as-of", "2027-03-02", "--format", "json")
		require.NoError(t, err)
		var got map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		assert.Nil(t, got["on_time_rate"], "null, not 0, while nothing is due")
		assert.EqualValues(t, 0, got["due"])
	})

	t.Run("coverage json", func(t *testing.T) {
		out, _, err := cli("coverage", "brightlane", "--as-of", "2027-06-15", "--format", "json")
		require.NoError(t, err)
		var got struct {
			EngagementID string          `json:"engagement_id"`
			Window       compliance.Span `json:"window"`
			AsOf         time.Time       `json:"as_of"`
			OnTimeRate   *float64        `json:"on_time_rate"`
			Due          int             `json:"due"`
			Heatmap      drift.Heatmap   `json:"heatmap"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		assert.Equal(t, "brightlane", got.EngagementID)
		assert.Equal(t, "2027-03-01 → 2027-08-31", got.Window.String())
		require.NotNil(t, got.OnTimeRate)
		assert.InDelta(t, 6/float64(got.Due), *got.OnTimeRate, 1e-9)
		assert.Equal(t, got.Due, got.Heatmap.Total.Expected)
		assert.Equal(t, []string{"2027-03", "2027-04", "2027-05", "2027-06", "2027-07", "2027-08"}, got.Heatmap.Months)
		for _, r := range got.Heatmap.Rows {
			if r.ControlID == "VUL-02" {
				assert.Equal(t, 1, r.Cells[1].Retrospective)
				assert.Equal(t, 2, r.Total.OnTime)
				return
			}
		}
		t.Fatal("no VUL-02 row")
	})

	t.Run("coverage csv", func(t *testing.T) {
		out, stderr, err := cli("coverage", "brightlane", "--as-of", "2027-06-15", "--format", "csv")
		require.NoError(t, err)
		assert.Contains(t, stderr, "on-time rate so far", "the header goes to stderr, stdout stays CSV")
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err)
		assert.Equal(t, drift.CSVHeader, recs[0])
		assert.Contains(t, recs, []string{"OPS-01", "2027-04", "1", "0", "1", "0", "0", "0", "0", "0", "0", "0"})
		assert.Contains(t, recs, []string{"OPS-15", "2027-05", "1", "0", "0", "0", "0", "1", "0", "0", "0", "0"})
		assert.Contains(t, recs, []string{"ACC-08", "2027-06", "0", "0", "0", "0", "0", "0", "1", "0", "0", "0"})
	})

	t.Run("drift text", func(t *testing.T) {
		out, _, err := cli("drift", "brightlane", "--as-of", "2027-06-15")
		require.NoError(t, err)
		lines := strings.Split(out, "\n")
		assert.Contains(t, lines[0], "on-time rate so far")
		assert.Regexp(t, `^\d+ of \d+ controls drifting:$`, lines[1])
		assert.Regexp(t, `^CONTROL +OWNER +LEVEL +TELLS +MISSED +LATE +OVERDUE +RETRO +DAYS SINCE EVIDENCE +STREAK +WHY$`, lines[2])
		find := func(id string) []string {
			for _, l := range lines {
				if strings.HasPrefix(l, id+" ") {
					return strings.Fields(l)
				}
			}
			return nil
		}
		assert.Nil(t, find("ACC-08"), "on cadence: not listed")
		ops01 := find("OPS-01")
		require.NotNil(t, ops01, out)
		assert.Equal(t, []string{"OPS-01", "priya@brightlane.io", "drifting", "control-owner,", "lead", "0", "2", "0", "0"}, ops01[:9])
		assert.Equal(t, "1", ops01[10], "streak")
		assert.Contains(t, out, "2 of the last 3 occurrences were not on time")
		vul02 := find("VUL-02")
		require.NotNil(t, vul02, out)
		assert.Equal(t, []string{"VUL-02", "priya@brightlane.io", "watch", "control-owner", "0", "0", "0", "1"}, vul02[:8])
		assert.Contains(t, out, "VUL-02/2027-04 is retrospective")
		ops15 := find("OPS-15")
		require.NotNil(t, ops15, out)
		assert.Equal(t, []string{"OPS-15", "priya@brightlane.io", "critical", "control-owner,", "lead,", "sponsor", "3", "0", "0", "0"}, ops15[:10])
		assert.Contains(t, strings.Join(ops15, " "), "(none yet)")
		// Worst first: every critical line comes before the first watch.
		assert.Less(t, strings.Index(out, "\nOPS-15 "), strings.Index(out, "\nOPS-01 "))
		assert.Less(t, strings.Index(out, "\nOPS-01 "), strings.Index(out, "\nVUL-02 "))
	})

	t.Run("drift json", func(t *testing.T) {
		out, _, err := cli("drift", "brightlane", "--as-of", "2027-06-15", "--format", "json")
		require.NoError(t, err)
		var got struct {
			EngagementID string   `json:"engagement_id"`
			OnTimeRate   *float64 `json:"on_time_rate"`
			Due          int      `json:"due"`
			Controls     int      `json:"controls"`
			Drifting     []struct {
				ControlID string             `json:"control_id"`
				Title     string             `json:"title"`
				Owner     string             `json:"owner"`
				Drift     drift.ControlDrift `json:"drift"`
			} `json:"drifting"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &got))
		assert.Equal(t, "brightlane", got.EngagementID)
		assert.Positive(t, got.Controls)
		require.NotNil(t, got.OnTimeRate)
		byID := map[string]drift.ControlDrift{}
		for _, c := range got.Drifting {
			byID[c.ControlID] = c.Drift
		}
		assert.NotContains(t, byID, "ACC-08")
		assert.Equal(t, drift.LevelDrifting, byID["OPS-01"].Level)
		assert.Equal(t, []compliance.Role{compliance.RoleControlOwner, compliance.RoleLead}, byID["OPS-01"].Tell)
		assert.Equal(t, 1, byID["VUL-02"].Retrospective)
		assert.Equal(t, drift.LevelCritical, byID["OPS-15"].Level)
		assert.Equal(t, 3, byID["OPS-15"].Missed)
		assert.Equal(t, drift.LevelCritical, got.Drifting[0].Drift.Level)
		assert.Equal(t, drift.LevelWatch, got.Drifting[len(got.Drifting)-1].Drift.Level)
	})

	t.Run("drift before anything is due", func(t *testing.T) {
		out, _, err := cli("drift", "brightlane", "--as-of", "2027-03-02")
		require.NoError(t, err)
		assert.Contains(t, out, "n/a (nothing due yet)")
		assert.Contains(t, out, "No control is drifting")

		out, _, err = cli("drift", "brightlane", "--as-of", "2027-03-02", "--format", "json")
		require.NoError(t, err)
		assert.Contains(t, out, `"drifting": []`)
		assert.Contains(t, out, `"on_time_rate": null`)
	})

	t.Run("errors", func(t *testing.T) {
		_, _, err := cli("coverage", "brightlane", "--format", "xml")
		require.ErrorContains(t, err, "--format must be text, json or csv")
		_, _, err = cli("drift", "brightlane", "--format", "csv")
		require.ErrorContains(t, err, "--format must be text or json")
		_, _, err = cli("coverage", "brightlane", "--as-of", "15/06/2027")
		require.ErrorContains(t, err, "--as-of")
		_, _, err = cli("drift", "nobody")
		require.ErrorIs(t, err, postgres.ErrNotFound)
	})

	t.Run("help says what they show", func(t *testing.T) {
		out, _, err := cli("coverage", "--help")
		require.NoError(t, err)
		assert.Contains(t, out, "month by month")
		assert.Contains(t, out, "--as-of")
		out, _, err = cli("drift", "--help")
		require.NoError(t, err)
		assert.Contains(t, out, "who that level tells")
	})
}
