package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/gaps"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// plantedFindings are the three deviations recordPastWindow plants, by
// finding ID: everything else in the window is evidenced on time.
type plantedFindings struct {
	late, retro, missing string
}

// recordPastWindow records brightlane with its Type II window moved into the
// past — the four whole months ending the month before last, so every
// occurrence has fallen due and is past its grace by the time the review
// runs on the dev server's real clock — records every control as assessed in
// place, and evidences every occurrence on time by its owner, except three
// planted deviations on monthly controls (whose four occurrences are all
// sampled, so the review must find each): OPS-01's second month late,
// VUL-02's third raised retrospectively, and nothing at all for OPS-15's
// first.
func recordPastWindow(t *testing.T, ctx context.Context, db testenv.Database, now time.Time) (*compliance.Spec, compliance.Span, plantedFindings) {
	t.Helper()
	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	today := cal.Today(now)
	firstOfMonth := time.Date(today.Year, today.Month, 1, 0, 0, 0, 0, time.UTC)
	soc2 := spec.Framework(compliance.SOC2)
	require.NotNil(t, soc2)
	soc2.Window = &compliance.ObservationWindow{
		Start: compliance.DateOf(firstOfMonth.AddDate(0, -5, 0)),
		End:   compliance.DateOf(firstOfMonth.AddDate(0, -1, -1)),
	}
	// The audit is still ahead, as it would be three weeks before it.
	spec.AuditDate = today.AddDays(21)
	plan, err := compliance.PlanEngagement(spec, firstOfMonth.AddDate(0, -9, 0))
	require.NoError(t, err)
	require.NoError(t, db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: spec.ID, WorkflowID: workflows.EngagementWorkflowID(spec.ID),
		Revision: 1, Spec: *spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "test", At: now}))
	window, err := cadence.Window(spec, plan)
	require.NoError(t, err)
	app, err := catalog.Default().ForSpec(spec)
	require.NoError(t, err)

	type plant struct {
		seq  int
		test readiness.Test
		at   func(cadence.Occurrence) time.Time // nil: no evidence at all
	}
	plants := map[string]plant{
		"OPS-01": {2, readiness.TestOnTime, func(o cadence.Occurrence) time.Time { return o.Due.Add(time.Hour) }},
		"VUL-02": {3, readiness.TestContemporary, func(o cadence.Occurrence) time.Time { return o.GraceEnd.Add(24 * time.Hour) }},
		"OPS-15": {1, readiness.TestPresent, nil},
	}
	ids := map[string]string{}
	n := 0
	const leftoverGap = "GOV-03"
	for _, ac := range app.Controls {
		c := ac.Control
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		require.NoError(t, err)
		// The engagement's gap assessment found every control in place, as
		// a certified engagement's would have by now: the programme's
		// register is rebuilt from these assessments.
		owner := strings.ToLower(spec.OwnerOf(c.Domain).Email)
		answered := now.AddDate(0, -10, 0)
		as := postgres.ControlAssessment{EngagementID: spec.ID, ControlID: c.ID,
			OwnerEmail: owner, PromptID: workflows.PromptWorkflowID(spec.ID, "gap/"+c.ID), Status: string(gaps.Implemented),
			EvidenceExists: true, Sampleable: true, Choice: workflows.AssessImplemented, Note: "in place before the window",
			AnsweredBy: owner, AnsweredVia: "cli", AnsweredAt: &answered}
		if c.ID == leftoverGap {
			// One gap left from the first assessment (accepted, say): a
			// later scope change must not be charged with it.
			as.Status, as.EvidenceExists, as.Sampleable, as.Choice = string(gaps.Missing), false, false, workflows.AssessMissing
		}
		require.NoError(t, db.Store.RecordAssessment(ctx, as))
		p, planted := plants[c.ID]
		if planted {
			require.Equal(t, compliance.FreqMonthly, c.Frequency, "%s: the plant relies on every month being sampled", c.ID)
			require.Len(t, occs, 4, "%s: four months in the window", c.ID)
		}
		for i, o := range occs {
			require.True(t, o.GraceEnd.Before(now), "%s is still within its grace; the window is not far enough in the past", o.Key())
			at := o.Due.Add(-time.Hour)
			if planted && i+1 == p.seq {
				ids[c.ID] = postgres.FindingID(c.ID, o.Key(), string(p.test))
				if p.at == nil {
					continue
				}
				at = p.at(o)
			}
			n++
			_, err = db.Store.AddEvidence(ctx, postgres.Evidence{
				EngagementID: spec.ID, ControlID: c.ID, OccurrenceKey: o.Key(),
				PeriodStart: o.Period.Start.In(cal.Location), PeriodEnd: o.Period.End.In(cal.Location), DueAt: o.Due,
				SubmittedAt: at, SubmittedBy: owner, Channel: "cli", Kind: "link",
				Value: fmt.Sprintf("https://drive.example/evidence/%d", n), SubmissionKey: fmt.Sprintf("seed/%d", n),
			})
			require.NoError(t, err)
		}
	}
	require.Len(t, ids, 3, "every planted control is applicable to brightlane")
	return spec, window, plantedFindings{late: ids["OPS-01"], retro: ids["VUL-02"], missing: ids["OPS-15"]}
}

// promptsOfKind waits until at least n prompts of the kind are recorded for
// the engagement and returns them by key.
func promptsOfKind(t *testing.T, ctx context.Context, db testenv.Database, engagementID, kind string, n int) map[string]postgres.Prompt {
	t.Helper()
	byKey := map[string]postgres.Prompt{}
	require.Eventually(t, func() bool {
		all, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: engagementID})
		if err != nil {
			return false
		}
		clear(byKey)
		for _, p := range all {
			if p.Kind == kind {
				byKey[p.Key] = p
			}
		}
		return len(byKey) >= n
	}, time.Minute, 100*time.Millisecond, "fewer than %d %s prompts were opened", n, kind)
	return byKey
}

// TestReadinessAndProgrammeForReal runs the end of the lifecycle on the dev
// server and Postgres: a readiness review over a window with planted
// deviations finds exactly those; the lead fixes one (the owner links the
// fix) and accepts one with a reason through the same answer path as the
// CLI and Slack, and the third stays undecided until FixBy passes; the
// findings listing and the evidence pack (accepted exceptions, verified
// manifest) show the decisions. Then the certified programme takes a new
// office (scope-risk rules, the lead's approval, only its physical controls
// assessed) and PCI DSS (only the library delta), both from the CLI.
//
// The real calendar cannot be skipped here, so the Readiness and Programme
// workflows are started directly rather than waited for inside an
// engagement; the workflow unit tests cover the engagement's timers.
func TestReadinessAndProgrammeForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and a worker")
	}
	db := testenv.Postgres(t)
	tmp := testenv.DevServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	spec, window, planted := recordPastWindow(t, ctx, db, time.Now())
	id := spec.ID
	const queue = "steadfast-lifecycle"
	w := worker.New(tmp.Client, queue, worker.Options{Interceptors: identity.Interceptors(nil)})
	workflows.Register(w, &activities.Activities{Store: db.Store})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	t.Setenv("DATABASE_URL", db.URL)
	t.Setenv("TEMPORAL_ADDRESS", tmp.Address)
	t.Setenv("STEADFAST_TASK_QUEUE", queue)
	cli := func(args ...string) (string, error) {
		var out bytes.Buffer
		root := newRootCmd()
		root.SetArgs(args)
		root.SetOut(&out)
		root.SetErr(&out)
		err := root.ExecuteContext(ctx)
		return out.String(), err
	}
	svc := answers.Service{Temporal: tmp.Client}
	const lead, consultant = "maya@brightlane.io", "sam@steadfast.example"

	// --- Readiness review. FixBy is close so the undecided finding's
	// decision expires inside the test: the decision's ladder expires at
	// FixBy (its due date, five days earlier, is already past, so the lead
	// and sponsor rungs fire at once). Thirty seconds leaves room for the
	// three answers below on a loaded two-core machine: one given after
	// FixBy would find its prompt expired.
	fixBy := time.Now().Add(30 * time.Second)
	run, err := tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ReadinessWorkflowID(id, "r1"), TaskQueue: queue},
		workflows.ReadinessWorkflowName, workflows.ReadinessInput{EngagementID: id, Spec: *spec, ReviewID: "r1", FixBy: fixBy})
	require.NoError(t, err)

	decisions := promptsOfKind(t, ctx, db, id, workflows.PromptKindFindingDecision, 3)
	byFinding := map[string]postgres.Prompt{}
	for key, p := range decisions {
		byFinding[strings.TrimPrefix(key, "readiness/r1/decide/")] = p
		assert.Equal(t, lead, p.AddresseeEmail, "the lead decides %s", key)
	}
	require.ElementsMatch(t, []string{planted.late, planted.retro, planted.missing}, slices.Collect(maps.Keys(byFinding)),
		"the review finds exactly the planted deviations, and none that were not")

	fixP, acceptP := byFinding[planted.late], byFinding[planted.retro]
	_, err = svc.Answer(ctx, acceptP.ID, "test/accept-no-reason", workflows.AnswerPromptRequest{Choice: workflows.DecisionAccept, Actor: identity.CLIActor(lead)})
	require.ErrorContains(t, err, "needs a note", "accepting a finding needs a reason")
	_, err = svc.Answer(ctx, fixP.ID, "test/"+fixP.ID, workflows.AnswerPromptRequest{Choice: workflows.DecisionFix, Actor: identity.CLIActor(lead)})
	require.NoError(t, err)
	const reason = "scanner outage that week; the compensating manual review is minuted"
	_, err = svc.Answer(ctx, acceptP.ID, "test/"+acceptP.ID, workflows.AnswerPromptRequest{Choice: workflows.DecisionAccept, Note: reason, Actor: identity.CLIActor(lead)})
	require.NoError(t, err)

	// The fix goes to the control's owner, who must link the evidence.
	fixes := promptsOfKind(t, ctx, db, id, workflows.PromptKindFindingFix, 1)
	owner, ok := fixes["readiness/r1/fix/"+planted.late]
	require.True(t, ok, "the fix prompt is keyed by the finding: %v", slices.Collect(maps.Keys(fixes)))
	assert.Equal(t, "priya@brightlane.io", owner.AddresseeEmail, "OPS-01's owner fixes it")
	_, err = svc.Answer(ctx, owner.ID, "test/fixed-no-link", workflows.AnswerPromptRequest{Choice: "fixed", Actor: identity.CLIActor(owner.AddresseeEmail)})
	require.ErrorContains(t, err, "needs a link")
	const fixLink = "https://drive.example/fixes/ops-01-change-log"
	_, err = svc.Answer(ctx, owner.ID, "test/"+owner.ID, workflows.AnswerPromptRequest{Choice: "fixed", Link: fixLink, Actor: identity.CLIActor(owner.AddresseeEmail)})
	require.NoError(t, err)

	var res workflows.ReadinessResult
	require.NoError(t, run.Get(ctx, &res))
	assert.Equal(t, workflows.ReadinessResult{Findings: 3, Fixed: 1, Accepted: 1, Undecided: 1}, res)
	assert.False(t, time.Now().Before(fixBy), "the undecided finding is given up on only at FixBy")
	expired, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: id, Status: postgres.PromptExpired})
	require.NoError(t, err)
	require.Len(t, expired, 1)
	assert.Equal(t, "readiness/r1/decide/"+planted.missing, expired[0].Key)

	// `findings` shows each decision, the fix's evidence, and the one
	// nobody decided.
	out, err := cli("findings", id, "--format", "json")
	require.NoError(t, err, out)
	var rows []struct {
		Finding postgres.Finding     `json:"finding"`
		Fix     *postgres.FindingFix `json:"fix"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rows), out)
	got := map[string]postgres.Finding{}
	for _, r := range rows {
		got[r.Finding.FindingID] = r.Finding
		if r.Finding.FindingID == planted.late {
			require.NotNil(t, r.Fix, "the fix is recorded")
			assert.Equal(t, fixLink, r.Fix.Evidence)
			assert.Equal(t, "priya@brightlane.io", r.Fix.FixedBy)
		} else {
			assert.Nil(t, r.Fix, "%s was not fixed", r.Finding.FindingID)
		}
	}
	require.Len(t, got, 3)
	assert.Equal(t, postgres.DecisionFix, got[planted.late].Decision)
	assert.Equal(t, "prompt:r1/"+planted.late, got[planted.late].RemediationItem, "without Jira the fix is chased through its prompt")
	assert.Equal(t, postgres.DecisionAccept, got[planted.retro].Decision)
	assert.Equal(t, reason, got[planted.retro].Reason)
	assert.Equal(t, lead, got[planted.retro].DecidedBy)
	assert.Empty(t, got[planted.missing].Decision)
	table, err := cli("findings", id)
	require.NoError(t, err, table)
	assert.Contains(t, table, fixLink)
	assert.Contains(t, table, reason)

	// The evidence pack carries exactly the accepted finding as a known
	// exception, and its manifest covers it.
	dir := filepath.Join(t.TempDir(), "pack")
	out, err = cli("evidence-pack", id, "--out", dir)
	require.NoError(t, err, out)
	body, err := os.ReadFile(filepath.Join(dir, packExceptionsJSON))
	require.NoError(t, err)
	var accepted []postgres.Finding
	require.NoError(t, json.Unmarshal(body, &accepted))
	require.Len(t, accepted, 1, "only the accepted finding is an accepted exception: %s", body)
	assert.Equal(t, planted.retro, accepted[0].FindingID)
	assert.Equal(t, reason, accepted[0].Reason)
	out, err = cli("evidence-pack", "verify", dir)
	require.NoError(t, err, out)

	// --- The certified programme, from a SOC 2 report over the window.
	cal, err := compliance.NewCalendar(spec.Reminders)
	require.NoError(t, err)
	cert := postcert.Certification{Framework: compliance.SOC2, Date: cal.Today(time.Now()), ReportPeriod: window, Reference: "SOC2-T2-TEST"}
	_, err = tmp.Client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ProgrammeWorkflowID(id), TaskQueue: queue},
		workflows.ProgrammeWorkflowName, workflows.ProgrammeInput{EngagementID: id, Spec: *spec, Certifications: []postcert.Certification{cert},
			Cycle: 1, Revision: 1})
	require.NoError(t, err)
	programme := func() workflows.ProgrammeState {
		t.Helper()
		v, err := tmp.Client.QueryWorkflow(ctx, workflows.ProgrammeWorkflowID(id), "", workflows.QueryProgramme)
		require.NoError(t, err)
		var st workflows.ProgrammeState
		require.NoError(t, v.Get(&st))
		return st
	}
	require.Eventually(t, func() bool { return !programme().Window.Start.IsZero() }, 30*time.Second, 100*time.Millisecond, "the next cycle was not planned")
	assert.Equal(t, window.End.AddDays(1), programme().Window.Start, "the next window starts the day after the report period")

	// A new office, from a YAML file through the CLI.
	office := filepath.Join(t.TempDir(), "office.yaml")
	require.NoError(t, os.WriteFile(office, []byte("name: Lisbon office\nkind: physical\nenvironment: corporate\ndata: [employee-data]\nscope: in\n"), 0o644))
	_, err = cli("scope", "add-system", id, "-f", office, "--as", "leo@brightlane.io")
	require.ErrorContains(t, err, "may not change the scope", "a control owner cannot grow the scope")
	out, err = cli("scope", "add-system", id, "-f", office, "--as", consultant, "--format", "json")
	require.NoError(t, err, out)
	var sys workflows.ScopeChange
	require.NoError(t, json.Unmarshal([]byte(out), &sys), out)
	assert.Equal(t, "system-lisbon-office", sys.ID)
	assert.Equal(t, workflows.ChangeProposed, sys.Status)
	require.NotEmpty(t, sys.NewControls, "an office brings the physical controls")
	for _, c := range sys.NewControls {
		assert.True(t, strings.HasPrefix(c, "PHY-"), "%s: an office brings only physical controls (%v)", c, sys.NewControls)
	}

	// The lead approves; then only the office's controls are assessed.
	approvals := promptsOfKind(t, ctx, db, id, workflows.PromptKindScopeChange, 1)
	approval, ok := approvals["scope-change/"+sys.ID]
	require.True(t, ok, "the lead is asked about %s", sys.ID)
	_, err = svc.Answer(ctx, approval.ID, "test/"+approval.ID, workflows.AnswerPromptRequest{Choice: "approve", Actor: identity.CLIActor(lead)})
	require.NoError(t, err)
	assessed := answerControls(t, ctx, db, svc, id, len(sys.NewControls), inPlace)
	var keys []string
	for _, p := range assessed {
		keys = append(keys, strings.TrimPrefix(p.Key, "gap/"))
	}
	assert.ElementsMatch(t, sys.NewControls, keys, "only the controls the office brings are assessed")
	waitChange := func(changeID string) workflows.ScopeChange {
		t.Helper()
		var ch workflows.ScopeChange
		require.Eventually(t, func() bool {
			for _, c := range programme().Changes {
				if c.ID == changeID {
					ch = c
				}
			}
			return ch.Status == workflows.ChangeAssessed
		}, time.Minute, 200*time.Millisecond, "%s never reached %s (last %+v)", changeID, workflows.ChangeAssessed, ch)
		return ch
	}
	done := waitChange(sys.ID)
	assert.Equal(t, sys.NewControls, done.NewControls)
	assert.Zero(t, done.Gaps, "every new control was answered as in place")
	out, err = cli("programme", id)
	require.NoError(t, err, out)
	assert.Contains(t, out, fmt.Sprintf("scope change %s: assessed (%d new controls, 0 gaps)", sys.ID, len(sys.NewControls)))

	// PCI DSS is not in brightlane's spec: adding it costs only the
	// library's delta, which no longer includes what the office brought.
	out, err = cli("framework", "add", id, "pci-dss", "--as", lead, "--format", "json")
	require.NoError(t, err, out)
	var pci workflows.ScopeChange
	require.NoError(t, json.Unmarshal([]byte(out), &pci), out)
	assert.Equal(t, "framework-pci-dss", pci.ID)
	require.NotEmpty(t, pci.NewControls, "PCI DSS brings controls SOC 2 does not")
	for _, c := range sys.NewControls {
		assert.NotContains(t, pci.NewControls, c, "already in scope with the office")
	}
	assessed = answerControls(t, ctx, db, svc, id, len(pci.NewControls), inPlace)
	assert.Len(t, assessed, len(pci.NewControls))
	waitChange(pci.ID)

	if os.Getenv("STEADFAST_UPDATE_HISTORIES") == "1" {
		e := &engagements{tc: tmp.Client}
		writeHistory(t, ctx, e, workflows.ReadinessWorkflowID(id, "r1"), "readiness_fixed_accepted_undecided.json")
		writeHistory(t, ctx, e, acceptP.ID, "prompt_finding_decision_accepted.json")
		writeHistory(t, ctx, e, workflows.ProgrammeWorkflowID(id), "programme_system_and_framework_added.json")
	}
}

// inPlace answers a gap-assessment prompt as in place with sampleable
// evidence, so a scope change's new controls leave no gaps.
func inPlace(_ int, p postgres.Prompt) workflows.AnswerPromptRequest {
	return workflows.AnswerPromptRequest{Choice: workflows.AssessImplemented, Note: "badge logs exported monthly by facilities",
		Actor: identity.CLIActor(p.AddresseeEmail)}
}
