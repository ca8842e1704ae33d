package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// issue15 is brightlane recorded with evidence (operatingFixture), a ranked
// register of two gaps (OPS-15 accepted by the lead) and one control in
// place, its workflow running in fieldwork; and ferrovia-pay (Type I date
// before its window) recorded and running beside it.
type issue15 struct {
	db   testenv.Database
	spec *compliance.Spec
	tc   client.Client
	cli  func(args ...string) (string, string, error)
}

func newIssue15(t *testing.T) *issue15 {
	t.Helper()
	ctx := context.Background()
	db, spec, plan, cli := operatingFixture(t)
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	require.NoError(t, db.Store.ReplaceRegister(ctx, spec.ID, []postgres.GapEntry{
		{ControlID: "OPS-15", Rank: 1, Score: 90, Gap: true, Status: "missing", Title: "Availability reporting", Domain: "operations",
			OwnerEmail: "priya@brightlane.io", Frequency: "monthly", SampleSize: 2, Frameworks: []string{"soc2"}, Requirements: 2},
		{ControlID: "VUL-02", Rank: 2, Score: 60, Gap: true, Status: "partial", Title: "Patch management", Domain: "vulnerability",
			OwnerEmail: "priya@brightlane.io", Frequency: "monthly", SampleSize: 2, Frameworks: []string{"soc2"}, Requirements: 3},
		{ControlID: "ACC-08", Rank: 3, Status: "implemented", Title: "Inactive accounts disabled", Domain: "access",
			OwnerEmail: "priya@brightlane.io", Frequency: "monthly", SampleSize: 2, Frameworks: []string{"soc2"}, Requirements: 2},
	}, at))
	require.NoError(t, db.Store.RecordGapDecision(ctx, postgres.GapDecision{EngagementID: spec.ID, ControlID: "OPS-15", Accept: true,
		Reason: "reporting replaced by the status page; auditor agreed", By: "maya@brightlane.io", UpdateID: "test/accept", At: at}))
	tc := runningEngagement(t, db, spec, plan, nil)

	// ferrovia-pay: SOC 2 Type I on 2027-01-15, Type II window from 2027-02-01.
	fp, err := compliance.LoadSpec("../examples/payments-co.yaml")
	require.NoError(t, err)
	fplan, err := compliance.PlanEngagement(fp, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: fp.ID, WorkflowID: workflows.EngagementWorkflowID(fp.ID),
		Revision: 1, Spec: *fp, Plan: fplan, Phase: compliance.PhaseScoping, RecordedBy: "test", At: at}))
	st := &workflows.EngagementState{EngagementID: fp.ID, Client: fp.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1,
		Spec: *fp, Plan: &fplan, StartedAt: at, UpdatedAt: at}
	_, err = tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(fp.ID), TaskQueue: "steadfast-running"},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *fp, State: st})
	require.NoError(t, err)
	return &issue15{db: db, spec: spec, tc: tc, cli: cli}
}

// TestIssue15 reproduces each line of issue 15 that the CLI answers, one
// subtest per line; each failed on the code the issue was filed against.
func TestIssue15(t *testing.T) {
	f := newIssue15(t)
	ctx := context.Background()

	t.Run("status says n/a, not 0.0%, while nothing is due", func(t *testing.T) {
		svc := &engagement.Service{Temporal: f.tc, Store: f.db.Store, Now: func() time.Time { return time.Date(2027, 3, 2, 12, 0, 0, 0, time.UTC) }}
		v, err := svc.StatusReport(ctx, engagement.StatusRequest{EngagementID: f.spec.ID})
		require.NoError(t, err)
		var b strings.Builder
		printStatus(&b, v)
		assert.Contains(t, b.String(), "On time     n/a: no evidence has fallen due yet in the window")
		assert.NotContains(t, b.String(), "0.0%")

		// Later, the same figure coverage gives (6 of 291 due on 2027-06-15).
		svc.Now = func() time.Time { return time.Date(2027, 6, 16, 3, 59, 0, 0, time.UTC) }
		v, err = svc.StatusReport(ctx, engagement.StatusRequest{EngagementID: f.spec.ID})
		require.NoError(t, err)
		b.Reset()
		printStatus(&b, v)
		cov, _, err := f.cli("coverage", f.spec.ID, "--as-of", "2027-06-15")
		require.NoError(t, err)
		assert.Contains(t, cov, "2.1% (6 of 291 due)")
		assert.Contains(t, b.String(), "2.1% (6 of 291 due so far in the window")
	})

	t.Run("certified before the report period ends is refused", func(t *testing.T) {
		_, _, err := f.cli("certified", f.spec.ID, "--framework", "soc2", "--date", "2026-12-03", "--report-period", "2027-03-01..2027-08-31", "--as", "maya@brightlane.io")
		require.Error(t, err)
		assert.Contains(t, userMessage(err), "the date must be after the report period ends (2027-08-31)")
	})

	t.Run("status and coverage give ferrovia-pay the same window", func(t *testing.T) {
		out, _, err := f.cli("status", "ferrovia-pay")
		require.NoError(t, err)
		cov, _, err := f.cli("coverage", "ferrovia-pay", "--as-of", "2027-03-01")
		require.NoError(t, err)
		assert.Contains(t, cov, "operating window 2027-01-15 → 2027-12-31")
		assert.Contains(t, out, "Evidence window   2027-01-15 → 2027-12-31 (what coverage, drift and readiness report on)")
	})

	t.Run("gaps override takes a rank among the gaps, and only a gap", func(t *testing.T) {
		_, _, err := f.cli("gaps", "override", f.spec.ID, "VUL-02", "--rank", "999", "--as", "maya@brightlane.io", "--reason", "x")
		require.ErrorContains(t, err, "rank 999 is not a place in the register: give a rank from 1 to 2 (there are 2 gaps)")
		_, _, err = f.cli("gaps", "override", f.spec.ID, "ACC-08", "--rank", "1", "--as", "maya@brightlane.io", "--reason", "x")
		require.ErrorContains(t, err, "ACC-08 is not a gap in brightlane")
		_, _, err = f.cli("gaps", "accept", f.spec.ID+"/ACC-08", "--as", "maya@brightlane.io", "--reason", "x")
		require.ErrorContains(t, err, "ACC-08 is not a gap in brightlane", "ENGAGEMENT/CONTROL names the gap too")
	})

	t.Run("the evidence pack carries the gaps the lead accepted", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "pack")
		_, errOut, err := f.cli("evidence-pack", f.spec.ID, "--out", dir, "--as-of", "2027-06-15", "--seed", "7")
		require.NoError(t, err, errOut)
		body, err := os.ReadFile(filepath.Join(dir, packExceptionsCSV))
		require.NoError(t, err)
		assert.Contains(t, string(body), "gap/OPS-15,OPS-15,,gap-assessment,")
		assert.Contains(t, string(body), "reporting replaced by the status page; auditor agreed,maya@brightlane.io")
	})

	t.Run("evidence-pack verify on a missing directory says so", func(t *testing.T) {
		_, _, err := f.cli("evidence-pack", "verify", filepath.Join(t.TempDir(), "nope"))
		require.ErrorContains(t, err, "no such directory to verify")
		assert.NotContains(t, err.Error(), "MANIFEST")
	})

	t.Run("readiness with nothing tested does not say all clear", func(t *testing.T) {
		out, _, err := f.cli("readiness", f.spec.ID, "--as-of", "2027-03-02")
		require.NoError(t, err)
		assert.Contains(t, out, "Nothing was tested: no occurrence has fallen due in the window yet")
		assert.NotContains(t, out, "every sampled occurrence passed")
	})

	t.Run("scope reject asks for --reason and says rejected", func(t *testing.T) {
		_, _, err := f.cli("scope", "reject", f.spec.ID, "--as", "maya@brightlane.io")
		require.ErrorContains(t, err, "--reason")
		assert.NotContains(t, err.Error(), "--note")
		assert.Equal(t, "rejected", pastTense(workflows.DecisionReject))
		assert.Equal(t, "approved", pastTense(workflows.DecisionApprove))
	})

	t.Run("a command for another phase names the phase and when it becomes possible", func(t *testing.T) {
		_, _, err := f.cli("programme", f.spec.ID)
		require.ErrorIs(t, err, engagement.ErrNotNow)
		assert.Contains(t, err.Error(), "brightlane is in its fieldwork phase; this needs the certified programme, which starts when a certification is recorded")
		_, _, err = f.cli("framework", "add", f.spec.ID, "iso27001", "--as", "maya@brightlane.io")
		require.ErrorIs(t, err, engagement.ErrNotNow)
		_, _, err = f.cli("scope", "approve", f.spec.ID, "--as", "maya@brightlane.io", "--reason", "ok")
		require.ErrorIs(t, err, engagement.ErrNotNow)
		assert.Contains(t, err.Error(), "the scope is decided and revised only while scoping, which is over")
		office := filepath.Join(t.TempDir(), "office.yaml")
		require.NoError(t, os.WriteFile(office, []byte("name: Lisbon office\nkind: physical\nenvironment: corporate\ndata: [employee-data]\nscope: in\n"), 0o644))
		_, _, err = f.cli("scope", "add-system", f.spec.ID, "-f", office, "--as", "maya@brightlane.io")
		require.ErrorIs(t, err, engagement.ErrNotNow)
		assert.Contains(t, err.Error(), "brightlane is in its fieldwork phase")
		assert.Contains(t, err.Error(), "this needs the certified programme, which starts when a certification is recorded")
		_, _, err = f.cli("scope", "revise", f.spec.ID, "-f", "../examples/saas-startup.yaml", "--as", "maya@brightlane.io")
		require.ErrorIs(t, err, engagement.ErrNotNow)
		assert.Contains(t, err.Error(), "the scope is decided and revised only while scoping, which is over")
		_, _, err = f.cli("programme", "nobody")
		require.ErrorIs(t, err, engagement.ErrNoSuchEngagement)
	})

	t.Run("remediation done and gaps name a gap the same way", func(t *testing.T) {
		for _, args := range [][]string{{"brightlane", "OPS-15"}, {"brightlane/OPS-15"}} {
			eng, control, err := itemArgs(args)
			require.NoError(t, err)
			assert.Equal(t, []string{"brightlane", "OPS-15"}, []string{eng, control})
		}
		_, _, err := itemArgs([]string{"brightlane"})
		assert.ErrorContains(t, err, "name the gap as ENGAGEMENT CONTROL")
		_, _, err = f.cli("remediation", "done", "brightlane", "--as", "priya@brightlane.io", "--evidence", "https://x.example/")
		assert.ErrorContains(t, err, "name the gap as ENGAGEMENT CONTROL")
	})

	t.Run("every command refuses a format it does not offer, naming those it does", func(t *testing.T) {
		for args, want := range map[string]string{
			"remediation brightlane --format bogus": `--format must be text or json, not "bogus"`,
			"findings brightlane --format xml":      `--format must be table or json, not "xml"`,
			"list --format yaml":                    `--format must be text or json, not "yaml"`,
		} {
			out, _, err := f.cli(strings.Fields(args)...)
			require.ErrorContains(t, err, want, args)
			assert.Empty(t, out, args)
		}
	})

	t.Run("audit request needs --as, so the role check always runs", func(t *testing.T) {
		_, _, err := f.cli("audit", "request", f.spec.ID, "--id", "PBC-9", "--description", "d", "--due", "2027-08-01")
		require.ErrorContains(t, err, `required flag(s) "as" not set`)
	})

	t.Run("prompts refuses a status that does not exist", func(t *testing.T) {
		_, _, err := f.cli("prompts", "--status", "bogus")
		require.ErrorContains(t, err, `--status "bogus" is not a prompt status: use one of open, answered, expired, withdrawn, all`)
		_, _, err = f.cli("prompts", "--engagement", "nobody")
		require.ErrorIs(t, err, engagement.ErrNoSuchEngagement)
	})

	t.Run("coverage prints its header once, and nothing before an error", func(t *testing.T) {
		out, _, err := f.cli("coverage", f.spec.ID, "--as-of", "2027-06-15")
		require.NoError(t, err)
		assert.Equal(t, 1, strings.Count(out, "2027-03-01 → 2027-08-31"), out[:300])
		out, _, err = f.cli("coverage", f.spec.ID, "--as-of", "15/06/2027")
		require.ErrorContains(t, err, "--as-of")
		assert.Empty(t, out)
	})

	t.Run("drift does not repeat a reason", func(t *testing.T) {
		out, _, err := f.cli("drift", f.spec.ID, "--as-of", "2027-06-15")
		require.NoError(t, err)
		for _, line := range strings.Split(out, "\n") {
			if strings.HasSuffix(strings.TrimSpace(line), "ACC-02/2027-03 is missed") {
				t.Errorf("a reason repeated by a longer one above it: %q", line)
			}
		}
	})

	t.Run("gaps and findings of an engagement that does not exist say so", func(t *testing.T) {
		for _, cmd := range []string{"gaps", "findings", "remediation", "coverage", "drift", "readiness"} {
			_, _, err := f.cli(cmd, "nobody")
			require.ErrorIs(t, err, engagement.ErrNoSuchEngagement, cmd)
			assert.NotContains(t, err.Error(), "yet", cmd)
		}
	})

	t.Run("a spec whose audit date has passed does not start", func(t *testing.T) {
		body, err := os.ReadFile("../examples/saas-startup.yaml")
		require.NoError(t, err)
		src := strings.NewReplacer("id: brightlane", "id: late-co", "start: 2027-03-01", "start: 2025-03-01",
			"end: 2027-08-31", "end: 2025-08-31", "audit_date: 2027-09-20", "audit_date: 2025-09-20").Replace(string(body))
		require.Contains(t, src, "audit_date: 2025-09-20")
		path := filepath.Join(t.TempDir(), "late.yaml")
		require.NoError(t, os.WriteFile(path, []byte(src), 0o600))
		_, _, err = f.cli("engage", "-f", path)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "audit_date: 2025-09-20 is not after today")
		_, err = f.tc.DescribeWorkflow(ctx, workflows.EngagementWorkflowID("late-co"), "")
		assert.Error(t, err, "nothing was started")
	})

	t.Run("list shows an engagement as soon as engage returns", func(t *testing.T) {
		body, err := os.ReadFile("../examples/saas-startup.yaml")
		require.NoError(t, err)
		path := filepath.Join(t.TempDir(), "quick.yaml")
		require.NoError(t, os.WriteFile(path, []byte(strings.Replace(string(body), "id: brightlane", "id: quick-co", 1)), 0o600))
		out, errOut, err := f.cli("engage", "-f", path, "--as", "sam@steadfast.example")
		require.NoError(t, err, errOut)
		assert.Contains(t, out, "Started engagement quick-co")
		assert.Empty(t, errOut)
		listing, _, err := f.cli("list")
		require.NoError(t, err)
		assert.Contains(t, listing, "quick-co")
	})

	t.Run("engage reads no further than the 1 MB cap", func(t *testing.T) {
		_, _, err := f.cli("engage", "-f", "/dev/zero")
		require.ErrorContains(t, err, "a spec may be at most 1048576")
	})

	t.Run("readiness JSON does not call its sampling input a risk verdict", func(t *testing.T) {
		out, _, err := f.cli("readiness", f.spec.ID, "--as-of", "2027-06-15", "--format", "json")
		require.NoError(t, err)
		assert.Contains(t, out, `"sample_risk": "moderate"`)
		assert.NotContains(t, out, `"risk": "moderate"`)
	})

	t.Run("evidence add's hint says what an occurrence key is", func(t *testing.T) {
		_, _, err := f.cli("evidence", "add", f.spec.ID, "ACC-08/2027-13", "--link", "https://x.example/", "--as", "priya@brightlane.io")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "ACC-02/2027-03 monthly")
		assert.NotContains(t, err.Error(), "starter coverage")
	})
}

// Issue 15: status said "Certified … (`starter programme brightlane`)"
// while that command could not answer; the hint shows only once it can.
func TestStatusCertifiedHintOnlyInTheProgramme(t *testing.T) {
	cert := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1},
		ReportPeriod: compliance.Span{Start: compliance.Date{Year: 2027, Month: 3, Day: 1}, End: compliance.Date{Year: 2027, Month: 8, Day: 31}}}
	for phase, hint := range map[compliance.Phase]bool{compliance.PhaseFieldwork: false, compliance.PhaseProgramme: true} {
		var b strings.Builder
		printStatus(&b, engagement.StatusView{EngagementStatus: workflows.EngagementStatus{EngagementID: "brightlane", Phase: phase,
			Certifications: []postcert.Certification{cert}}})
		assert.Contains(t, b.String(), "Certified   soc2 on 2027-10-01 for 2027-03-01 to 2027-08-31", phase)
		assert.Equal(t, hint, strings.Contains(b.String(), "`starter programme brightlane`"), phase)
	}
}
