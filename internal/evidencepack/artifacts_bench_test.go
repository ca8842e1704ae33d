package evidencepack

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/blob"
)

// yearOfEvidence is a year of evidence for 150 controls: 20 annual, 30
// quarterly, 60 monthly, 20 weekly and 20 daily controls attested weekly,
// 2,940 pieces in all. 40% of them are files (reviews, reports, exports,
// screenshots), the rest links and attestations. File sizes: 60% 4 KiB,
// 30% 48 KiB, 10% 512 KiB — 1,175 files, 82.5 MB. Deterministic.
type yearOfEvidence struct {
	dir   string // the files as an owner has them, one per piece
	paths []string
	bytes int64
	rep   readiness.Report
}

func makeYear(b *testing.B) yearOfEvidence {
	b.Helper()
	rng := rand.New(rand.NewPCG(150, 2027))
	y := yearOfEvidence{dir: b.TempDir(), rep: readiness.Report{EngagementID: "bench"}}
	mix := []struct {
		n, per int
		f      compliance.Frequency
	}{{20, 1, compliance.FreqAnnual}, {30, 4, compliance.FreqQuarterly}, {60, 12, compliance.FreqMonthly},
		{20, 52, compliance.FreqWeekly}, {20, 52, compliance.FreqDaily}}
	at := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	id := 0
	for _, m := range mix {
		for range m.n {
			id++
			c := readiness.ControlResult{Control: readiness.Control{ID: fmt.Sprintf("C-%03d", id), Frequency: m.f}}
			for k := range m.per {
				s := readiness.Sampled{OccurrenceKey: fmt.Sprintf("C-%03d/%d", id, k), Status: "on-time",
					Evidence: &readiness.EvidenceRef{ID: int64(id*100 + k), SubmittedAt: at, Kind: "link", Link: "https://drive.example/x"}}
				if rng.IntN(10) < 4 {
					size := 4 << 10
					switch r := rng.IntN(10); {
					case r == 0:
						size = 512 << 10
					case r <= 3:
						size = 48 << 10
					}
					body := make([]byte, size)
					for i := range body {
						body[i] = byte(rng.Uint32())
					}
					p := filepath.Join(y.dir, fmt.Sprintf("%s-%d.bin", c.ID, k))
					if err := os.WriteFile(p, body, 0o600); err != nil {
						b.Fatal(err)
					}
					y.paths = append(y.paths, p)
					y.bytes += int64(size)
					s.Evidence.Kind, s.Evidence.Link = "file", ""
					s.Evidence.Artifact = &compliance.Artifact{Filename: filepath.Base(p), Size: int64(size)}
				}
				c.Sample = append(c.Sample, s)
			}
			c.SampleSize = len(c.Sample)
			y.rep.Controls = append(y.rep.Controls, c)
		}
	}
	return y
}

// cp copies src (a directory) to dst with the system's cp: the baseline.
func cp(b *testing.B, src, dst string) time.Duration {
	start := time.Now()
	if out, err := exec.Command("cp", "-r", src, dst).CombinedOutput(); err != nil {
		b.Fatalf("cp: %v: %s", err, out)
	}
	return time.Since(start)
}

// BenchmarkUploadYear stores every file of a year in the local blob store
// (hashing, sniffing, fsync and rename per file) and, in the same run,
// copies the same files with cp; x-cp is the ratio.
func BenchmarkUploadYear(b *testing.B) {
	y := makeYear(b)
	ctx := context.Background()
	var ours, base time.Duration
	b.SetBytes(y.bytes)
	b.ResetTimer()
	for i := range b.N {
		store, err := blob.NewLocal(filepath.Join(b.TempDir(), fmt.Sprint(i)), 0)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		for _, p := range y.paths {
			f, err := os.Open(p)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := store.Put(ctx, f); err != nil {
				b.Fatal(err)
			}
			_ = f.Close()
		}
		ours += time.Since(start)
		base += cp(b, y.dir, filepath.Join(b.TempDir(), "cp"))
	}
	b.ReportMetric(float64(len(y.paths)), "files")
	b.ReportMetric(float64(y.bytes)/1e6, "MB")
	b.ReportMetric(ours.Seconds()/float64(b.N), "s-store")
	b.ReportMetric(base.Seconds()/float64(b.N), "s-cp")
	b.ReportMetric(ours.Seconds()/base.Seconds(), "x-cp")
}

// BenchmarkPackExportYear builds and writes the signed pack of a year in
// which every piece of evidence is sampled (index, per-control files, the
// files read back from the store and checked against their hashes, the
// manifest and signature) and, in the same run, copies the store's files
// with cp; x-cp is the ratio.
func BenchmarkPackExportYear(b *testing.B) {
	y := makeYear(b)
	ctx := context.Background()
	store, err := blob.NewLocal(filepath.Join(b.TempDir(), "store"), 0)
	if err != nil {
		b.Fatal(err)
	}
	for ci := range y.rep.Controls {
		for si := range y.rep.Controls[ci].Sample {
			e := y.rep.Controls[ci].Sample[si].Evidence
			if e.Artifact == nil {
				continue
			}
			body, err := os.ReadFile(filepath.Join(y.dir, e.Artifact.Filename))
			if err != nil {
				b.Fatal(err)
			}
			obj, err := store.Put(ctx, bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			e.Artifact.SHA256, e.ValueSHA256 = obj.SHA256, obj.SHA256
		}
	}
	key, err := GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	var ours, base time.Duration
	b.SetBytes(y.bytes)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		files, err := Build(y.rep, Artifacts(ctx, store, y.rep))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Write(filepath.Join(b.TempDir(), fmt.Sprint("pack", i)), files, key, time.Now()); err != nil {
			b.Fatal(err)
		}
		ours += time.Since(start)
		base += cp(b, store.Dir, filepath.Join(b.TempDir(), fmt.Sprint("cp", i)))
	}
	b.ReportMetric(float64(len(y.paths)), "files")
	b.ReportMetric(float64(y.bytes)/1e6, "MB")
	b.ReportMetric(ours.Seconds()/float64(b.N), "s-pack")
	b.ReportMetric(base.Seconds()/float64(b.N), "s-cp")
	b.ReportMetric(ours.Seconds()/base.Seconds(), "x-cp")
}
