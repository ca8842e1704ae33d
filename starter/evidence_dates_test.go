package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// windowAroundNow moves the spec's SOC 2 observation window so that it
// opened about five months ago (in the client's zone) and runs a year:
// evidence can then be given for past periods and refused for future ones
// against the real clock the CLI and Temporal use.
func windowAroundNow(t *testing.T, spec *compliance.Spec) (compliance.Span, *time.Location) {
	t.Helper()
	f := spec.Framework(compliance.SOC2)
	require.NotNil(t, f)
	require.NotNil(t, f.Window)
	loc, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)
	now := time.Now().In(loc)
	start := time.Date(now.Year(), now.Month()-5, 1, 0, 0, 0, 0, loc)
	f.Window.Start = compliance.DateOf(start)
	f.Window.End = compliance.DateOf(start.AddDate(1, 0, -1))
	f.Type1Date = nil
	return compliance.Span{Start: f.Window.Start, End: f.Window.End}, loc
}

func monthKey(control string, t time.Time) string {
	return fmt.Sprintf("%s/%04d-%02d", control, t.Year(), int(t.Month()))
}

func TestEvidenceAddDatesFilesAndCorrections(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	_, loc := windowAroundNow(t, spec)
	plan, err := compliance.PlanEngagement(spec, time.Now().AddDate(0, -6, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))
	runningEngagement(t, db, spec, plan, nil)
	blobs := t.TempDir()
	t.Setenv("STEADFAST_EVIDENCE_DIR", blobs)
	run := func(args ...string) (string, error) {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&out)
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}
	now := time.Now().In(loc)
	thisMonth, nextMonth, threeAgo := monthKey("ACC-08", now), monthKey("ACC-08", now.AddDate(0, 1, -now.Day()+1)), monthKey("ACC-08", now.AddDate(0, -3, -now.Day()+1))
	const owner = "priya@brightlane.io"

	// A period that has not begun: nothing can have operated yet (issue 12).
	_, err = run("evidence", "add", spec.ID, nextMonth, "--link", "https://drive.example/next", "--as", owner)
	require.ErrorContains(t, err, "has not begun")

	// A file, performed today, for this month: stored content-addressed.
	pdf := filepath.Join(t.TempDir(), "sweep.pdf")
	require.NoError(t, os.WriteFile(pdf, []byte("%PDF-1.4\nmonthly sweep: 3 accounts disabled\n"), 0o600))
	out, err := run("evidence", "add", spec.ID, thisMonth, "--file", pdf, "--as", owner)
	require.NoError(t, err)
	assert.Contains(t, out, "file sweep.pdf")
	assert.Contains(t, out, "application/pdf")
	assert.Contains(t, out, "on-time")
	ev, err := db.Store.EvidenceFor(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, ev, 1)
	assert.Equal(t, "file", ev[0].Kind)
	assert.Equal(t, ev[0].ArtifactSHA256, ev[0].ValueSHA256, "a file's row is hashed by its bytes")
	_, err = os.Stat(filepath.Join(blobs, ev[0].ArtifactSHA256[:2], ev[0].ArtifactSHA256))
	require.NoError(t, err, "the bytes are in the local store under their hash")

	// Performed before its period opened: recorded as given, judged as not
	// evidencing the occurrence.
	before := now.AddDate(0, -4, -now.Day()+1).Format("2006-01-02")
	out, err = run("evidence", "add", spec.ID, threeAgo, "--note", "swept", "--performed", before, "--as", owner)
	require.NoError(t, err)
	assert.Contains(t, out, "performed-before-period")
	// A control cannot have been performed tomorrow.
	_, err = run("evidence", "add", spec.ID, thisMonth, "--note", "swept", "--performed", now.AddDate(0, 0, 2).Format("2006-01-02"), "--as", owner)
	require.ErrorContains(t, err, "cannot have been performed")

	// --corrects: unknown, another occurrence's row, another engagement's row.
	_, err = run("evidence", "add", spec.ID, thisMonth, "--note", "x", "--corrects", "987654", "--as", owner)
	require.ErrorContains(t, err, "has no evidence 987654 to correct")
	assert.NotContains(t, err.Error(), "SQLSTATE")
	ev, err = db.Store.EvidenceFor(ctx, spec.ID)
	require.NoError(t, err)
	require.Len(t, ev, 2)
	_, err = run("evidence", "add", spec.ID, threeAgo, "--note", "x", "--corrects", fmt.Sprint(ev[0].ID), "--as", owner)
	require.ErrorContains(t, err, "a correction must be for the same occurrence")

	other := *spec
	other.ID = spec.ID + "-other"
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: other.ID, WorkflowID: "engagement/" + other.ID,
		Revision: 1, Spec: other, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: time.Now()}))
	otherID, err := db.Store.AddEvidence(ctx, postgres.Evidence{EngagementID: other.ID, ControlID: "ACC-08", OccurrenceKey: thisMonth,
		PeriodStart: now, PeriodEnd: now, DueAt: now, SubmittedAt: now, SubmittedBy: owner, Channel: "cli", Kind: "attestation",
		Value: "theirs", SubmissionKey: "other/1"})
	require.NoError(t, err)
	_, err = run("evidence", "add", spec.ID, thisMonth, "--note", "x", "--corrects", fmt.Sprint(otherID), "--as", owner)
	require.ErrorContains(t, err, fmt.Sprintf("has no evidence %d to correct", otherID), "another engagement's row is as unknown as a missing one")

	out, err = run("evidence", "add", spec.ID, thisMonth, "--note", "re-signed", "--corrects", fmt.Sprint(ev[0].ID), "--as", owner)
	require.NoError(t, err)
	assert.Contains(t, out, "Recorded evidence")
}
