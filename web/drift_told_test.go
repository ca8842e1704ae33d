package main

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/activities"
)

// TestDriftNamesWhoHasBeenTold: the drift table names the people the
// drift check actually told (the escalations in the event log), with
// their role and when, not the roles the level calls for.
func TestDriftNamesWhoHasBeenTold(t *testing.T) {
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	s.svc.Now = func() time.Time { return now }
	lead := s.signIn(leadA, engA)
	before := body(t, lead.get("/e/"+engA))
	if !strings.Contains(before, "nobody yet") {
		t.Fatalf("before any drift check the drift table should say nobody has been told yet")
	}
	a := &activities.Activities{Store: s.db.Store}
	res, err := a.CheckDrift(context.Background(), activities.CheckDriftInput{EngagementID: engA, Spec: *s.specs[engA], Now: now})
	must(t, err)
	if res.Escalated == 0 {
		t.Fatal("the drift check told nobody; the test needs drifting controls")
	}
	page := body(t, lead.get("/e/"+engA))
	told := regexp.MustCompile(`<td class="told">([^<]*)</td>`).FindAllStringSubmatch(page, -1)
	var leoRow string
	for _, m := range told {
		if strings.Contains(m[1], "Leo Martins (owner)") {
			leoRow = m[1]
			break
		}
	}
	if leoRow == "" {
		t.Fatalf("no drift row names Leo Martins as the owner told:\n%v", told)
	}
	for _, want := range []string{"Maya Chen (lead)", "Tom Okafor (sponsor)", "2027-06-15 16:00 UTC at critical"} {
		if !strings.Contains(leoRow, want) {
			t.Errorf("the row %q lacks %q", leoRow, want)
		}
	}
}
