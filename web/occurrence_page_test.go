package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/integrations/blob"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/reports"
)

// controlOwnedBy is a scheduled (not per-event) control of engagement id
// owned by email, and its first occurrence.
func (s *site) controlOwnedBy(t *testing.T, id, email string, now time.Time) (reports.ControlReport, cadence.Occurrence) {
	t.Helper()
	ctx := context.Background()
	op, err := reports.Build(ctx, s.db.Store, id, now)
	must(t, err)
	spec, plan, err := s.db.Store.SpecAndPlan(ctx, id)
	must(t, err)
	cal, err := compliance.NewCalendar(spec.Reminders)
	must(t, err)
	window, err := cadence.Window(&spec, plan)
	must(t, err)
	for _, c := range op.Controls {
		if c.Owner != email || (c.Frequency != compliance.FreqQuarterly && c.Frequency != compliance.FreqMonthly) {
			continue
		}
		occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: c.ControlID, Frequency: c.Frequency, Window: window, Calendar: cal})
		if err == nil && len(occs) > 0 {
			return c, occs[0]
		}
	}
	t.Fatalf("no monthly or quarterly control of %s is owned by %s", id, email)
	return reports.ControlReport{}, cadence.Occurrence{}
}

// TestOccurrencePage: a heat-map cell leads to its occurrences, with the
// window, deadline, status, evidence and who gave it; the people of the
// engagement page see every control, an owner only their own, an auditor
// and another client's people nothing; a stored file downloads only
// through an occurrence the viewer may see.
func TestOccurrencePage(t *testing.T) {
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	if n := s.seedEvidence(t, engA, now); n == 0 {
		t.Fatal("no evidence seeded")
	}
	bs, err := blob.NewLocal(t.TempDir(), 1<<20)
	must(t, err)
	s.svc.Blobs = bs
	ctx := context.Background()
	s.invite(auditorA, engA, compliance.DateOf(now).AddDays(30))

	leos, leoOcc := s.controlOwnedBy(t, engA, ownerA, now)
	priyas, priyaOcc := s.controlOwnedBy(t, engA, delegateA, now)
	// A file given for leo's occurrence, as a correction of the seeded link.
	obj, err := bs.Put(ctx, strings.NewReader("<html><script>alert(1)</script> signed review minutes"))
	must(t, err)
	fileID, err := s.db.Store.AddEvidence(ctx, postgres.Evidence{EngagementID: engA, ControlID: leos.ControlID, OccurrenceKey: leoOcc.Key(),
		PeriodStart: leoOcc.Period.Start.In(time.UTC), PeriodEnd: leoOcc.Period.End.In(time.UTC), DueAt: leoOcc.Due,
		SubmittedAt: leoOcc.Due.Add(-time.Hour), SubmittedBy: ownerA, Channel: "web", Kind: "file", Value: obj.SHA256,
		ArtifactSHA256: obj.SHA256, ArtifactSize: obj.Size, ContentType: "text/html", Filename: "minutes.html", SubmissionKey: "test/file"})
	must(t, err)

	month := func(o cadence.Occurrence) string {
		return strconv.Itoa(o.Period.End.Year) + "-" + twoDigits(int(o.Period.End.Month))
	}
	leoPage := occurrenceURL(engA, leos.ControlID, month(leoOcc))
	priyaPage := occurrenceURL(engA, priyas.ControlID, priyaOcc.Key()[len(priyas.ControlID)+1:])
	file := leoPage + "/evidence/" + strconv.FormatInt(fileID, 10)

	lead := s.signIn(leadA, engA)
	svg := body(t, lead.get("/e/"+engA+"/heatmap.svg"))
	if !strings.Contains(svg, `href="`+leoPage+`"`) {
		t.Errorf("the heat map has no link to %s", leoPage)
	}
	resp := lead.get(leoPage)
	page := body(t, resp)
	for _, want := range []string{leoOcc.Key(), leoOcc.Period.String(), "on-time", ownerA, "minutes.html", "https://drive.example/" + engA + "/" + leoOcc.Key(), "today's sample"} {
		if !strings.Contains(page, want) {
			t.Errorf("the lead's occurrence page lacks %q:\n%s", want, page)
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the lead's occurrence page: %d", resp.StatusCode)
	}
	got := lead.get(file)
	content, _ := io.ReadAll(got.Body)
	if got.StatusCode != http.StatusOK || !strings.Contains(string(content), "signed review minutes") ||
		got.Header.Get("Content-Type") != "application/octet-stream" || !strings.HasPrefix(got.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("the file: %d %s %s %q", got.StatusCode, got.Header.Get("Content-Type"), got.Header.Get("Content-Disposition"), content)
	}

	// Who sees what, by URL.
	type row struct {
		who             string
		leo, priya, dl  int
		signInEngagment string
	}
	for _, r := range []row{
		{sponsorA, 200, 200, 200, engA},
		{ownerA, 200, 404, 200, engA},
		{delegateA, 200, 200, 200, engA}, // a lead delegate sees the engagement page
		{auditorA, 404, 404, 404, engA},
		{leadB, 404, 404, 404, engB},
	} {
		c := s.signIn(r.who, r.signInEngagment)
		for path, want := range map[string]int{leoPage: r.leo, priyaPage: r.priya, file: r.dl} {
			if got := c.get(path).StatusCode; got != want {
				t.Errorf("GET %s as %s: %d, want %d", path, r.who, got, want)
			}
		}
	}
	// The file's ID under another occurrence, or another engagement, reaches nothing.
	for _, path := range []string{
		priyaPage + "/evidence/" + strconv.FormatInt(fileID, 10),
		occurrenceURL(engB, leos.ControlID, month(leoOcc)) + "/evidence/" + strconv.FormatInt(fileID, 10),
		leoPage + "/evidence/x",
		occurrenceURL(engA, "NOPE-1", "2027-04"),
	} {
		if got := lead.get(path).StatusCode; got != http.StatusNotFound {
			t.Errorf("GET %s as the lead: %d, want 404", path, got)
		}
	}
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}
