package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// runRoot runs the whole CLI, so the commands are found where a user types
// them (`starter catalog soa`, `starter vendors`).
func runRoot(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := newRootCmd()
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs(args)
	err := root.Execute()
	return out.String(), err
}

func TestCatalogSoACSV(t *testing.T) {
	out, err := runRoot(t, "catalog", "soa", "../examples/payments-co.yaml", "--format", "csv")
	require.NoError(t, err)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 94, "a header and every Annex A control")
	assert.Equal(t, soaColumns, rows[0])
	byID := map[string][]string{}
	for _, r := range rows[1:] {
		byID[r[0]] = r
	}
	assert.Equal(t, "R-01", byID["A.8.24"][4], "the register's risk justifies the line")
	assert.Contains(t, byID["A.8.24"][7], "Included: treats risks R-01")
}

func TestCatalogSoAMarkdownShowsContradictions(t *testing.T) {
	out, err := runRoot(t, "catalog", "soa", "../examples/kelp-health.yaml", "--format", "markdown")
	require.ErrorContains(t, err, "R-05 needs A.8.30", "an SoA that contradicts the register fails")
	assert.Contains(t, out, "| A.8.30 | ")
	assert.Contains(t, out, "Excluded: excluded by the client: No software development is outsourced.")
	assert.Contains(t, out, "## Contradictions\n\n- R-05 needs A.8.30, which is excluded")
	assert.Contains(t, out, "| R-06 | Regional cloud outage |")
}

func TestCatalogSoARisksFromCSV(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "risks.csv")
	require.NoError(t, os.WriteFile(good, []byte("id,title,owner,treatment,controls\nR-10,Insider fraud,CFO,mitigate,A.5.3\n"), 0o600))
	out, err := runRoot(t, "catalog", "soa", "../examples/kelp-health.yaml", "--format", "csv", "--risks", good)
	require.NoError(t, err, "the imported register replaces the one that relied on A.8.30")
	assert.Contains(t, out, "A.5.3,Separating conflicting duties,organizational,true,R-10,")

	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("id,title,owner,treatment,controls\nR-10,Insider fraud,CFO,mitigate,A.5.3\nR-11,Typo,CFO,mitgate,A.5.3\n"), 0o600))
	_, err = runRoot(t, "catalog", "soa", "../examples/kelp-health.yaml", "--risks", bad)
	var es compliance.SpecErrors
	require.ErrorAs(t, err, &es)
	assert.Contains(t, es.Error(), "bad.csv:3:")
	assert.Contains(t, es.Error(), `unknown risk treatment "mitgate"`)

	unknown := filepath.Join(dir, "unknown.csv")
	require.NoError(t, os.WriteFile(unknown, []byte("id,title,owner,treatment,controls\nR-12,Made up,CFO,mitigate,A.5.99\n"), 0o600))
	_, err = runRoot(t, "catalog", "soa", "../examples/kelp-health.yaml", "--risks", unknown)
	require.ErrorContains(t, err, "risks[0].controls[0]: A.5.99 is not an ISO 27001:2022 Annex A control")
}

func TestCatalogSoARefusesWithoutISO(t *testing.T) {
	_, err := runRoot(t, "catalog", "soa", "../examples/saas-startup.yaml")
	require.ErrorContains(t, err, "does not include iso27001")
	_, err = runRoot(t, "catalog", "soa", "../examples/payments-co.yaml", "--format", "xlsx")
	require.ErrorContains(t, err, `--format must be csv or markdown, not "xlsx"`)
}

func TestVendorsFormats(t *testing.T) {
	out, err := runRoot(t, "vendors", "../examples/kelp-health.yaml")
	require.NoError(t, err)
	assert.Contains(t, out, "Lumen Digital")
	assert.Contains(t, out, "high:third-party-production-access")
	assert.Contains(t, out, "iso27001, issued 2025-01-10, expires 2028-01-09")
	assert.Contains(t, out, "CUEC-2  Clinics obtain patients' consent")

	out, err = runRoot(t, "vendors", "../examples/kelp-health.yaml", "--format", "json", "--as-of", "2026-12-01")
	require.NoError(t, err)
	var doc struct {
		Vendors []struct {
			Vendor struct {
				Name string `json:"name"`
			} `json:"vendor"`
			Risks []struct {
				Rule string `json:"rule"`
			} `json:"risks"`
		} `json:"vendors"`
		Actions []struct {
			Key string `json:"key"`
			Ask string `json:"ask"`
			Due string `json:"due"`
		} `json:"actions"`
		CUECs []struct {
			ID string `json:"id"`
		} `json:"user_entity_controls"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &doc))
	require.Len(t, doc.Vendors, 5)
	rules := map[string][]string{}
	for _, v := range doc.Vendors {
		for _, r := range v.Risks {
			rules[v.Vendor.Name] = append(rules[v.Vendor.Name], r.Rule)
		}
	}
	assert.Equal(t, map[string][]string{
		"HiBob":         {compliance.RuleVendorReportExpired},
		"Lumen Digital": {compliance.RuleThirdPartyAccess},
	}, rules)
	assert.Len(t, doc.CUECs, 2)
	require.Len(t, doc.Actions, 6)
	assert.Equal(t, "vendor/hibob/review-report/2025-01-10", doc.Actions[0].Key)
	assert.Equal(t, "2026-12-01", doc.Actions[0].Ask, "overdue work is asked for on --as-of")
	assert.Equal(t, "2026-12-15", doc.Actions[0].Due, "and due two weeks later")

	_, err = runRoot(t, "vendors", "../examples/kelp-health.yaml", "--as-of", "1 Dec")
	require.ErrorContains(t, err, "--as-of")

	out, err = runRoot(t, "vendors", "../examples/kelp-health.yaml", "--format", "csv")
	require.NoError(t, err)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 6)
	assert.Equal(t, evidencepack.VendorColumns, rows[0])
	assert.Equal(t, []string{"Google Cloud", "subservice"}, rows[1][:2])
	assert.Equal(t, "2028-01-12", rows[1][14], "bridge letter")
	assert.Equal(t, "2027-09-30", rows[1][10], "report period end")

	_, err = runRoot(t, "vendors", "../examples/kelp-health.yaml", "--format", "xml")
	require.ErrorContains(t, err, `--format must be table, json or csv, not "xml"`)
}

// By engagement ID the commands read the recorded spec from Postgres: the
// vendors, CUECs, risks and exclusions survive its JSON round trip.
func TestThirdPartyCommandsByEngagementID(t *testing.T) {
	db := testenv.Postgres(t)
	spec, err := compliance.LoadSpec("../examples/kelp-health.yaml")
	require.NoError(t, err)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(context.Background(), postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec, Plan: plan,
		Risks: compliance.AssessScope(spec, plan), Phase: compliance.PhaseScoping, RecordedBy: "test", At: at,
	}))
	t.Setenv("DATABASE_URL", db.URL)

	fromFile, err := runRoot(t, "vendors", "../examples/kelp-health.yaml", "--format", "csv")
	require.NoError(t, err)
	fromDB, err := runRoot(t, "vendors", spec.ID, "--format", "csv")
	require.NoError(t, err)
	assert.Equal(t, fromFile, fromDB)

	out, err := runRoot(t, "catalog", "soa", spec.ID, "--format", "csv")
	require.ErrorContains(t, err, "R-05 needs A.8.30", "exclusions and risks came back from the record")
	assert.Contains(t, out, "A.8.11,")

	_, err = runRoot(t, "vendors", "no-such-engagement")
	require.ErrorIs(t, err, postgres.ErrNotFound)
}

// engage (and scope revise) read the spec through catalog.LoadSpec: a
// vendor's control reference that is well formed but not in the library
// fails before anything starts, at the line and column it was written.
func TestEngageRefusesADanglingVendorControl(t *testing.T) {
	data, err := os.ReadFile("../examples/kelp-health.yaml")
	require.NoError(t, err)
	text := strings.Replace(string(data), "monitored_by: [VND-04]", "monitored_by: [VND-94]", 1)
	path := filepath.Join(t.TempDir(), "kelp.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	line := strings.Count(text[:strings.Index(text, "VND-94")], "\n") + 1
	for _, args := range [][]string{{"engage", "-f", path}, {"scope", "revise", "kelp-health", "-f", path}} {
		_, err = runRoot(t, args...)
		require.Error(t, err, "%v", args)
		assert.Regexp(t, fmt.Sprintf(`kelp\.yaml:%d:\d+: vendors\[\d\]\.monitored_by\[0\]: VND-94 is not a control in the library`, line), err.Error(), "%v", args)
	}
}

// Vendor items reach the gap register, the readiness review and the
// evidence pack from one read model on real Postgres: Gusto's review was
// answered "act" (work left), AWS's review was never answered and is past
// due at the review's as-of, and the scope's vendor risks come along.
func TestVendorItemsInGapsReadinessAndPack(t *testing.T) {
	db := testenv.Postgres(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	spec.Vendor("Amazon Web Services").BridgeLetter = nil // raises the bridge-letter rule
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{
		EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID, Revision: 1, Spec: *spec, Plan: plan,
		Risks: compliance.AssessScope(spec, plan), Phase: compliance.PhaseOperating, RecordedBy: "test", At: at,
	}))
	key := "vendor/gusto/review-report/2027-02-26"
	asked := time.Date(2027, 2, 26, 15, 0, 0, 0, time.UTC)
	require.NoError(t, db.Store.OpenPrompt(ctx, compliance.Prompt{ID: "prompt/" + spec.ID + "/" + key, EngagementID: spec.ID, Key: key,
		Kind: compliance.VendorPromptKind, Subject: "Gusto: review-report", Question: "Review Gusto's report", AddresseeEmail: "leo@brightlane.io",
		DueAt: time.Date(2027, 3, 28, 21, 0, 0, 0, time.UTC), CreatedAt: asked}))
	require.NoError(t, db.Store.RecordPromptAnswer(ctx, compliance.PromptAnswer{PromptID: "prompt/" + spec.ID + "/" + key, EngagementID: spec.ID,
		Choice: compliance.VendorAnswerAct, Note: "=HYPERLINK(\"x\") one access-review exception; we add a quarterly check", By: "leo@brightlane.io",
		Via: compliance.ChannelCLI, UpdateID: "u1", At: asked.Add(time.Hour)}))
	t.Setenv("DATABASE_URL", db.URL)

	out, err := runRoot(t, "gaps", spec.ID)
	require.NoError(t, err)
	assert.Contains(t, out, "Vendor items (")
	assert.Contains(t, out, "Gusto vendor-work review-report (leo@brightlane.io due 2027-03-28): answered act by leo@brightlane.io")
	assert.Contains(t, out, "Amazon Web Services scope-risk "+compliance.RuleVendorBridgeLetter)

	out, err = runRoot(t, "readiness", spec.ID, "--as-of", "2027-07-01")
	require.NoError(t, err)
	assert.Contains(t, out, "MEDIUM Amazon Web Services vendor-work review-report (priya@brightlane.io due 2027-06-13): overdue since 2027-06-13")
	assert.Contains(t, out, "Gusto vendor-work review-report")

	out, err = runRoot(t, "vendors", spec.ID, "--as-of", "2027-07-01")
	require.NoError(t, err)
	assert.Contains(t, out, "Vendor work asked so far:")
	assert.Regexp(t, `needs-action +due 2027-03-28 +review-report +Gusto +leo@brightlane.io — act by leo@brightlane.io`, out)
	assert.Regexp(t, `overdue +due 2027-06-13 +review-report +Amazon Web Services`, out)

	dir := filepath.Join(t.TempDir(), "pack")
	_, err = runRoot(t, "evidence-pack", spec.ID, "--as-of", "2027-07-01", "--out", dir)
	require.NoError(t, err)
	vendors, err := os.ReadFile(filepath.Join(dir, "vendors.csv"))
	require.NoError(t, err)
	rows, err := csv.NewReader(bytes.NewReader(vendors)).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 4, "a header and three vendors")
	work, err := os.ReadFile(filepath.Join(dir, "vendor-work.csv"))
	require.NoError(t, err)
	rows, err = csv.NewReader(bytes.NewReader(work)).ReadAll()
	require.NoError(t, err)
	states := map[string]string{}
	for _, r := range rows[1:] {
		states[r[0]] = r[6]
		if r[0] == key {
			assert.True(t, strings.HasPrefix(r[9], "'="), "the note is neutralised: %q", r[9])
		}
	}
	assert.Equal(t, map[string]string{
		key: "needs-action",
		"vendor/amazon-web-services/review-report/2027-05-14": "overdue",
	}, states)
	_, err = os.Stat(filepath.Join(dir, "vendors.json"))
	require.NoError(t, err)
}
