package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
	"github.com/steadfast-grc/steadfast/internal/testenv"
)

// The engagement every size of the readiness benchmark is cut from:
// brightlane with ISO 27001 added (160 applicable controls) and a
// twelve-month SOC 2 Type II window, reviewed a month after the window
// closed, when every occurrence has fallen due and its grace has run out.
var (
	rapWindow   = compliance.Span{Start: compliance.Date{Year: 2026, Month: 10, Day: 1}, End: compliance.Date{Year: 2027, Month: 9, Day: 30}}
	rapAsOfDay  = compliance.Date{Year: 2027, Month: 10, Day: 29}
	rapAudit    = compliance.Date{Year: 2027, Month: 11, Day: 15}
	rapSeed     = uint64(2027)
	rapSizes    = []int{50, 100, 150}
	rapEventsPW = 2 // recorded events per week of each per-event control
)

// BenchmarkReadinessAndPack measures the readiness review (mock audit) and
// the evidence-pack export of an engagement with a year of evidence, at 50,
// 100 and 150 controls and at the whole applicable set (160), all in one
// run so the growth ratios compare like with like.
//
// Each size is its own engagement in one Postgres database, seeded once
// before any timing: for each of its controls, evidence for every cadence
// occurrence of the twelve-month window (about 88% on time by the owner or
// lead delegate, 6% late, 1% raised retrospectively, 1% given by the
// consultant, 4% missing; daily controls attested weekly in batches, as
// cadence schedules them), about two recorded events a week for each
// per-event control (a few without approval, approved after the event or
// without a linked record), the review's findings saved with every tenth
// accepted as a known exception, and one answered audit request per
// control. Continuous controls have no recorded events, so they are
// sampled from their monthly attestations.
//
// What is timed, per iteration (each metric is the median iteration's, so
// a neighbour on a shared machine slowing one iteration does not move it):
//
//   - ms/review: the review as `starter readiness` runs it: load the spec
//     and plan, all the engagement's evidence and recorded events from
//     Postgres, schedule every control's occurrences, draw and test the
//     samples (compliance/readiness.Review). At the whole applicable set
//     (controls=160-all) this is reports.BuildReadiness itself. The
//     catalog decides which controls apply, so there is no spec of 50 or
//     100 controls; for those sizes (and 150) the benchmark runs
//     reports.BuildReadinessOf, the same loads and steps over only the
//     first N applicable controls.
//   - ms/pack: exporting the pack from that review as `starter
//     evidence-pack` does after its review: read the answered audit
//     requests and accepted exceptions on the review's pool, as the
//     command does, render every control.json, the
//     CSV and JSON indexes and the parts, write them to disk and hash them
//     into MANIFEST.sha256. The command is about ms/review + ms/pack.
//     ms/pack-load is the part of ms/pack spent reading the requests and exceptions; the rest is rendering and
//     writing. ms/pack-write-tmpfs is the writing part again into
//     /dev/shm (when there is one): rendering and hashing without the
//     disk's file system, which on a shared machine is the noisy part.
//   - ms/verify: verifyEvidencePack over the written pack (re-hash every
//     file against the manifest).
//   - ms/cli (controls=160-all only): the whole `starter evidence-pack`
//     command, review included, through cobra.
//
// The parent benchmark logs the seeding of each size and the growth ratios
// (each size over 50) of review and pack time measured in this run; go test
// prints a parent benchmark's log only with -v. Run it with (Postgres as
// for `make test`, no Temporal needed):
//
//	go test -v -run '^$' -bench ReadinessAndPack -benchtime 3x ./starter/
func BenchmarkReadinessAndPack(b *testing.B) {
	ctx := context.Background()
	db := testenv.Postgres(b)
	b.Setenv("DATABASE_URL", db.URL)

	spec, err := compliance.LoadSpec("../examples/saas-startup.yaml")
	if err != nil {
		b.Fatal(err)
	}
	spec.Frameworks = append(spec.Frameworks, compliance.Framework{ID: compliance.ISO27001, Version: compliance.ISO27001Version})
	soc2 := spec.Framework(compliance.SOC2)
	soc2.Window = &compliance.ObservationWindow{Start: rapWindow.Start, End: rapWindow.End}
	spec.AuditDate = rapAudit
	plan, err := compliance.PlanEngagement(spec, time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	if err != nil {
		b.Fatal(err)
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		b.Fatal(err)
	}
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		b.Fatal(err)
	}
	all := len(app.Controls)
	if all < slices.Max(rapSizes) {
		b.Fatalf("the spec has %d applicable controls, want at least %d", all, slices.Max(rapSizes))
	}
	asOf := reports.EndOfDay(cal, rapAsOfDay)

	sizes := append(slices.Clone(rapSizes), all)
	seeded := map[int]rapSeeded{}
	for _, n := range sizes {
		start := time.Now()
		s := rapSeedEngagement(b, ctx, db.Store, *spec, plan, cal, app, n, asOf)
		seeded[n] = s
		b.Logf("seeded %s: %d controls, %d evidence rows, %d recorded events, %d findings saved (%d accepted), %d answered audit requests, in %s",
			s.id, n, s.evidence, s.events, s.findings, s.accepted, n, time.Since(start).Round(time.Millisecond))
	}

	type timing struct{ review, pack float64 }
	got := map[int]timing{}
	for _, n := range sizes {
		s := seeded[n]
		name := fmt.Sprintf("controls=%d", n)
		if n == all {
			name += "-all"
		}
		b.Run(name, func(b *testing.B) {
			review := func() (readiness.Report, error) {
				if n == all {
					return reports.BuildReadiness(ctx, db.Store, s.id, asOf, rapSeed)
				}
				return rapReview(ctx, db.Store, s.id, asOf, rapSeed, n)
			}
			root := b.TempDir()
			// The same pack written to memory (tmpfs), when the machine has
			// one, to tell rendering and hashing from the file system's work.
			shm := ""
			if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
				if d, err := os.MkdirTemp("/dev/shm", "steadfast-rap-"); err == nil {
					shm = d
					b.Cleanup(func() { _ = os.RemoveAll(d) })
				}
			}
			var tReview, tPack, tPackLoad, tShm, tVerify, tCLI []time.Duration
			var rep readiness.Report
			var files int
			var packBytes int64
			for b.Loop() {
				t0 := time.Now()
				r, err := review()
				if err != nil {
					b.Fatal(err)
				}
				tReview = append(tReview, time.Since(t0))
				rep = r

				dir := filepath.Join(root, fmt.Sprintf("pack-%d", len(tReview)))
				t1 := time.Now()
				audit, err := loadAnsweredAuditRequests(ctx, db.Store, s.id)
				if err != nil {
					b.Fatal(err)
				}
				accepted, err := db.Store.AcceptedExceptions(ctx, s.id)
				if err != nil {
					b.Fatal(err)
				}
				tPackLoad = append(tPackLoad, time.Since(t1))
				names, err := writeEvidencePack(dir, rep, audit.part(), exceptionsPart(accepted))
				if err != nil {
					b.Fatal(err)
				}
				tPack = append(tPack, time.Since(t1))

				if shm != "" {
					shmDir := filepath.Join(shm, fmt.Sprintf("pack-%d", len(tReview)))
					t := time.Now()
					if _, err := writeEvidencePack(shmDir, rep, audit.part(), exceptionsPart(accepted)); err != nil {
						b.Fatal(err)
					}
					tShm = append(tShm, time.Since(t))
					b.StopTimer()
					_ = os.RemoveAll(shmDir)
					b.StartTimer()
				}

				t2 := time.Now()
				if err := verifyEvidencePack(dir); err != nil {
					b.Fatal(err)
				}
				tVerify = append(tVerify, time.Since(t2))

				if n == all {
					cliDir := filepath.Join(root, fmt.Sprintf("cli-%d", len(tReview)))
					t3 := time.Now()
					cli := newRootCmd()
					cli.SetArgs([]string{"evidence-pack", s.id, "--out", cliDir, "--as-of", rapAsOfDay.String(), "--seed", fmt.Sprint(rapSeed)})
					var out, errOut bytes.Buffer
					cli.SetOut(&out)
					cli.SetErr(&errOut)
					if err := cli.ExecuteContext(ctx); err != nil {
						b.Fatalf("evidence-pack: %v\n%s", err, errOut.String())
					}
					tCLI = append(tCLI, time.Since(t3))
					b.StopTimer()
					if err := rapSameFiles(dir, cliDir); err != nil {
						b.Fatal(err)
					}
					_ = os.RemoveAll(cliDir)
					b.StartTimer()
				}

				b.StopTimer()
				files = len(names) + 1 // and the manifest
				packBytes, err = rapDirBytes(dir)
				if err != nil {
					b.Fatal(err)
				}
				_ = os.RemoveAll(dir)
				b.StartTimer()
			}
			// The median iteration: the machine may be shared, and one
			// iteration slowed by a neighbour should not move the figure.
			ms := func(ds []time.Duration) float64 {
				ds = slices.Clone(ds)
				slices.Sort(ds)
				m := ds[len(ds)/2]
				if len(ds)%2 == 0 {
					m = (ds[len(ds)/2-1] + m) / 2
				}
				return float64(m) / float64(time.Millisecond)
			}
			b.ReportMetric(ms(tReview), "ms/review")
			b.ReportMetric(ms(tPack), "ms/pack")
			b.ReportMetric(ms(tPackLoad), "ms/pack-load")
			if len(tShm) > 0 {
				b.ReportMetric(ms(tShm), "ms/pack-write-tmpfs")
			}
			b.ReportMetric(ms(tVerify), "ms/verify")
			if n == all {
				b.ReportMetric(ms(tCLI), "ms/cli")
			}
			b.ReportMetric(float64(s.evidence), "evidence-rows")
			b.ReportMetric(float64(s.events), "recorded-events")
			b.ReportMetric(float64(rep.Sampled), "sampled")
			b.ReportMetric(float64(len(rep.Findings)), "findings")
			b.ReportMetric(float64(files), "pack-files")
			b.ReportMetric(float64(packBytes)/(1<<20), "pack-MiB")
			got[n] = timing{review: ms(tReview), pack: ms(tPack)}
		})
	}

	base, ok := got[rapSizes[0]]
	if !ok || base.review == 0 || base.pack == 0 {
		return // filtered to other sizes
	}
	for _, n := range sizes[1:] {
		t, ok := got[n]
		if !ok {
			continue
		}
		b.Logf("growth %d → %d controls (×%.1f): review %.1f → %.1f ms (×%.2f), pack %.1f → %.1f ms (×%.2f), review+pack ×%.2f",
			rapSizes[0], n, float64(n)/float64(rapSizes[0]), base.review, t.review, t.review/base.review,
			base.pack, t.pack, t.pack/base.pack, (t.review+t.pack)/(base.review+base.pack))
	}
}

// rapSeeded is one seeded engagement of the benchmark.
type rapSeeded struct {
	id                                   string
	evidence, events, findings, accepted int
}

// rapSeedEngagement records an engagement of the first n applicable
// controls with a year of evidence, recorded events, a saved review with
// some findings accepted, and answered audit requests (see the benchmark).
func rapSeedEngagement(b *testing.B, ctx context.Context, store *postgres.Store, spec compliance.Spec, plan compliance.Plan,
	cal *compliance.Calendar, app *catalog.Applicability, n int, asOf time.Time) rapSeeded {
	b.Helper()
	s := rapSeeded{id: fmt.Sprintf("rap-%d", n)}
	spec.ID = s.id
	if err := store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: s.id, WorkflowID: "engagement/" + s.id, Revision: 1, Spec: spec,
		Plan: plan, Phase: compliance.PhaseReadiness, RecordedBy: "bench", At: time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	window, err := cadence.Window(&spec, plan)
	if err != nil {
		b.Fatal(err)
	}
	lead := strings.ToLower(spec.PeopleWithRole(compliance.RoleLead)[0].Email)
	delegate := strings.ToLower(spec.PeopleWithRole(compliance.RoleLeadDelegate)[0].Email)
	consultant := strings.ToLower(spec.PeopleWithRole(compliance.RoleConsultant)[0].Email)
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	between := func(lo, hi time.Time) time.Time {
		if !hi.After(lo) {
			return lo
		}
		return lo.Add(time.Duration(rng.Int64N(int64(hi.Sub(lo)))))
	}
	for _, ac := range app.Controls[:n] {
		c := ac.Control
		owner := strings.ToLower(spec.OwnerOf(c.Domain).Email)
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err != nil {
			b.Fatal(err)
		}
		for _, o := range occs {
			if o.Due.After(asOf) {
				continue
			}
			by := owner
			if rng.IntN(5) == 0 {
				by = delegate
			}
			var at time.Time
			switch p := rng.IntN(100); {
			case p < 4:
				continue // missing
			case p < 10:
				at = between(o.Due.Add(time.Minute), o.GraceEnd)
			case p < 11:
				at = between(o.GraceEnd.Add(time.Hour), o.GraceEnd.Add(10*24*time.Hour))
			case p < 12:
				by = consultant
				at = between(o.Ends, o.Due)
			default:
				at = between(o.Ends, o.Due)
			}
			if at.After(asOf) {
				at = asOf
			}
			s.evidence++
			if _, err := store.AddEvidence(ctx, postgres.Evidence{
				EngagementID: s.id, ControlID: c.ID, OccurrenceKey: o.Key(),
				PeriodStart: o.Period.Start.In(cal.Location), PeriodEnd: o.Period.End.In(cal.Location), DueAt: o.Due,
				SubmittedAt: at, SubmittedBy: by, Channel: []string{"slack", "cli", "workflow"}[rng.IntN(3)], Kind: "link",
				Value: fmt.Sprintf("https://drive.example/%s/%s", s.id, o.Key()), SubmissionKey: fmt.Sprintf("bench/%d", s.evidence),
			}); err != nil {
				b.Fatal(err)
			}
		}
		if c.Frequency != compliance.FreqPerEvent {
			continue
		}
		var evs []postgres.PopulationEvent
		start := window.Start.In(cal.Location)
		end := window.End.AddDays(1).In(cal.Location)
		for week := start; week.Before(end); week = week.AddDate(0, 0, 7) {
			for range rapEventsPW {
				at := between(week, week.AddDate(0, 0, 7)).Truncate(time.Minute)
				if !at.Before(end) {
					continue
				}
				e := postgres.PopulationEvent{EngagementID: s.id, ControlID: c.ID, EventKey: fmt.Sprintf("SEC-%d", 1000+len(evs)),
					OccurredAt: at, Source: postgres.PopulationSourceJira, Summary: "Change " + fmt.Sprint(len(evs)+1),
					ApprovedBy: owner, ApprovedAt: at.Add(-time.Duration(1+rng.IntN(48)) * time.Hour),
					EvidenceRef: fmt.Sprintf("https://jira.example/browse/SEC-%d", 1000+len(evs)), RecordedBy: "jira-import"}
				switch p := rng.IntN(100); {
				case p < 3:
					e.ApprovedBy, e.ApprovedAt = "", time.Time{}
				case p < 5:
					e.ApprovedAt = at.Add(time.Duration(1+rng.IntN(72)) * time.Hour)
				case p < 7:
					e.EvidenceRef = ""
				}
				evs = append(evs, e)
			}
		}
		if _, err := store.RecordPopulationEvents(ctx, evs); err != nil {
			b.Fatal(err)
		}
		s.events += len(evs)
	}

	// The review the lead decided on: its findings saved, every tenth
	// accepted as a known exception.
	rep, err := rapReview(ctx, store, s.id, asOf, rapSeed, n)
	if err != nil {
		b.Fatal(err)
	}
	body, err := json.Marshal(rep)
	if err != nil {
		b.Fatal(err)
	}
	var rows []postgres.Finding
	for _, f := range rep.Findings {
		rows = append(rows, postgres.Finding{EngagementID: s.id, ReviewID: "mock-1", ControlID: f.ControlID,
			OccurrenceKey: f.OccurrenceKey, Test: string(f.Test), Severity: string(f.Severity), Exception: f.Exception, Rank: f.Rank})
	}
	if err := store.SaveReadinessReview(ctx, postgres.ReadinessReview{EngagementID: s.id, ReviewID: "mock-1", AsOf: asOf,
		Seed: rapSeed, Risk: string(rep.Risk), Report: body, Findings: rows}); err != nil {
		b.Fatal(err)
	}
	s.findings = len(rows)
	for i, f := range rows {
		decision, reason := postgres.DecisionFix, ""
		if i%10 == 0 {
			decision, reason = postgres.DecisionAccept, "Known gap during the tool migration; compensating review performed."
		}
		if err := store.DecideFinding(ctx, postgres.FindingDecision{EngagementID: s.id,
			FindingID: postgres.FindingID(f.ControlID, f.OccurrenceKey, f.Test), Decision: decision, Reason: reason,
			By: lead, At: asOf.Add(time.Hour), Key: fmt.Sprintf("bench/decide/%d", i)}); err != nil {
			b.Fatal(err)
		}
		if decision == postgres.DecisionAccept {
			s.accepted++
		}
	}

	// Fieldwork: one request per control, each answered by its owner.
	for i, ac := range app.Controls[:n] {
		owner := strings.ToLower(spec.OwnerOf(ac.Control.Domain).Email)
		reqID := fmt.Sprintf("PBC-%03d", i+1)
		promptID := s.id + "/audit/" + reqID
		if _, _, err := store.AddAuditRequest(ctx, postgres.AuditRequest{EngagementID: s.id, RequestID: reqID, ControlID: ac.Control.ID,
			Description: "Provide the population and evidence for " + ac.Control.Title, Owner: owner, DueAt: asOf.AddDate(0, 0, 21),
			RequestedBy: "auditor", ImportedFrom: "pbc.csv", PromptID: promptID, CreatedAt: asOf.AddDate(0, 0, 14)}); err != nil {
			b.Fatal(err)
		}
		if err := store.RecordAuditAnswer(ctx, postgres.PromptAnswer{PromptID: promptID, EngagementID: s.id, Choice: "provided",
			Link: "https://drive.example/pbc/" + reqID, By: owner, Via: "slack", At: asOf.AddDate(0, 0, 16)}); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// rapReview is the review over only the first n applicable controls.
func rapReview(ctx context.Context, store *postgres.Store, engagementID string, asOf time.Time, seed uint64, n int) (readiness.Report, error) {
	return reports.BuildReadinessOf(ctx, store, engagementID, asOf, seed, n)
}

func rapDirBytes(dir string) (int64, error) {
	var total int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		return nil
	})
	return total, err
}

// rapSameFiles checks that the command wrote the same manifest as the
// timed export (so ms/cli is the same work as ms/review + ms/pack).
func rapSameFiles(dir, cliDir string) error {
	a, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		return err
	}
	c, err := os.ReadFile(filepath.Join(cliDir, manifestName))
	if err != nil {
		return err
	}
	if !bytes.Equal(a, c) {
		return fmt.Errorf("the evidence-pack command wrote a different pack from the timed export:\n%s\nvs\n%s", c, a)
	}
	return nil
}
