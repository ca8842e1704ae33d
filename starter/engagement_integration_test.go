package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// workerProcess is the real worker binary, run as a separate process so
// the test can kill it without warning.
type workerProcess struct {
	t    *testing.T
	bin  string
	env  []string
	addr string
	cmd  *exec.Cmd
	log  *syncLog
}

// syncLog is the worker's output: written by exec's copier goroutine, read
// by failing assertions.
type syncLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func buildWorker(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	bin := filepath.Join(t.TempDir(), "steadfast-worker")
	out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "worker")).CombinedOutput()
	require.NoError(t, err, "build worker: %s", out)
	return bin
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = l.Close() }()
	return l.Addr().String()
}

func (w *workerProcess) start() {
	w.t.Helper()
	w.log = &syncLog{}
	w.cmd = exec.Command(w.bin)
	w.cmd.Env = append(os.Environ(), w.env...)
	w.cmd.Stdout, w.cmd.Stderr = w.log, w.log
	require.NoError(w.t, w.cmd.Start())
	w.t.Cleanup(w.kill)
	require.Eventually(w.t, func() bool {
		resp, err := http.Get("http://" + w.addr + "/healthz")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 60*time.Second, 100*time.Millisecond, "worker never became healthy:\n%s", w.log)
}

// kill stops the worker the hard way: no graceful shutdown, tasks in
// flight are abandoned.
func (w *workerProcess) kill() {
	if w.cmd != nil && w.cmd.Process != nil && w.cmd.ProcessState == nil {
		_ = w.cmd.Process.Kill()
		_, _ = w.cmd.Process.Wait()
	}
}

func TestEngagementEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and the worker")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	taskQueue := "steadfast-e2e"
	w := &workerProcess{t: t, bin: buildWorker(t), addr: freeAddr(t), env: []string{
		"TEMPORAL_ADDRESS=" + tmp.Address, "TEMPORAL_NAMESPACE=" + tmp.Namespace, "DATABASE_URL=" + db.URL,
		"STEADFAST_TASK_QUEUE=" + taskQueue, "LOG_LEVEL=warn",
	}}
	w.env = append(w.env, "STEADFAST_HTTP_ADDR="+w.addr)
	w.start()

	e := &engagements{tc: tmp.Client, taskQueue: taskQueue}
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	run, err := e.start(ctx, spec, "sam@steadfast.example")
	require.NoError(t, err)

	// Kill the worker mid-scoping, before it has finished the first
	// activities; a new worker must pick the engagement up.
	w.kill()
	w.start()

	waitFor := func(what string, ok func(workflows.EngagementStatus) bool) workflows.EngagementStatus {
		var st workflows.EngagementStatus
		require.Eventually(t, func() bool {
			st, err = e.status(ctx, spec.ID)
			return err == nil && ok(st)
		}, 60*time.Second, 200*time.Millisecond, "engagement never reached: %s (last status %+v, err %v)\nworker log:\n%s", what, st, err, w.log)
		return st
	}
	st := waitFor("awaiting the lead", func(s workflows.EngagementStatus) bool {
		return len(s.WaitingOn) == 1 && s.WaitingOn[0] == "maya@brightlane.io"
	})
	require.NotNil(t, st.Plan)
	assert.Equal(t, compliance.PhaseScoping, st.Phase)

	// Without Slack the sign-off is listed for the CLI.
	// The status reports the wait as soon as scoping asks; the prompt's
	// own record follows a moment later.
	var open []postgres.Prompt
	require.Eventually(t, func() bool {
		open, err = db.Store.Prompts(ctx, postgres.PromptFilter{Addressee: "MAYA@brightlane.io", Status: postgres.PromptOpen})
		return err == nil && len(open) == 1
	}, 30*time.Second, 100*time.Millisecond, "the sign-off prompt was never recorded")
	assert.Equal(t, "prompt/brightlane/scope-signoff/r1", open[0].ID)
	assert.Equal(t, []string{"approve", "reject"}, []string{open[0].Choices[0].Value, open[0].Choices[1].Value})

	var out bytes.Buffer
	printStatus(&out, engagement.StatusView{EngagementStatus: st})
	assert.Contains(t, out.String(), "Waiting on  maya@brightlane.io")
	assert.Contains(t, out.String(), "Operating period  2027-03-01 → 2027-08-31")
	assert.Contains(t, out.String(), "excluded-sensitive-data [hubspot]")

	// A second start of the same engagement says so.
	_, err = e.start(ctx, spec, "sam@steadfast.example")
	require.ErrorIs(t, err, engagement.ErrAlreadyRunning)

	// The validator turns away a control owner.
	_, err = e.decideScope(ctx, spec.ID, workflows.DecideScopeRequest{Decision: workflows.DecisionApprove, By: "leo@brightlane.io", Channel: "cli"})
	require.ErrorContains(t, err, "may not answer")

	// The lead rejects; running the same command twice records one decision.
	reject := workflows.DecideScopeRequest{Decision: workflows.DecisionReject, By: "maya@brightlane.io", Reason: "HubSpot holds customer contacts: bring it in", Channel: "cli"}
	d1, err := e.decideScope(ctx, spec.ID, reject)
	require.NoError(t, err)
	d2, err := e.decideScope(ctx, spec.ID, reject)
	require.NoError(t, err)
	assert.Equal(t, d1, d2)

	waitFor("awaiting a revision", func(s workflows.EngagementStatus) bool {
		return strings.Contains(s.WaitingFor, "revised spec")
	})
	// Restart the worker again while the engagement waits on a person.
	w.kill()
	w.start()

	revised := *spec
	revised.Systems = append([]compliance.System(nil), spec.Systems...)
	for i := range revised.Systems {
		if revised.Systems[i].Name == "hubspot" {
			revised.Systems[i].Scope, revised.Systems[i].Rationale = compliance.ScopeIn, ""
		}
	}
	res, err := e.reviseScope(ctx, spec.ID, &revised, "sam@steadfast.example")
	require.NoError(t, err)
	assert.Equal(t, 2, res.Revision)
	waitFor("revision 2 awaiting the lead", func(s workflows.EngagementStatus) bool {
		return s.Revision == 2 && len(s.WaitingOn) == 1
	})

	// The CLI as a user runs it: list what waits for Maya, answer it.
	t.Setenv("TEMPORAL_ADDRESS", tmp.Address)
	t.Setenv("STEADFAST_TASK_QUEUE", taskQueue)
	t.Setenv("DATABASE_URL", db.URL)
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&out)
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}
	var listing string
	require.Eventually(t, func() bool {
		listing, err = cli("prompts", "--for", "maya@brightlane.io")
		return err == nil && strings.Contains(listing, "prompt/brightlane/scope-signoff/r2")
	}, 30*time.Second, 100*time.Millisecond, "revision 2's sign-off prompt was never listed")
	assert.Contains(t, listing, "choices: approve | reject")
	_, err = cli("answer", "prompt/brightlane/scope-signoff/r2", "--choice", "reject", "--as", "maya@brightlane.io")
	require.ErrorContains(t, err, "needs a note", "the CLI gets the same validation as Slack")
	said, err := cli("answer", "prompt/brightlane/scope-signoff/r2", "--choice", "approve", "--as", "maya@brightlane.io", "--note", "scope agreed")
	require.NoError(t, err)
	assert.Contains(t, said, `Recorded "approve"`)

	approve := workflows.DecideScopeRequest{Decision: workflows.DecisionApprove, By: "maya@brightlane.io", Reason: "scope agreed", Channel: "cli"}
	_, err = e.decideScope(ctx, spec.ID, approve)
	require.NoError(t, err, "re-running the approving command is not an error")
	_, err = e.decideScope(ctx, spec.ID, workflows.DecideScopeRequest{Decision: workflows.DecisionReject, By: "maya@brightlane.io", Reason: "x"})
	require.ErrorContains(t, err, "already approved")

	st = waitFor("the gap assessment", func(s workflows.EngagementStatus) bool {
		return s.Phase == compliance.PhaseGapAssessment && s.Assessment != nil
	})
	assert.Equal(t, 2, st.Revision)
	assessGaps(t, ctx, cli, db, e, spec.ID, &revised, st.Assessment.Controls)

	// With every gap closed the engagement enters its operating period.
	st = waitFor("the operating period", func(s workflows.EngagementStatus) bool {
		return s.Phase == compliance.PhaseOperating
	})
	assert.Equal(t, 2, st.Revision)
	assert.Equal(t, 1, st.Verified)
	assert.Equal(t, 1, st.Accepted)
	_ = run

	// Everything is in Postgres, once.
	pool := db.Store.Pool()
	var phase string
	var rev int
	require.Eventually(t, func() bool {
		err := pool.QueryRow(ctx, `SELECT phase, spec_revision FROM engagements WHERE id = $1`, spec.ID).Scan(&phase, &rev)
		return err == nil && compliance.Phase(phase) == compliance.PhaseOperating
	}, 30*time.Second, 100*time.Millisecond, "the phase change was not recorded")
	assert.Equal(t, 2, rev)
	rows, err := pool.Query(ctx, `SELECT spec_revision, decision, decided_by, channel FROM scope_decisions WHERE engagement_id = $1 ORDER BY spec_revision`, spec.ID)
	require.NoError(t, err)
	var decisions []string
	for rows.Next() {
		var r int
		var d, by, ch string
		require.NoError(t, rows.Scan(&r, &d, &by, &ch))
		decisions = append(decisions, fmt.Sprintf("%d %s %s %s", r, d, by, ch))
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, []string{"1 rejected maya@brightlane.io cli", "2 approved maya@brightlane.io cli"}, decisions)

	events, err := db.Store.Events(ctx, spec.ID)
	require.NoError(t, err)
	var kinds []string
	for _, ev := range events {
		kinds = append(kinds, ev.Kind)
	}
	require.Greater(t, len(kinds), 12)
	assert.Equal(t, []string{
		"scope-assessed", "prompt-sent", "prompt-answered", "scope-rejected",
		"scope-revised", "scope-assessed", "prompt-sent", "prompt-answered", "scope-approved", "phase-entered", "phase-entered",
	}, kinds[:11])
	assert.Contains(t, kinds, "gap-register-built")
	assert.Contains(t, kinds, "gap-accepted")
	assert.Contains(t, kinds, "gap-overridden")
	assert.Contains(t, kinds, "remediation-opened")
	assert.Contains(t, kinds, "remediation-changed")
	assert.Equal(t, "phase-entered", kinds[len(kinds)-1], "the engagement records entering the operating period")
	var systems int
	require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM systems WHERE engagement_id = $1 AND scope = 'in'`, spec.ID).Scan(&systems))
	inScope := 0
	for _, sys := range revised.Systems {
		if sys.Scope == compliance.ScopeIn {
			inScope++
		}
	}
	assert.Equal(t, inScope, systems, "revision 2 brought hubspot into scope")
	var hubspot string
	require.NoError(t, pool.QueryRow(ctx, `SELECT scope FROM systems WHERE engagement_id = $1 AND name = 'hubspot'`, spec.ID).Scan(&hubspot))
	assert.Equal(t, "in", hubspot, "revision 2 brought hubspot into scope")

	list, err := db.Store.ListEngagements(ctx)
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "brightlane", list[0].ID)

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		writeHistory(t, ctx, e, workflows.EngagementWorkflowID(spec.ID), "engagement_operating_v5_audit.json")
		writeHistory(t, ctx, e, workflows.GapAssessmentWorkflowID(spec.ID), "gap_assessment_answered.json")
		writeHistory(t, ctx, e, workflows.ScopingWorkflowID(spec.ID), "scoping_reject_revise_approve_v1_prompt.json")
		writeHistory(t, ctx, e, workflows.PromptWorkflowID(spec.ID, "scope-signoff/r2"), "prompt_signoff_answered.json")
	}
}
