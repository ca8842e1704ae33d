package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/workflows"
)

// CertifyRequest records a report or certificate.
type CertifyRequest struct {
	EngagementID  string
	Certification postcert.Certification
	Actor         compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// Certify sends the certify update; the engagement then becomes the
// certified programme. Recording the same certification twice records it
// once.
func (s *Service) Certify(ctx context.Context, req CertifyRequest) (workflows.EngagementStatus, error) {
	var st workflows.EngagementStatus
	id, c := req.EngagementID, req.Certification
	updateID := fmt.Sprintf("certify/%s/%s/%s", id, c.Framework, c.Date)
	if req.Sign != nil {
		req.Actor = req.Sign(engagementWorkflow(id), updateID)
	}
	if err := checkActor(req.Actor); err != nil {
		return st, err
	}
	err := s.update(ctx, id, engagementWorkflow(id), workflows.UpdateCertify, updateID, certifyPayload(c, req.Actor), &st)
	if err != nil {
		return st, fmt.Errorf("record certification of %s: %w", id, err)
	}
	return st, nil
}

// AddSystemRequest brings a system into a certified programme's scope.
type AddSystemRequest struct {
	EngagementID string
	System       compliance.System
	Actor        compliance.Actor
}

// AddSystem proposes the system: the programme runs the scope-risk rules
// on it and asks the lead to approve it.
func (s *Service) AddSystem(ctx context.Context, req AddSystemRequest) (workflows.ScopeChange, error) {
	if err := checkActor(req.Actor); err != nil {
		return workflows.ScopeChange{}, err
	}
	body, err := json.Marshal(req.System)
	if err != nil {
		return workflows.ScopeChange{}, fmt.Errorf("encode system: %w", err)
	}
	sum := sha256.Sum256(body)
	return s.changeScope(ctx, req.EngagementID, workflows.UpdateAddSystem, "add-system/"+hex.EncodeToString(sum[:8]),
		addSystemPayload(req.System, req.Actor))
}

// AddFrameworkRequest adds a framework to a certified programme (an empty
// Version is the library's).
type AddFrameworkRequest struct {
	EngagementID string
	Framework    compliance.Framework
	Actor        compliance.Actor
}

// AddFramework runs the control-library delta; only new controls are
// assessed.
func (s *Service) AddFramework(ctx context.Context, req AddFrameworkRequest) (workflows.ScopeChange, error) {
	if err := checkActor(req.Actor); err != nil {
		return workflows.ScopeChange{}, err
	}
	fw := req.Framework
	fw.ID = compliance.FrameworkID(strings.ToLower(string(fw.ID)))
	if fw.Version == "" {
		fw.Version = map[compliance.FrameworkID]string{compliance.SOC2: compliance.SOC2Version,
			compliance.ISO27001: compliance.ISO27001Version, compliance.PCIDSS: compliance.PCIDSSVersion}[fw.ID]
	}
	return s.changeScope(ctx, req.EngagementID, workflows.UpdateAddFramework, "add-framework/"+string(fw.ID),
		addFrameworkPayload(fw, req.Actor))
}

// changeScope sends a scope-change update to the programme.
func (s *Service) changeScope(ctx context.Context, id, update, updateID string, req any) (workflows.ScopeChange, error) {
	var ch workflows.ScopeChange
	err := s.explain(ctx, id, workflows.ProgrammeWorkflowID(id), s.send(ctx, workflows.ProgrammeWorkflowID(id), update, updateID+"/"+id, req, &ch))
	if errors.Is(err, ErrNotNow) || errors.Is(err, ErrNoSuchEngagement) {
		return ch, err
	}
	if err != nil {
		return ch, fmt.Errorf("change the scope of %s: %w", id, err)
	}
	return ch, nil
}

// ProgrammeRequest names a certified programme.
type ProgrammeRequest struct{ EngagementID string }

// Programme is the certified programme's state: cycle, window, milestones,
// scope changes.
func (s *Service) Programme(ctx context.Context, req ProgrammeRequest) (workflows.ProgrammeState, error) {
	var st workflows.ProgrammeState
	if err := s.query(ctx, req.EngagementID, workflows.ProgrammeWorkflowID(req.EngagementID), workflows.QueryProgramme, &st); err != nil {
		return st, fmt.Errorf("programme of %s: %w", req.EngagementID, err)
	}
	return st, nil
}
