package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
)

func newEvidencePackCmd() *cobra.Command {
	var out, asOf string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "evidence-pack ENGAGEMENT --out DIR [--as-of YYYY-MM-DD] [--seed N]",
		Short: "Write the evidence pack an auditor works from: per control, the population, the sample and its evidence",
		Long: `Runs the readiness review's sample draw and writes the evidence pack to DIR:

  DIR/<control>/control.json  the control's description, owner, frequency, the
                              population, the sample, each sampled occurrence's
                              evidence reference and timestamps, and findings
  DIR/index.csv, index.json   one row per control and sampled occurrence
  DIR/audit-requests.csv, audit-requests.json
                              the auditor's requests answered during fieldwork,
                              with each answer's link or note, who gave it and when
  DIR/accepted-exceptions.csv, accepted-exceptions.json
                              the readiness findings the lead accepted as known
                              exceptions, each with the reason, who and when
  DIR/MANIFEST.sha256         the SHA-256 of every file above, sorted by path
                              (check with: starter evidence-pack verify DIR, or
                              cd DIR && sha256sum -c MANIFEST.sha256)

DIR must be empty or not exist. --as-of and --seed are as for readiness; the
seed is printed so the same sample can be drawn again.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("--out DIR is required")
			}
			if err := ensureEmptyDir(out); err != nil {
				return err
			}
			day, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			// One pool for the review and every part of the pack.
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			rep, err := reviewAsOf(cmd.Context(), store, args[0], day, seed, cmd.Flags().Changed("seed"))
			if err != nil {
				return err
			}
			audit, err := loadAnsweredAuditRequests(cmd.Context(), store, rep.EngagementID)
			if err != nil {
				return err
			}
			accepted, err := store.AcceptedExceptions(cmd.Context(), rep.EngagementID)
			if err != nil {
				return err
			}
			files, err := writeEvidencePack(out, rep, audit.part(), exceptionsPart(accepted))
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: evidence pack of %d controls (%d occurrences sampled, %d findings) written to %s: %d files and MANIFEST.sha256; seed %d; %d answered audit requests\n",
				rep.EngagementID, len(rep.Controls), rep.Sampled, len(rep.Findings), out, len(files), rep.Seed, len(audit.rows))
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory to write the pack into (must be empty or not exist)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "as of the end of this day (YYYY-MM-DD, client's time zone); default now")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "seed of the sample draw; default derived from the engagement and day")
	cmd.AddCommand(newEvidencePackVerifyCmd())
	return cmd
}

// manifestName is the manifest's file name in the pack.
const manifestName = "MANIFEST.sha256"

// packControl is DIR/<control>/control.json.
type packControl struct {
	EngagementID string          `json:"engagement_id"`
	Window       compliance.Span `json:"window"`
	AsOf         time.Time       `json:"as_of"`
	ReviewSeed   uint64          `json:"review_seed"`
	readiness.ControlResult
}

// packRow is one row of the index: a control and one sampled occurrence.
type packRow struct {
	ControlID      string               `json:"control_id"`
	Title          string               `json:"title"`
	Owner          string               `json:"owner"`
	Frequency      compliance.Frequency `json:"frequency"`
	Population     int                  `json:"population"`
	SampleSize     int                  `json:"sample_size"`
	OccurrenceKey  string               `json:"occurrence_key"`
	PeriodStart    compliance.Date      `json:"period_start"`
	PeriodEnd      compliance.Date      `json:"period_end"`
	Due            time.Time            `json:"due"`
	GraceEnd       time.Time            `json:"grace_end"`
	Status         drift.Status         `json:"status"`
	EvidenceID     int64                `json:"evidence_id,omitempty"`
	EvidenceSHA256 string               `json:"evidence_sha256,omitempty"`
	SubmittedAt    *time.Time           `json:"submitted_at,omitempty"`
	SubmittedBy    string               `json:"submitted_by,omitempty"`
	Channel        string               `json:"channel,omitempty"`
	Passed         bool                 `json:"passed"`
	Failed         []readiness.Test     `json:"failed"`
	File           string               `json:"file"`
}

var packCSVHeader = []string{"control_id", "title", "owner", "frequency", "population", "sample_size", "occurrence_key",
	"period_start", "period_end", "due", "grace_end", "status", "evidence_id", "evidence_sha256", "submitted_at",
	"submitted_by", "channel", "passed", "failed", "file"}

func (r packRow) csv() []string {
	ev, at := "", ""
	if r.EvidenceID != 0 {
		ev = strconv.FormatInt(r.EvidenceID, 10)
	}
	if r.SubmittedAt != nil {
		at = r.SubmittedAt.Format(time.RFC3339)
	}
	failed := make([]string, len(r.Failed))
	for i, t := range r.Failed {
		failed[i] = string(t)
	}
	return []string{r.ControlID, r.Title, r.Owner, string(r.Frequency), strconv.Itoa(r.Population), strconv.Itoa(r.SampleSize),
		r.OccurrenceKey, r.PeriodStart.String(), r.PeriodEnd.String(), r.Due.Format(time.RFC3339), r.GraceEnd.Format(time.RFC3339),
		string(r.Status), ev, r.EvidenceSHA256, at, r.SubmittedBy, r.Channel, strconv.FormatBool(r.Passed), strings.Join(failed, ";"), r.File}
}

// ensureEmptyDir accepts a directory that does not exist or is empty.
func ensureEmptyDir(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("--out %s: %w", dir, err)
	case len(entries) > 0:
		return fmt.Errorf("--out %s is not empty; refusing to write an evidence pack over other files", dir)
	}
	return nil
}

// packPart adds files (path relative to the pack → contents) to a pack
// beyond the review's, before the manifest is written over them all.
type packPart func(files map[string][]byte) error

// writeEvidencePack writes the pack of a review, and any further parts,
// into dir (which must be empty or not exist) and returns the files
// written, relative to dir and sorted, not counting the manifest, which
// lists them.
func writeEvidencePack(dir string, rep readiness.Report, parts ...packPart) ([]string, error) {
	if err := ensureEmptyDir(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	files := map[string][]byte{}
	rows := []packRow{}
	for _, c := range rep.Controls {
		if c.ID == "" || c.ID == "." || c.ID == ".." || strings.ContainsAny(c.ID, `/\`) {
			return nil, fmt.Errorf("evidence pack: control ID %q cannot name a folder", c.ID)
		}
		file := c.ID + "/control.json"
		body, err := json.MarshalIndent(packControl{EngagementID: rep.EngagementID, Window: rep.Window, AsOf: rep.AsOf, ReviewSeed: rep.Seed, ControlResult: c}, "", "  ")
		if err != nil {
			return nil, err
		}
		files[file] = append(body, '\n')
		for _, s := range c.Sample {
			r := packRow{ControlID: c.ID, Title: c.Title, Owner: c.Owner, Frequency: c.Frequency, Population: len(c.Population),
				SampleSize: c.SampleSize, OccurrenceKey: s.OccurrenceKey, PeriodStart: s.Period.Start, PeriodEnd: s.Period.End,
				Due: s.Due, GraceEnd: s.GraceEnd, Status: s.Status, Passed: s.Passed(), Failed: s.Failed, File: file}
			if r.Failed == nil {
				r.Failed = []readiness.Test{}
			}
			if e := s.Evidence; e != nil {
				at := e.SubmittedAt
				r.EvidenceID, r.EvidenceSHA256, r.SubmittedAt, r.SubmittedBy, r.Channel = e.ID, e.ValueSHA256, &at, e.SubmittedBy, e.Channel
			}
			rows = append(rows, r)
		}
	}
	idx, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return nil, err
	}
	files["index.json"] = append(idx, '\n')
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write(packCSVHeader)
	for _, r := range rows {
		_ = cw.Write(r.csv())
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, err
	}
	files["index.csv"] = buf.Bytes()
	for _, part := range parts {
		if err := part(files); err != nil {
			return nil, fmt.Errorf("evidence pack: %w", err)
		}
	}

	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var manifest strings.Builder
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return nil, err
		}
		sum := sha256.Sum256(files[name])
		fmt.Fprintf(&manifest, "%s  %s\n", hex.EncodeToString(sum[:]), name)
	}
	if err := os.WriteFile(filepath.Join(dir, manifestName), []byte(manifest.String()), 0o644); err != nil {
		return nil, err
	}
	return names, nil
}
