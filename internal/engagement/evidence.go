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
	Actor         compliance.Actor
}

// AddEvidenceResult is the recorded row, judged against its due date.
type AddEvidenceResult struct {
	ID   int64
	Kind string
	// Due is the occurrence's due time, in the client's zone.
	Due time.Time
	// Status is how the evidence counts: on time, late, or raised
	// retrospectively.
	Status drift.Status
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
	if value == "" {
		return res, errors.New("give the evidence: --link URL or --note TEXT")
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
	updateID := fmt.Sprintf("evidence/%s/%s/%s/%s/%d", req.EngagementID, req.OccurrenceKey, strings.ToLower(req.Actor.Person),
		postgres.HashValue(value)[:16], req.Corrects)
	var got workflows.AddEvidenceResult
	wreq := workflows.AddEvidenceRequest{Actor: req.Actor, OccurrenceKey: req.OccurrenceKey, Kind: kind, Value: value, Corrects: req.Corrects}
	if err := s.update(ctx, req.EngagementID, engagementWorkflow(req.EngagementID), workflows.UpdateAddEvidence, updateID, wreq, &got); err != nil {
		return res, fmt.Errorf("evidence for %s: %w", req.OccurrenceKey, err)
	}
	status := drift.Classify(occ.Occurrence, &drift.Submission{OccurrenceKey: req.OccurrenceKey, At: got.RecordedAt, By: req.Actor.Person}, got.RecordedAt, occ.Window)
	return AddEvidenceResult{ID: got.ID, Kind: kind, Due: occ.Occurrence.Due.In(occ.Calendar.Location), Status: status}, nil
}

// controlOwner is the email of the person owning controlID's area.
func controlOwner(spec *compliance.Spec, controlID string) string {
	if c := catalog.Default().Control(controlID); c != nil {
		return spec.OwnerOf(c.Domain).Email
	}
	return ""
}
