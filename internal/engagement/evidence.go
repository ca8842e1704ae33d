package engagement

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// AddEvidenceRequest gives evidence for one occurrence outside a prompt:
// a link, or (without one) an attestation note. Corrects names an earlier
// evidence row this one corrects; nothing is ever overwritten.
type AddEvidenceRequest struct {
	EngagementID  string
	OccurrenceKey string
	Link          string
	Note          string
	Corrects      int64
	// PerformedAt is when the control was performed (zero: now). Covers
	// is the period a review covers (zero: not a review).
	PerformedAt time.Time
	// PerformedOn is a day of performance in the client's zone (its first
	// instant), used when PerformedAt is zero.
	PerformedOn compliance.Date
	Covers      compliance.Span
	// File is evidence that is a file: its bytes go to the blob store and
	// the update carries their hash (see AddEvidenceFile).
	File  *FileUpload
	Actor compliance.Actor
	// Sign, when set, attests Actor's person for the update sent (the
	// web's identity.WebActor); without it Actor is sent as it is.
	Sign Signer
}

// AddEvidenceResult is the recorded row, judged against its due date.
type AddEvidenceResult struct {
	ID   int64
	Kind string
	// Due is the occurrence's due time, in the client's zone.
	Due time.Time
	// Status is how the evidence counts: on time, late, raised
	// retrospectively, or performed outside its period.
	Status drift.Status
	// Artifact is the stored file, for a file.
	Artifact *compliance.Artifact
}

// AddEvidence records evidence through the engagement's add-evidence
// update. Only the control's owner, the lead or a lead delegate may.
func (s *Service) AddEvidence(ctx context.Context, req AddEvidenceRequest) (AddEvidenceResult, error) {
	var res AddEvidenceResult
	value, kind := strings.TrimSpace(req.Link), workflows.EvidenceLink
	if value == "" {
		value, kind = strings.TrimSpace(req.Note), workflows.EvidenceAttestation
	} else if u, err := url.Parse(value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return res, fmt.Errorf("--link %q is not an http(s) link", req.Link)
	}
	if req.File != nil {
		value, kind = req.File.Name, workflows.EvidenceFile
	}
	if value == "" {
		return res, errors.New("give the evidence: --file PATH, --link URL or --note TEXT")
	}
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	controlID, _, err := cadence.ParseKey(req.OccurrenceKey)
	if err != nil {
		return res, fmt.Errorf("occurrence %q: %w (a key is CONTROL/PERIOD by the control's cadence: ACC-02/2027-03 monthly, ACC-04/2027-Q1 quarterly, OPS-02/2027-W09 weekly or daily, GOV-01/2027-03-01 annual; `starter drift %s` and `starter readiness %s` name the keys due so far)", req.OccurrenceKey, err, req.EngagementID, req.EngagementID)
	}
	spec, plan, err := s.spec(ctx, req.EngagementID)
	if err != nil {
		return res, err
	}
	occ, err := activities.FindOccurrence(spec, plan, controlID, req.OccurrenceKey)
	if err != nil {
		return res, err
	}
	if err := spec.CheckGiveEvidence(req.Actor.Person, controlID, controlOwner(spec, controlID)); err != nil {
		return res, err
	}
	if req.PerformedAt.IsZero() && !req.PerformedOn.IsZero() {
		req.PerformedAt = req.PerformedOn.In(occ.Calendar.Location)
	}
	given := drift.Given{At: s.now(), PerformedAt: req.PerformedAt, Covers: req.Covers, Corrects: req.Corrects}
	if req.Corrects != 0 {
		st, err := s.store()
		if err != nil {
			return res, err
		}
		prev, err := st.EvidenceRow(ctx, req.EngagementID, req.Corrects)
		if errors.Is(err, postgres.ErrNotFound) {
			return res, fmt.Errorf("%s has no evidence %d to correct: --corrects takes the ID printed when that evidence was recorded", req.EngagementID, req.Corrects)
		}
		if err != nil {
			return res, err
		}
		given.CorrectsKey = prev.OccurrenceKey
	}
	if err := drift.CheckGiven(occ.Occurrence, given); err != nil {
		return res, err
	}
	var artifact *compliance.Artifact
	if req.File != nil {
		a, err := s.storeFile(ctx, req.File)
		if err != nil {
			return res, err
		}
		artifact = &a
		value = a.Filename
	}
	hashed := value
	if artifact != nil {
		hashed = artifact.SHA256
	}
	updateID := fmt.Sprintf("evidence/%s/%s/%s/%s/%d", req.EngagementID, req.OccurrenceKey, strings.ToLower(req.Actor.Person),
		postgres.HashValue(hashed)[:16], req.Corrects)
	if !req.PerformedAt.IsZero() {
		updateID += "/" + req.PerformedAt.UTC().Format("20060102T150405")
	}
	var got workflows.AddEvidenceResult
	wreq := workflows.AddEvidenceRequest{Actor: req.Actor, OccurrenceKey: req.OccurrenceKey, Kind: kind, Value: value, Corrects: req.Corrects,
		PerformedAt: req.PerformedAt, Covers: req.Covers, Artifact: artifact}
	if req.Sign != nil {
		wreq.Actor = req.Sign(engagementWorkflow(req.EngagementID), updateID)
	}
	if err := s.update(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.UpdateAddEvidence, updateID, wreq, &got); err != nil {
		return res, fmt.Errorf("evidence for %s: %w", req.OccurrenceKey, err)
	}
	j := drift.Judge(occ.Occurrence, &drift.Submission{OccurrenceKey: req.OccurrenceKey, At: got.RecordedAt, PerformedAt: req.PerformedAt,
		By: req.Actor.Person}, got.RecordedAt, occ.Window)
	return AddEvidenceResult{ID: got.ID, Kind: kind, Due: occ.Occurrence.Due.In(occ.Calendar.Location), Status: j.Status, Artifact: artifact}, nil
}

// controlOwner is the email of the person owning controlID (its own owner
// in the spec's tailoring, else its area's).
func controlOwner(spec *compliance.Spec, controlID string) string {
	if p, ok := catalog.Default().ControlOwner(spec, controlID); ok {
		return p.Email
	}
	return ""
}
