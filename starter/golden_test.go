package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// updateGolden rewrites the golden files instead of comparing:
// STEADFAST_UPDATE_GOLDEN=1 go test -run TestGoldenOutput ./starter/
var updateGolden = os.Getenv("STEADFAST_UPDATE_GOLDEN") == "1"

// assertGolden compares got with testdata/golden/name (or writes it).
func assertGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if updateGolden {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "no golden file; write it with STEADFAST_UPDATE_GOLDEN=1 and review it")
	assert.Equal(t, string(want), got, "%s changed; if that is intended, regenerate with STEADFAST_UPDATE_GOLDEN=1 and review the diff", name)
}

// TestGoldenOutput keeps the text of status, prompts, gaps, coverage,
// drift and readiness stable for one example engagement (brightlane, the
// saas-startup example) recorded with evidence, a ranked register and two
// open questions, its workflow running.
func TestGoldenOutput(t *testing.T) {
	ctx := context.Background()
	db, spec, plan, cli := operatingFixture(t)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

	// Two questions for priya (her zone is the engagement's, New York).
	choices := []compliance.PromptChoice{
		{Value: workflows.AssessImplemented, Label: "In place; evidence covers every occurrence", NoteRequired: true},
		{Value: workflows.AssessNoEvidence, Label: "In place; leaves no record"},
		{Value: workflows.AssessMissing, Label: "Not in place"},
	}
	for i, c := range []struct{ control, question string }{
		{"ACC-08", "ACC-08 Inactive accounts disabled: is it in place, and would its evidence survive an auditor's sample of every month in the window?"},
		{"OPS-15", "OPS-15 Availability reporting: is it in place?"},
	} {
		require.NoError(t, db.Store.OpenPrompt(ctx, postgres.Prompt{
			ID: "prompt/brightlane/gap/" + c.control, EngagementID: spec.ID, Key: "gap/" + c.control, Kind: "control-status",
			Subject: c.control, Question: c.question, Choices: choices, AddresseeEmail: "priya@brightlane.io", AddresseeName: "Priya",
			DueAt: at.Add(time.Duration(72+i) * time.Hour), CreatedAt: at,
		}))
	}
	require.NoError(t, db.Store.ReplaceRegister(ctx, spec.ID, []postgres.GapEntry{
		{ControlID: "OPS-15", Rank: 1, Score: 90, Gap: true, Status: "missing", Title: catalog.Default().Control("OPS-15").Title, Domain: "operations",
			OwnerEmail: "priya@brightlane.io", Frequency: "monthly", SampleSize: 2, Frameworks: []string{"soc2"}, Requirements: 2,
			Reasons: []string{"missing: nothing for the auditor to sample"}},
		{ControlID: "VUL-02", Rank: 2, Score: 60, Gap: true, Status: "partial", Title: catalog.Default().Control("VUL-02").Title, Domain: "vulnerability",
			OwnerEmail: "priya@brightlane.io", Frequency: "monthly", SampleSize: 2, Frameworks: []string{"soc2"}, Requirements: 3,
			Reasons: []string{"partial: scans run but findings are not tracked"}},
		{ControlID: "ACC-08", Rank: 3, Score: 0, Status: "implemented", Title: catalog.Default().Control("ACC-08").Title, Domain: "access",
			OwnerEmail: "priya@brightlane.io", Frequency: "monthly", SampleSize: 2, Frameworks: []string{"soc2"}, Requirements: 2},
	}, at))

	// The engagement's workflow, in fieldwork (it answers status and waits).
	tmp := testenv.DevServer(t)
	const queue = "steadfast-golden"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at}
	_, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)
	t.Setenv("TEMPORAL_ADDRESS", tmp.Address)
	t.Setenv("STEADFAST_TASK_QUEUE", queue)

	// status reports the on-time rate as of now; everything else is fixed.
	onTimeNow := regexp.MustCompile(`(?m)^On time .*$`)
	// status and gaps reckon vendor work as of now (readiness as of its
	// --as-of): the counts and the work rows move with the wall clock,
	// the vendor scope risks do not.
	vendorsNow := regexp.MustCompile(`(?m)^Vendors .*$`)
	vendorWorkNow := regexp.MustCompile(`(?m)^  \S+ +[^\n]* vendor-work [^\n]*\n`)
	vendorItemsNow := regexp.MustCompile(`Vendor items \(\d+;`)
	asOfNow := func(out string) string {
		out = onTimeNow.ReplaceAllString(out, "On time (as of now: see the coverage golden)")
		out = vendorsNow.ReplaceAllString(out, "Vendors (as of now: see `starter vendors`)")
		out = vendorWorkNow.ReplaceAllString(out, "")
		return vendorItemsNow.ReplaceAllString(out, "Vendor items (as of now;")
	}
	for _, c := range []struct {
		name string
		args []string
	}{
		{"status.txt", []string{"status", "brightlane"}},
		{"prompts.txt", []string{"prompts", "--engagement", "brightlane"}},
		{"prompts-wide.txt", []string{"prompts", "--engagement", "brightlane", "--wide"}},
		{"gaps.txt", []string{"gaps", "brightlane"}},
		{"coverage.txt", []string{"coverage", "brightlane", "--as-of", "2027-06-15"}},
		{"drift.txt", []string{"drift", "brightlane", "--as-of", "2027-06-15"}},
		{"readiness.txt", []string{"readiness", "brightlane", "--as-of", "2027-06-15"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, errOut, err := cli(c.args...)
			require.NoError(t, err, errOut)
			if strings.Contains(c.name, "readiness") {
				assertGolden(t, c.name, out) // as of --as-of throughout
				return
			}
			assertGolden(t, c.name, asOfNow(out))
		})
	}
}
