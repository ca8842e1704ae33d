package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// BenchmarkEngagementPage measures the server time of the engagement page
// for the example's ~150 controls with a year of evidence (a twelve-month
// SOC 2 window, every occurrence due so far answered), against an empty
// page (the sign-in page: the layout and nothing read), the engagement
// page of an engagement with nothing recorded but its spec, and the live
// fingerprint the page polls, alternating in the same run so the machine's
// load weighs on all three alike. It reports p50/p95 in milliseconds and
// the ratios.
//
//	go test -run '^$' -bench BenchmarkEngagementPage -benchtime 200x ./web/
func BenchmarkEngagementPage(b *testing.B) {
	s := newSite(b)
	ctx := context.Background()
	spec := *s.specs[engA]
	soc2 := spec.Framework(compliance.SOC2)
	if soc2 == nil || soc2.Window == nil {
		b.Fatal("the example has no SOC 2 window")
	}
	end := soc2.Window.End
	soc2.Window.Start = end.AddDays(-365)
	_, plan, err := s.db.Store.SpecAndPlan(ctx, engA)
	if err != nil {
		b.Fatal(err)
	}
	if err := s.db.Store.RecordScope(ctx, postgres.ScopeRecord{EngagementID: engA, WorkflowID: workflows.EngagementWorkflowID(engA),
		Revision: 2, Spec: spec, Plan: plan, Phase: compliance.PhaseOperating, RecordedBy: "bench", At: time.Now()}); err != nil {
		b.Fatal(err)
	}
	now := end.In(time.UTC).Add(16 * time.Hour)
	rows := s.seedEvidence(b, engA, now)
	op, err := s.svc.Operating(ctx, operatingReq(engA))
	if err != nil {
		b.Fatal(err)
	}
	// The consultant is named on both engagements: brightlane with its
	// year of evidence, and ferrovia-pay with nothing recorded but its spec.
	sess, err := s.svc.RedeemSignInLink(ctx, s.link(consultant, engA))
	if err != nil {
		b.Fatal(err)
	}
	h := s.srv.Handler()
	get := func(path string) time.Duration {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: sess.Token})
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		d := time.Since(start)
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body.String())
		}
		return d
	}
	var page, bare, empty, live []time.Duration
	for b.Loop() {
		page = append(page, get("/e/"+engA))
		bare = append(bare, get("/e/"+engB))
		empty = append(empty, get("/signin"))
		live = append(live, get("/e/"+engA+"/live"))
	}
	p := func(ds []time.Duration, q float64) float64 {
		s := slices.Clone(ds)
		slices.Sort(s)
		return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(op.Controls)), "controls")
	b.ReportMetric(float64(rows), "evidence_rows")
	b.ReportMetric(p(page, .5), "page_p50_ms")
	b.ReportMetric(p(page, .95), "page_p95_ms")
	b.ReportMetric(p(bare, .5), "bare_engagement_p50_ms")
	b.ReportMetric(p(bare, .95), "bare_engagement_p95_ms")
	b.ReportMetric(p(empty, .5), "empty_p50_ms")
	b.ReportMetric(p(empty, .95), "empty_p95_ms")
	b.ReportMetric(p(live, .5), "live_p50_ms")
	b.ReportMetric(p(page, .5)/p(empty, .5), "page/empty_p50")
	b.ReportMetric(p(page, .95)/p(empty, .95), "page/empty_p95")
	b.ReportMetric(p(page, .5)/p(bare, .5), "page/bare_p50")
	b.ReportMetric(p(page, .95)/p(bare, .95), "page/bare_p95")
}
