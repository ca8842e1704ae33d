package evidencepack

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// The review's files in every pack.
const (
	IndexCSV  = "index.csv"
	IndexJSON = "index.json"
)

// Part adds files (slash-separated path relative to the pack → contents)
// to a pack beyond the review's, before the manifest is made over them all.
type Part func(files map[string][]byte) error

// Control is DIR/<control>/control.json.
type Control struct {
	EngagementID string          `json:"engagement_id"`
	Window       compliance.Span `json:"window"`
	AsOf         time.Time       `json:"as_of"`
	ReviewSeed   uint64          `json:"review_seed"`
	readiness.ControlResult
}

// Row is one row of the index: a control and one sampled occurrence.
type Row struct {
	ControlID  string               `json:"control_id"`
	Title      string               `json:"title"`
	Owner      string               `json:"owner"`
	Frequency  compliance.Frequency `json:"frequency"`
	Population int                  `json:"population"`
	SampleSize int                  `json:"sample_size"`
	// PlannedSize is the full-period sample the gap register shows;
	// SampleSize is what could be drawn from the occurrences so far.
	PlannedSize    int              `json:"planned_sample_size"`
	OccurrenceKey  string           `json:"occurrence_key"`
	PeriodStart    compliance.Date  `json:"period_start"`
	PeriodEnd      compliance.Date  `json:"period_end"`
	Due            time.Time        `json:"due"`
	GraceEnd       time.Time        `json:"grace_end"`
	Status         drift.Status     `json:"status"`
	EvidenceID     int64            `json:"evidence_id,omitempty"`
	EvidenceSHA256 string           `json:"evidence_sha256,omitempty"`
	SubmittedAt    *time.Time       `json:"submitted_at,omitempty"`
	SubmittedBy    string           `json:"submitted_by,omitempty"`
	Channel        string           `json:"channel,omitempty"`
	Passed         bool             `json:"passed"`
	Failed         []readiness.Test `json:"failed"`
	File           string           `json:"file"`
	// PerformedAt is when the control was performed, as stated.
	PerformedAt *time.Time `json:"performed_at,omitempty"`
	// EvidenceKind is file, link, attestation or note. A file is in the
	// pack at Artifact (its SHA-256 is EvidenceSHA256 and in the signed
	// manifest); a link's target is not in the pack, only Link is.
	EvidenceKind string `json:"evidence_kind,omitempty"`
	Link         string `json:"link,omitempty"`
	Artifact     string `json:"artifact,omitempty"`
}

// CSVHeader is index.csv's header row.
var CSVHeader = []string{"control_id", "title", "owner", "frequency", "population", "sample_size", "planned_sample_size", "occurrence_key",
	"period_start", "period_end", "due", "grace_end", "status", "evidence_id", "evidence_sha256", "submitted_at",
	"submitted_by", "channel", "passed", "failed", "file", "performed_at", "evidence_kind", "link", "artifact"}

// CSV is the row as index.csv holds it (before neutralising).
func (r Row) CSV() []string {
	ev, at := "", ""
	if r.EvidenceID != 0 {
		ev = strconv.FormatInt(r.EvidenceID, 10)
	}
	if r.SubmittedAt != nil {
		at = r.SubmittedAt.Format(time.RFC3339)
	}
	performed := ""
	if r.PerformedAt != nil {
		performed = r.PerformedAt.Format(time.RFC3339)
	}
	failed := make([]string, len(r.Failed))
	for i, t := range r.Failed {
		failed[i] = string(t)
	}
	return []string{r.ControlID, r.Title, r.Owner, string(r.Frequency), strconv.Itoa(r.Population), strconv.Itoa(r.SampleSize),
		strconv.Itoa(r.PlannedSize), r.OccurrenceKey, r.PeriodStart.String(), r.PeriodEnd.String(), r.Due.Format(time.RFC3339), r.GraceEnd.Format(time.RFC3339),
		string(r.Status), ev, r.EvidenceSHA256, at, r.SubmittedBy, r.Channel, strconv.FormatBool(r.Passed), strings.Join(failed, ";"), r.File,
		performed, r.EvidenceKind, r.Link, r.Artifact}
}

// Build returns the files of the pack of a review and any further parts:
// DIR/<control>/control.json per control, index.csv and index.json, then
// whatever the parts add. It writes nothing.
func Build(rep readiness.Report, parts ...Part) (map[string][]byte, error) {
	files := map[string][]byte{}
	rows := []Row{}
	for _, c := range rep.Controls {
		if c.ID == "" || c.ID == "." || c.ID == ".." || strings.ContainsAny(c.ID, `/\`) {
			return nil, fmt.Errorf("evidence pack: control ID %q cannot name a folder", c.ID)
		}
		file := c.ID + "/control.json"
		body, err := json.MarshalIndent(Control{EngagementID: rep.EngagementID, Window: rep.Window, AsOf: rep.AsOf, ReviewSeed: rep.Seed, ControlResult: c}, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("evidence pack: encode %s: %w", file, err)
		}
		files[file] = append(body, '\n')
		for _, s := range c.Sample {
			r := Row{ControlID: c.ID, Title: c.Title, Owner: c.Owner, Frequency: c.Frequency, Population: len(c.Population),
				SampleSize: c.SampleSize, PlannedSize: c.PlannedSize, OccurrenceKey: s.OccurrenceKey, PeriodStart: s.Period.Start, PeriodEnd: s.Period.End,
				Due: s.Due, GraceEnd: s.GraceEnd, Status: s.Status, Passed: s.Passed(), Failed: s.Failed, File: file}
			if r.Failed == nil {
				r.Failed = []readiness.Test{}
			}
			if e := s.Evidence; e != nil {
				at := e.SubmittedAt
				r.EvidenceID, r.EvidenceSHA256, r.SubmittedAt, r.SubmittedBy, r.Channel = e.ID, e.ValueSHA256, &at, e.SubmittedBy, e.Channel
				r.EvidenceKind, r.Link = e.Kind, e.Link
				if !e.PerformedAt.IsZero() {
					p := e.PerformedAt
					r.PerformedAt = &p
				}
				if e.Artifact != nil {
					r.EvidenceKind, r.Artifact = "file", ArtifactPath(*e.Artifact)
				}
			}
			rows = append(rows, r)
		}
	}
	idx, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("evidence pack: encode %s: %w", IndexJSON, err)
	}
	files[IndexJSON] = append(idx, '\n')
	var buf bytes.Buffer
	cw := csvsafe.NewWriter(&buf)
	_ = cw.Write(CSVHeader)
	for _, r := range rows {
		_ = cw.Write(r.CSV())
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return nil, fmt.Errorf("evidence pack: %s: %w", IndexCSV, err)
	}
	files[IndexCSV] = buf.Bytes()
	for _, part := range parts {
		if err := part(files); err != nil {
			return nil, fmt.Errorf("evidence pack: %w", err)
		}
	}
	return files, nil
}
