package main

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// TestPagesWithEvidence renders every page over an operating period with
// evidence: the heat map, the auditor's sample with its downloads, and the
// signed pack.
func TestPagesWithEvidence(t *testing.T) {
	s := newSite(t)
	now := time.Date(2027, 6, 15, 16, 0, 0, 0, time.UTC)
	if n := s.seedEvidence(t, engA, now); n == 0 {
		t.Fatal("nothing seeded")
	}
	s.invite(auditorA, engA, compliance.DateOf(now).AddDays(30))

	for i, c := range []string{"ACC-04", "OPS-15"} {
		must(t, s.db.Store.OpenItem(context.Background(), postgres.RemediationItem{EngagementID: engA, ControlID: c,
			ItemID: engA + "/" + c, Rank: i + 1, Title: c, OwnerEmail: ownerA, Due: now.AddDate(0, 1, 0),
			TicketLabel: "steadfast-" + c, OpenedAt: now.AddDate(0, 0, -30)}))
	}

	lead := s.signIn(leadA, engA)
	page := body(t, lead.get("/e/"+engA))
	if !strings.Contains(page, `id="burndown"`) || !strings.Contains(page, ": 2 open</title>") {
		t.Error("the engagement page has no remediation burn-down showing the two open items")
	}
	op, err := s.svc.Operating(context.Background(), engagement.OperatingRequest{EngagementID: engA})
	must(t, err)
	if want := len(op.Heatmap.Rows) * len(op.Heatmap.Months); want == 0 || strings.Count(page, `stroke="#999"`) != want {
		t.Errorf("heat map cells: %d, want controls × months = %d", strings.Count(page, `stroke="#999"`), want)
	}
	if !strings.Contains(page, "on time") || !strings.Contains(page, `id="drift-`) {
		t.Error("the engagement page lacks the coverage cells' words or the drift rows they link to")
	}
	svg := lead.get("/e/" + engA + "/heatmap.svg")
	if svg.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(body(t, svg), "<svg") {
		t.Error("heatmap.svg is not an SVG")
	}
	if owner := body(t, s.signIn(ownerA, engA).get("/e/"+engA+"/mine")); !strings.Contains(owner, "My controls") {
		t.Errorf("owner page:\n%s", owner)
	}

	aud := s.signIn(auditorA, engA)
	room := body(t, aud.get("/e/"+engA+"/audit"))
	links := regexp.MustCompile(`/e/`+engA+`/audit/evidence/(\d+)`).FindAllStringSubmatch(room, -1)
	if len(links) == 0 {
		t.Fatalf("the auditor's room has no evidence to download:\n%.2000s", room)
	}
	dl := aud.get(links[0][0])
	if dl.StatusCode != 200 || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download %s: %d %q", links[0][0], dl.StatusCode, dl.Header.Get("Content-Disposition"))
	}
	sampled := map[string]bool{}
	for _, l := range links {
		sampled[l[1]] = true
	}
	for id := 1; id < 400; id++ {
		if k := itoa(id); !sampled[k] {
			if got := aud.get("/e/" + engA + "/audit/evidence/" + k).StatusCode; got != 404 {
				t.Errorf("evidence %s was not sampled but downloads with %d", k, got)
			}
			break
		}
	}
	if got := aud.get("/e/" + engA + "/audit/pack.zip").StatusCode; got != 404 {
		t.Errorf("pack without a signing key: %d, want 404", got)
	}
	key, err := evidencepack.GenerateKey()
	must(t, err)
	s.srv.PackKey = key
	zr := aud.get("/e/" + engA + "/audit/pack.zip")
	b, _ := io.ReadAll(zr.Body)
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("pack.zip (%d): %v", zr.StatusCode, err)
	}
	names := map[string]bool{}
	for _, f := range z.File {
		names[f.Name] = true
	}
	if !names[evidencepack.ManifestName] || !names[evidencepack.SignatureName] {
		t.Fatalf("the pack holds %v; want its manifest and signature", names)
	}
	// Unpacked, it verifies against the deployment's public key.
	dir := t.TempDir()
	for _, f := range z.File {
		rc, err := f.Open()
		must(t, err)
		b, err := io.ReadAll(rc)
		must(t, err)
		must(t, os.MkdirAll(filepath.Join(dir, filepath.Dir(f.Name)), 0o755))
		must(t, os.WriteFile(filepath.Join(dir, f.Name), b, 0o644))
	}
	res, err := evidencepack.Verify(dir, key.Public().(ed25519.PublicKey))
	if err != nil || res.Err() != nil {
		t.Errorf("the downloaded pack does not verify: %v %v", err, res.Err())
	}
	// The portfolio shows the drift level the heat map implies.
	if folio := body(t, lead.get("/?sort=drift")); !strings.Contains(folio, "<th scope=\"col\">Drift</th>") {
		t.Errorf("portfolio has no drift column:\n%s", folio)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
