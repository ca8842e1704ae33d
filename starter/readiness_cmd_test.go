package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// sampleReview is a review of two monthly controls over 2027 as of
// mid-October: OPS-01 with every occurrence evidenced on time, VUL-02 with
// nothing at all.
func sampleReview(t *testing.T) readiness.Report {
	t.Helper()
	cal, err := compliance.NewCalendar(compliance.ReminderPolicy{TimeZone: "America/New_York"})
	require.NoError(t, err)
	window := compliance.Span{Start: compliance.Date{Year: 2027, Month: 1, Day: 1}, End: compliance.Date{Year: 2027, Month: 12, Day: 31}}
	asOf := time.Date(2027, 10, 15, 12, 0, 0, 0, cal.Location)
	in := readiness.Input{EngagementID: "acme", Window: window, AsOf: asOf, Seed: 99}
	var n int64
	for _, id := range []string{"OPS-01", "VUL-02"} {
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: id, Frequency: compliance.FreqMonthly, Window: window, Calendar: cal})
		require.NoError(t, err)
		in.Controls = append(in.Controls, readiness.Control{ID: id, Title: "Control | " + id, Description: "What it does.",
			Frequency: compliance.FreqMonthly, Owner: "o@acme.io", Occurrences: occs, CustomerRelied: id == "VUL-02",
			Requirements: map[compliance.FrameworkID][]string{compliance.SOC2: {"CC7.1"}}})
		if id == "OPS-01" {
			for _, o := range occs {
				n++
				in.Evidence = append(in.Evidence, readiness.Evidence{ID: n, OccurrenceKey: o.Key(), At: o.Due.Add(-time.Hour), By: "o@acme.io", Channel: "cli", ValueSHA256: strings.Repeat("a", 64)})
			}
		}
	}
	return readiness.Review(in)
}

func TestReadinessFormats(t *testing.T) {
	rep := sampleReview(t)
	require.Len(t, rep.Findings, 4, "VUL-02: four sampled months, nothing given")

	var text bytes.Buffer
	require.NoError(t, writeReadiness(&text, "text", rep))
	assert.Contains(t, text.String(), "seed 99 (repeat with --seed 99)")
	assert.Contains(t, text.String(), "RANK  CONTROL")
	assert.Contains(t, text.String(), "Predicted exceptions per criterion:")
	assert.Contains(t, text.String(), "soc2       CC7.1        4")
	assert.Contains(t, text.String(), "Before fieldwork:\n  - VUL-02")
	findings, sizes, ok := strings.Cut(text.String(), "Samples, and why each is that size:")
	require.True(t, ok, "the review prints its sample sizes and why")
	assert.NotContains(t, findings, "OPS-01  ")
	assert.Contains(t, sizes, "moderate review's risk, monthly range 2–5")

	var md bytes.Buffer
	require.NoError(t, writeReadiness(&md, "markdown", rep))
	assert.Contains(t, md.String(), "# Readiness review: acme")
	assert.Contains(t, md.String(), "--seed 99")
	assert.Contains(t, md.String(), `Control \| VUL-02`, "pipes are escaped in tables")
	assert.Contains(t, md.String(), "- [ ] VUL-02")

	var js bytes.Buffer
	require.NoError(t, writeReadiness(&js, "json", rep))
	var back readiness.Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, uint64(99), back.Seed)
	assert.Len(t, back.Findings, 4)
}

func TestEvidencePackManifest(t *testing.T) {
	rep := sampleReview(t)
	dir := filepath.Join(t.TempDir(), "pack")
	files, err := writeEvidencePack(dir, rep)
	require.NoError(t, err)
	assert.Equal(t, []string{"OPS-01/control.json", "VUL-02/control.json", "index.csv", "index.json"}, files)
	for _, f := range append(files, manifestName) {
		assert.FileExists(t, filepath.Join(dir, f))
	}

	// The manifest is sha256sum's format, sorted by path, and verifies.
	manifest, err := os.ReadFile(filepath.Join(dir, manifestName))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(manifest)), "\n")
	require.Len(t, lines, 4)
	for i, l := range lines {
		assert.Regexp(t, `^[0-9a-f]{64}  `+files[i]+`$`, l)
	}
	require.NoError(t, verifyEvidencePack(dir))

	// The index has one row per control × sampled occurrence.
	f, err := os.Open(filepath.Join(dir, "index.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(f).ReadAll()
	_ = f.Close()
	require.NoError(t, err)
	require.Len(t, rows, 1+rep.Sampled)
	assert.Equal(t, packCSVHeader, rows[0])
	var idx []packRow
	body, err := os.ReadFile(filepath.Join(dir, "index.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &idx))
	assert.Len(t, idx, rep.Sampled)

	var pc packControl
	body, err = os.ReadFile(filepath.Join(dir, "VUL-02", "control.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(body, &pc))
	assert.Equal(t, "o@acme.io", pc.Owner)
	assert.Equal(t, "What it does.", pc.Description)
	assert.Len(t, pc.Population, 9)
	assert.Len(t, pc.Sample, 4)
	assert.Len(t, pc.Findings, 4)

	// Refuses a non-empty directory.
	_, err = writeEvidencePack(dir, rep)
	assert.ErrorContains(t, err, "is not empty")

	// Changing one byte of one file breaks verification.
	path := filepath.Join(dir, "OPS-01", "control.json")
	body, err = os.ReadFile(path)
	require.NoError(t, err)
	body[10] ^= 1
	require.NoError(t, os.WriteFile(path, body, 0o644))
	assert.ErrorContains(t, verifyEvidencePack(dir), "OPS-01/control.json: SHA-256 does not match")

	// So does an extra file.
	require.NoError(t, os.WriteFile(path, append(body[:0:0], body...), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "extra.txt"), []byte("x"), 0o644))
	assert.ErrorContains(t, verifyEvidencePack(dir), "extra.txt: not in the manifest")
}

// TestReadinessAndEvidencePackCLI runs both commands against Postgres with
// the operating story of reports_cmd_test.go.
func TestReadinessAndEvidencePackCLI(t *testing.T) {
	cli := operatingCLI(t)

	out, _, err := cli("readiness", "brightlane", "--as-of", "2027-06-15", "--seed", "7")
	require.NoError(t, err)
	assert.Contains(t, out, "brightlane: readiness review of the operating window 2027-03-01 → 2027-08-31 as of 2027-06-15 23:59 EDT")
	assert.Contains(t, out, "seed 7 (repeat with --seed 7)")
	assert.Contains(t, out, "VUL-02/2027-04")
	assert.Contains(t, out, "raised retrospectively")

	again, _, err := cli("readiness", "brightlane", "--as-of", "2027-06-15", "--seed", "7")
	require.NoError(t, err)
	assert.Equal(t, out, again, "the same seed repeats the review")

	_, _, err = cli("readiness", "brightlane", "--format", "csv")
	assert.ErrorContains(t, err, "--format must be text, json or markdown")

	dir := filepath.Join(t.TempDir(), "pack")
	out, _, err = cli("evidence-pack", "brightlane", "--out", dir, "--as-of", "2027-06-15", "--seed", "7")
	require.NoError(t, err)
	assert.Contains(t, out, "seed 7")
	require.NoError(t, verifyEvidencePack(dir))
	assert.FileExists(t, filepath.Join(dir, "VUL-02", "control.json"))

	_, _, err = cli("evidence-pack", "brightlane", "--out", dir)
	assert.ErrorContains(t, err, "is not empty")
}

// TestReadinessReviewStoredAndAcceptedExceptionInPack runs the readiness
// review activity against Postgres (the sample stored with its seed), the
// lead accepts one finding with a reason, and the evidence pack then carries
// it as an accepted exception; `findings` shows the decision.
func TestReadinessReviewStoredAndAcceptedExceptionInPack(t *testing.T) {
	cli := operatingCLI(t)
	ctx := context.Background()
	store, err := postgres.Open(ctx, os.Getenv("DATABASE_URL"))
	require.NoError(t, err)
	defer store.Close()
	acts := &activities.Activities{Store: store}
	asOf := time.Date(2027, 6, 16, 3, 0, 0, 0, time.UTC)
	res, err := acts.RunReadinessReview(ctx, activities.RunReadinessInput{EngagementID: "brightlane", ReviewID: "r1", AsOf: asOf})
	require.NoError(t, err)
	require.NotEmpty(t, res.Findings, "the planted late and missing evidence are found")
	again, err := acts.RunReadinessReview(ctx, activities.RunReadinessInput{EngagementID: "brightlane", ReviewID: "r1", AsOf: asOf})
	require.NoError(t, err)
	assert.Equal(t, res, again, "a retried review draws the same sample from its recorded seed")

	f := res.Findings[0]
	require.NoError(t, acts.DecideFinding(ctx, activities.DecideFindingInput{EngagementID: "brightlane", FindingID: f.FindingID,
		Decision: "accept", Reason: "known: scanner outage that week, compensating review done", By: "maya@brightlane.io", At: asOf, Key: "d1"}))

	out, _, err := cli("findings", "brightlane")
	require.NoError(t, err)
	assert.Contains(t, out, f.FindingID)
	assert.Contains(t, out, "scanner outage")

	dir := filepath.Join(t.TempDir(), "pack")
	_, _, err = cli("evidence-pack", "brightlane", "--out", dir, "--as-of", "2027-06-15", "--seed", "7")
	require.NoError(t, err)
	body, err := os.ReadFile(filepath.Join(dir, "accepted-exceptions.json"))
	require.NoError(t, err)
	var accepted []postgres.Finding
	require.NoError(t, json.Unmarshal(body, &accepted))
	require.Len(t, accepted, 1, "only the accepted finding is an accepted exception")
	assert.Equal(t, f.FindingID, accepted[0].FindingID)
	assert.Equal(t, "accept", accepted[0].Decision)
	_, _, err = cli("evidence-pack", "verify", dir)
	require.NoError(t, err, "the exceptions are in the manifest")
}
