package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// auditFieldwork is brightlane (Type II window 2027-03-01 → 2027-08-31, New
// York) recorded in a fresh Postgres, a dev server with a worker, and the
// CLI pointed at both.
type auditFieldwork struct {
	db   testenv.Database
	tc   client.Client
	spec *compliance.Spec
	dir  string
}

func newAuditFieldwork(t *testing.T) *auditFieldwork {
	t.Helper()
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx := context.Background()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	plan, err := compliance.PlanEngagement(spec, at)
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: "engagement/" + spec.ID,
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: at}))

	const queue = "steadfast-audit"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	// The engagement in fieldwork: it routes the auditor's requests.
	st := &workflows.EngagementState{EngagementID: spec.ID, Client: spec.Client.Name, Phase: compliance.PhaseFieldwork, Revision: 1,
		Spec: *spec, Plan: &plan, StartedAt: at, UpdatedAt: at}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.EngagementWorkflowID(spec.ID), TaskQueue: queue},
		workflows.EngagementWorkflowName, workflows.EngagementInput{Spec: *spec, State: st})
	require.NoError(t, err)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TEMPORAL_ADDRESS", tmp.Address)
	t.Setenv("STEADFAST_TASK_QUEUE", queue)
	return &auditFieldwork{db: db, tc: tmp.Client, spec: spec, dir: t.TempDir()}
}

func (f *auditFieldwork) cli(args ...string) (string, error) {
	var out bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&out)
	err := root.ExecuteContext(context.Background())
	return out.String(), err
}

func (f *auditFieldwork) file(t *testing.T, name, body string) string {
	t.Helper()
	path := filepath.Join(f.dir, name)
	require.NoError(t, os.WriteFile(path, []byte(body), 0o644))
	return path
}

func (f *auditFieldwork) count(t *testing.T, sql string) int {
	t.Helper()
	var n int
	require.NoError(t, f.db.Store.Pool().QueryRow(context.Background(), sql).Scan(&n))
	return n
}

// auditPrompts waits for n audit-request prompts to be open in Postgres and
// returns them by key.
func (f *auditFieldwork) auditPrompts(t *testing.T, n int) map[string]postgres.Prompt {
	t.Helper()
	byKey := map[string]postgres.Prompt{}
	require.Eventually(t, func() bool {
		all, err := f.db.Store.Prompts(context.Background(), postgres.PromptFilter{EngagementID: f.spec.ID})
		require.NoError(t, err)
		clear(byKey)
		for _, p := range all {
			if p.Kind == auditreq.PromptKind {
				byKey[p.Key] = p
			}
		}
		return len(byKey) >= n
	}, time.Minute, 100*time.Millisecond, "fewer than %d audit prompts opened", n)
	return byKey
}

func (f *auditFieldwork) requests(t *testing.T) map[string]auditRow {
	t.Helper()
	out, err := f.cli("audit", "requests", f.spec.ID, "--format", "json")
	require.NoError(t, err)
	var rows []auditRow
	require.NoError(t, json.Unmarshal([]byte(out), &rows), out)
	byID := map[string]auditRow{}
	for _, r := range rows {
		byID[r.RequestID] = r
	}
	return byID
}

const auditList = "Request_ID,Control_ID,Description,Owner,Due,Auditor's notes\n" +
	"PBC-1,ACC-04,Evidence of the Q2 user access review,,2027-06-14,sample 2 of 4\n" +
	"PBC-2,GOV-01,\"Information security policy, signed and dated\",,2027-06-15,\n" +
	"PBC-3,,Organisation chart as of the period end,,2027-06-16,\n" +
	"PBC-4,ACC-04,Termination tickets for leavers in March,leo@brightlane.io,2027-06-17,\n" +
	"PBC-5,,Management representation letter,Priya@Brightlane.io,2027-06-18,\n"

func TestAuditFieldwork(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and a worker")
	}
	f := newAuditFieldwork(t)
	ctx := context.Background()
	ny, err := time.LoadLocation("America/New_York")
	require.NoError(t, err)

	t.Run("a bad list reports every bad row and routes nothing", func(t *testing.T) {
		bad := f.file(t, "bad.csv", "request_id,control_id,description,owner,due\n"+
			"PBC-1,ACC-04,Fine,,2027-06-14\n"+
			"PBC-2,ACC-99,Unknown control,,2027-06-14\n"+
			"PBC-3,,Outsider,bob@elsewhere.io,2027-06-14\n"+
			"PBC-4,,Bad date,,14/06/2027\n")
		_, err := f.cli("audit", "import", f.spec.ID, bad, "--as", "maya@brightlane.io")
		require.Error(t, err)
		for _, want := range []string{`bad.csv:3: control_id: "ACC-99" is not a control`, "bad.csv:4: owner: bob@elsewhere.io is not one of the engagement's people",
			`bad.csv:5: due: "14/06/2027" is not a date`, "3 problem(s) in " + bad + "; nothing was routed"} {
			assert.Contains(t, err.Error(), want)
		}
		assert.Zero(t, f.count(t, `SELECT count(*) FROM audit_requests`))
		assert.Zero(t, f.count(t, `SELECT count(*) FROM prompts`))
		_, err = f.tc.DescribeWorkflow(ctx, workflows.PromptWorkflowID(f.spec.ID, "audit/PBC-1"), "")
		var nf *serviceerror.NotFound
		assert.True(t, errors.As(err, &nf), "the good row was not started either: %v", err)
	})

	t.Run("a request already past due is refused with its line (issue 15)", func(t *testing.T) {
		_, err := f.cli("audit", "request", f.spec.ID, "--id", "PBC-9", "--due", "2026-11-02", "--description", "late", "--as", "maya@brightlane.io")
		require.ErrorContains(t, err, "due: 2026-11-02 has passed: agree a new due date with the auditor")
		assert.Zero(t, f.count(t, `SELECT count(*) FROM audit_requests`))
	})

	t.Run("only people who run the engagement route", func(t *testing.T) {
		_, err := f.cli("audit", "import", f.spec.ID, f.file(t, "pbc.csv", auditList), "--as", "leo@brightlane.io")
		require.ErrorContains(t, err, "an auditor invited to it, the lead, a lead delegate or the consultant may")
		assert.Zero(t, f.count(t, `SELECT count(*) FROM audit_requests`))
	})

	t.Run("each request is routed to its owner once", func(t *testing.T) {
		path := f.file(t, "pbc.csv", auditList)
		out, err := f.cli("audit", "import", f.spec.ID, path, "--as", "sam@steadfast.example")
		require.NoError(t, err, out)
		assert.Contains(t, out, "brightlane: 5 routed, 0 already routed")
		assert.Regexp(t, `PBC-1\s+ACC-04\s+priya@brightlane.io\s+owns access\s+2027-06-14 17:00 EDT\s+routed: prompt/brightlane/audit/PBC-1`, out)

		prompts := f.auditPrompts(t, 5)
		owners := map[string]string{}
		for key, p := range prompts {
			owners[key] = p.AddresseeEmail
		}
		assert.Equal(t, map[string]string{
			"audit/PBC-1": "priya@brightlane.io", // blank owner: owns access
			"audit/PBC-2": "leo@brightlane.io",   // blank owner: owns governance
			"audit/PBC-3": "maya@brightlane.io",  // no owner, no control: the lead
			"audit/PBC-4": "leo@brightlane.io",   // named, over the control's owner
			"audit/PBC-5": "priya@brightlane.io", // named, any case
		}, owners)
		p1 := prompts["audit/PBC-1"]
		due := time.Date(2027, 6, 14, 17, 0, 0, 0, ny)
		assert.True(t, due.Equal(p1.DueAt), "due when the auditor said: %s", p1.DueAt)
		assert.Contains(t, p1.Question, "Evidence of the Q2 user access review")
		assert.Contains(t, p1.Question, "Mon 14 Jun 2027 17:00 EDT")
		assert.Contains(t, p1.Question, "ACC-04")
		assert.Equal(t, []string{auditreq.ChoiceProvided, auditreq.ChoiceCannotProvide}, []string{p1.Choices[0].Value, p1.Choices[1].Value})
		assert.True(t, p1.Choices[0].LinkRequired)
		assert.True(t, p1.Choices[1].NoteRequired)

		// The ladder is anchored on the auditor's date: the first reminder
		// comes shortly before it, not two business days after the import.
		st := promptState(t, f.tc, p1.ID)
		require.NotNil(t, st.Next)
		assert.Equal(t, activities.StepRemind, st.Next.Kind)
		assert.True(t, st.Next.At.Before(due) && st.Next.At.After(due.AddDate(0, 0, -10)), "first reminder at %s", st.Next.At)

		// The same list again routes nothing; a changed one says what changed.
		out, err = f.cli("audit", "import", f.spec.ID, path, "--as", "maya@brightlane.io")
		require.NoError(t, err, out)
		assert.Contains(t, out, "brightlane: 0 routed, 5 already routed")
		changed := f.file(t, "pbc-v2.csv", strings.Replace(auditList, "2027-06-14", "2027-06-21", 1))
		out, err = f.cli("audit", "import", f.spec.ID, changed, "--as", "maya@brightlane.io")
		require.NoError(t, err, out)
		assert.Contains(t, out, "already routed (the list now differs in due; the first routing stands)")
		assert.Equal(t, 5, f.count(t, `SELECT count(*) FROM audit_requests`))
		assert.Equal(t, 5, f.count(t, `SELECT count(*) FROM prompts`))
		assert.Equal(t, 5, f.count(t, `SELECT count(*) FROM engagement_events WHERE kind = 'audit-request-added'`))
		rows := f.requests(t)
		assert.True(t, due.Equal(rows["PBC-1"].DueAt), "the first routing stands")
		assert.Equal(t, "sam@steadfast.example", rows["PBC-1"].RequestedBy)
		assert.Equal(t, "pbc.csv", rows["PBC-1"].ImportedFrom)
	})

	t.Run("one request from flags", func(t *testing.T) {
		_, err := f.cli("audit", "request", f.spec.ID, "--id", "PBC-6", "--control", "GOV-01", "--due", "next week", "--description", "x", "--as", "maya@brightlane.io")
		require.ErrorContains(t, err, `--due: "next week" is not a date`)
		out, err := f.cli("audit", "request", f.spec.ID, "--id", "PBC 6", "--control", "gov-01", "--due", "2027-06-20",
			"--description", "Board minutes approving the policy", "--as", "maya@brightlane.io")
		require.NoError(t, err, out)
		assert.Contains(t, out, "brightlane: 1 routed, 0 already routed")
		p := f.auditPrompts(t, 6)
		var key string
		for k := range p {
			if strings.HasPrefix(k, "audit/PBC-6-") {
				key = k
			}
		}
		require.NotEmpty(t, key, "the space is replaced and the key made unique: %v", p)
		assert.Equal(t, "leo@brightlane.io", p[key].AddresseeEmail)
		assert.Equal(t, "cli", f.requests(t)["PBC 6"].ImportedFrom)

		out, err = f.cli("audit", "request", f.spec.ID, "--id", "PBC 6", "--due", "2027-06-20", "--description", "again", "--as", "maya@brightlane.io")
		require.NoError(t, err)
		assert.Contains(t, out, "brightlane: 0 routed, 1 already routed")
	})

	t.Run("answers show in the request list", func(t *testing.T) {
		_, err := f.cli("answer", "prompt/brightlane/audit/PBC-1", "--choice", "provided", "--as", "priya@brightlane.io")
		require.ErrorContains(t, err, "needs a link")
		out, err := f.cli("answer", "prompt/brightlane/audit/PBC-1", "--choice", "provided", "--link", "https://drive.example/pbc-1",
			"--as", "priya@brightlane.io")
		require.NoError(t, err, out)
		out, err = f.cli("answer", "prompt/brightlane/audit/PBC-2", "--choice", "cannot-provide", "--note", "the signed copy is being re-issued",
			"--as", "maya@brightlane.io") // the lead answers for the owner
		require.NoError(t, err, out)

		rows := f.requests(t)
		require.Len(t, rows, 6)
		assert.Equal(t, postgres.AuditAnswered, rows["PBC-1"].Status)
		assert.Equal(t, "provided", rows["PBC-1"].AnswerChoice)
		assert.Equal(t, "https://drive.example/pbc-1", rows["PBC-1"].AnswerLink)
		assert.Equal(t, "priya@brightlane.io", rows["PBC-1"].AnsweredBy)
		assert.False(t, rows["PBC-1"].Overdue)
		assert.Equal(t, "cannot-provide", rows["PBC-2"].AnswerChoice)
		assert.Equal(t, "the signed copy is being re-issued", rows["PBC-2"].AnswerNote)
		assert.Equal(t, postgres.AuditOpen, rows["PBC-3"].Status)
		assert.False(t, rows["PBC-3"].Overdue)
		assert.False(t, rows["PBC-5"].Overdue, "a request past due cannot be routed (issue 15), so none is overdue yet")

		table, err := f.cli("audit", "requests", f.spec.ID)
		require.NoError(t, err)
		assert.Contains(t, table, "brightlane: 6 audit requests, 4 open, 0 overdue")
		assert.Regexp(t, `PBC-1\s+ACC-04\s+priya@brightlane.io\s+2027-06-14 17:00 EDT\s+answered\s+provided\s+https://drive.example/pbc-1`, table)
		assert.Regexp(t, `PBC-5\s+-\s+priya@brightlane.io\s+2027-06-18 17:00 EDT\s+open`, table)

		out, err = f.cli("audit", "requests", f.spec.ID, "--format", "csv", "--status", "answered")
		require.NoError(t, err)
		recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 3)
		assert.Equal(t, auditCSVHeader, recs[0])
		assert.Equal(t, []string{"PBC-1", "ACC-04"}, recs[1][:2])
		assert.Equal(t, "2027-06-14T17:00:00-04:00", recs[1][4])
		_, err = f.cli("audit", "requests", f.spec.ID, "--format", "xml")
		assert.ErrorContains(t, err, "--format must be table, json or csv")
	})

	t.Run("the evidence pack holds the answered requests and verifies", func(t *testing.T) {
		dir := filepath.Join(f.dir, "pack")
		out, err := f.cli("evidence-pack", f.spec.ID, "--out", dir, "--as-of", "2027-06-15", "--seed", "7")
		require.NoError(t, err, out)
		assert.Contains(t, out, "2 answered audit requests")
		body, err := os.ReadFile(filepath.Join(dir, packAuditCSV))
		require.NoError(t, err)
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		require.NoError(t, err)
		require.Len(t, recs, 3, "the header and the two answered requests")
		assert.Equal(t, "https://drive.example/pbc-1", recs[1][9])
		var js []auditRow
		body, err = os.ReadFile(filepath.Join(dir, packAuditJSON))
		require.NoError(t, err)
		require.NoError(t, json.Unmarshal(body, &js))
		assert.Len(t, js, 2)
		manifest, err := os.ReadFile(filepath.Join(dir, manifestName))
		require.NoError(t, err)
		assert.Regexp(t, `(?m)^[0-9a-f]{64}  audit-requests\.csv$`, string(manifest))
		assert.Regexp(t, `(?m)^[0-9a-f]{64}  audit-requests\.json$`, string(manifest))

		out, err = f.cli("evidence-pack", "verify", dir)
		require.NoError(t, err, out)
		assert.Regexp(t, `all \d+ files match MANIFEST.sha256`, out)

		// One byte of one file changed: verify fails and names it.
		path := filepath.Join(dir, packAuditCSV)
		orig, err := os.ReadFile(path)
		require.NoError(t, err)
		tampered := bytes.Clone(orig)
		tampered[len(tampered)/2] ^= 1
		require.NoError(t, os.WriteFile(path, tampered, 0o644))
		_, err = f.cli("evidence-pack", "verify", dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "audit-requests.csv: SHA-256 does not match the manifest")
		assert.NotContains(t, err.Error(), "index.csv")

		// Restored, then a file removed and one added.
		require.NoError(t, os.WriteFile(path, orig, 0o644))
		require.NoError(t, os.Remove(filepath.Join(dir, "index.json")))
		require.NoError(t, os.WriteFile(filepath.Join(dir, "note.txt"), []byte("x"), 0o644))
		_, err = f.cli("evidence-pack", "verify", dir)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "index.json: in the manifest but missing")
		assert.Contains(t, err.Error(), "note.txt: not in the manifest")
		assert.NotContains(t, err.Error(), "audit-requests.csv")
	})

	t.Run("audit answer --file gives the auditor the file, in the pack too", func(t *testing.T) {
		t.Setenv("STEADFAST_EVIDENCE_DIR", filepath.Join(f.dir, "blobs"))
		content := []byte("name,reports_to\nmaya,board\nleo,maya\n")
		file := f.file(t, "org chart.csv", string(content))
		_, err := f.cli("audit", "answer", f.spec.ID, "PBC-3", "--choice", "provided", "--file", file, "--as", "leo@brightlane.io")
		require.ErrorContains(t, err, "leo@brightlane.io may not answer audit request PBC-3", "PBC-3 is the lead's, not leo's")
		_, err = f.cli("audit", "answer", f.spec.ID, "PBC-3", "--choice", "provided", "--file", filepath.Join(f.dir, "missing.csv"), "--as", "maya@brightlane.io")
		require.ErrorContains(t, err, "--file")
		out, err := f.cli("audit", "answer", f.spec.ID, "PBC-3", "--choice", "provided", "--file", file, "--as", "maya@brightlane.io")
		require.NoError(t, err, out)
		sum := sha256.Sum256(content)
		sha := hex.EncodeToString(sum[:])
		assert.Contains(t, out, `Recorded "provided" for audit request PBC-3 by maya@brightlane.io`)
		assert.Contains(t, out, "file 1: org chart.csv ("+strconv.Itoa(len(content))+" bytes, text/plain; charset=utf-8, sha256 "+sha+"; uploaded)")
		assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM answer_files`))
		_, err = f.cli("audit", "answer", f.spec.ID, "PBC-3", "--choice", "provided", "--file", file, "--as", "maya@brightlane.io")
		require.ErrorIs(t, err, engagement.ErrAuditRequestClosed, "answered once")

		dir := filepath.Join(f.dir, "pack-files")
		out, err = f.cli("evidence-pack", f.spec.ID, "--out", dir, "--as-of", "2027-06-15", "--seed", "7")
		require.NoError(t, err, out)
		assert.Contains(t, out, "3 answered audit requests")
		got, err := os.ReadFile(filepath.Join(dir, "artifacts", sha, "org chart.csv"))
		require.NoError(t, err)
		assert.Equal(t, content, got)
		manifest, err := os.ReadFile(filepath.Join(dir, manifestName))
		require.NoError(t, err)
		assert.Contains(t, string(manifest), sha+"  artifacts/"+sha+"/org chart.csv")
		out, err = f.cli("evidence-pack", "verify", dir)
		require.NoError(t, err, out)
	})
}

func promptState(t *testing.T, tc client.Client, id string) workflows.PromptState {
	t.Helper()
	var st workflows.PromptState
	resp, err := tc.QueryWorkflow(context.Background(), id, "", workflows.QueryPrompt)
	require.NoError(t, err)
	require.NoError(t, resp.Get(&st))
	return st
}

func TestAuditCommandsHaveHelp(t *testing.T) {
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		assert.NotEmpty(t, c.Short, c.CommandPath())
		assert.NotEmpty(t, strings.TrimSpace(c.Long), c.CommandPath())
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(newAuditCmd())
	walk(newEvidencePackVerifyCmd())
}
