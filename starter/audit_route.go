package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
)

// auditChoices: the owner gives a link to what the auditor asked for, or
// says why it cannot be given (which the lead then takes up with the
// auditor).
var auditChoices = []postgres.PromptChoice{
	{Value: auditreq.ChoiceProvided, Label: "Provided (link to it)", LinkRequired: true},
	{Value: auditreq.ChoiceCannotProvide, Label: "Cannot provide (say why)", NoteRequired: true},
}

// auditRouter turns checked audit requests into prompts: each request is
// recorded first, then asked of its owner. The prompt's workflow ID derives
// from the request ID and is never reused, so routing the same request
// again (a re-import, a retried command) asks nobody twice.
type auditRouter struct {
	store     *postgres.Store
	tc        client.Client
	taskQueue string
	spec      *compliance.Spec
	cal       *compliance.Calendar
	// by is who entered the requests (--as; empty: the auditor's list as
	// given), from is where they came from (the file's name, or cli).
	by, from string
}

// routed is what became of one request.
type routed struct {
	Request postgres.AuditRequest
	// Routed is false when the request had been routed before.
	Routed bool
	// Changed names what the list now says differently from what was
	// first routed; the first routing stands.
	Changed []string
}

func (r *auditRouter) route(ctx context.Context, req auditreq.Request) (routed, error) {
	row := postgres.AuditRequest{
		EngagementID: r.spec.ID, RequestID: req.RequestID, ControlID: req.ControlID, Description: req.Description,
		Owner: req.Owner.Email, DueAt: req.Due, RequestedBy: r.by, ImportedFrom: r.from,
		PromptID: workflows.PromptWorkflowID(r.spec.ID, auditreq.PromptKey(req.RequestID)),
	}
	stored, created, err := r.store.AddAuditRequest(ctx, row)
	if err != nil {
		return routed{}, fmt.Errorf("record audit request %s: %w", req.RequestID, err)
	}
	out := routed{Request: stored}
	if !created {
		out.Changed = changedFields(stored, row)
	}
	// Route it even when the row existed: a run that stopped between the
	// two still routes the request now. The engagement starts the prompt
	// (it owns fieldwork's questions) and never starts one twice; the
	// prompt asks what was stored, not what this list says.
	h, err := r.tc.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID: workflows.EngagementWorkflowID(r.spec.ID), UpdateName: workflows.UpdateRouteAuditRequest,
		// A fresh update ID per routing: the same ID would hand back the
		// first routing's answer ("routed") instead of "already routed".
		UpdateID: fmt.Sprintf("route/%s/%d", stored.PromptID, time.Now().UnixNano()), WaitForStage: client.WorkflowUpdateStageCompleted,
		Args: []any{workflows.RouteAuditRequest{Prompt: r.promptInput(stored), Actor: identity.CLIActor(r.by)}},
	})
	var nf *serviceerror.NotFound
	if errors.As(err, &nf) {
		return out, fmt.Errorf("route audit request %s: engagement %s is not running (see starter status): %w", stored.RequestID, r.spec.ID, err)
	}
	if err != nil {
		return out, fmt.Errorf("route audit request %s to %s: %w", stored.RequestID, stored.Owner, err)
	}
	var res workflows.RouteAuditResult
	if err := h.Get(ctx, &res); err != nil {
		return out, fmt.Errorf("route audit request %s to %s: %w", stored.RequestID, stored.Owner, err)
	}
	out.Routed = res.Routed
	return out, nil
}

// promptInput asks the request's owner for it, chased on the auditor's due
// date (owner before, lead at, sponsor after) rather than on offsets from
// the day it was imported.
func (r *auditRouter) promptInput(req postgres.AuditRequest) workflows.PromptInput {
	to := compliance.Person{Email: req.Owner}
	if p := r.spec.Person(req.Owner); p != nil {
		to = *p
	}
	leads := r.spec.PeopleWithRole(compliance.RoleLead)
	var delegates []string
	for _, p := range slices.Concat(leads, r.spec.PeopleWithRole(compliance.RoleLeadDelegate)) {
		delegates = append(delegates, p.Email)
	}
	subject := "Audit request " + req.RequestID
	control := ""
	if c := catalog.Default().Control(req.ControlID); c != nil {
		subject += " (" + c.ID + ")"
		control = fmt.Sprintf(" It concerns control %s %s.", c.ID, c.Title)
	}
	return workflows.PromptInput{
		EngagementID: r.spec.ID, Key: auditreq.PromptKey(req.RequestID), Kind: auditreq.PromptKind, Subject: subject,
		Question: fmt.Sprintf("The auditor asks (%s): %s — due %s.%s", req.RequestID, req.Description,
			req.DueAt.In(r.cal.Location).Format("Mon 2 Jan 2006 15:04 MST"), control),
		Why: "During fieldwork the auditor works through this list; a late answer holds up the report, and one that " +
			"cannot be given is taken up with the auditor by the lead. Give a link to what you provide, or say why it cannot be provided.",
		Choices: auditChoices, To: to, Delegates: delegates, Leads: leads,
		Sponsors: r.spec.PeopleWithRole(compliance.RoleSponsor), Policy: r.spec.Reminders,
		SlackChannel: r.spec.Integrations.SlackChannel, Due: req.DueAt, Until: r.expiry(req.DueAt),
	}
}

// expiry is when an unanswered request stops being chased: the policy's
// expiry in business days, counted from the due date rather than from the
// day it was asked, so a request due near a quarter's end (when the sponsor
// rung falls on the due date itself) is not closed the moment it is due.
func (r *auditRouter) expiry(due time.Time) time.Time {
	days := r.spec.Reminders.ExpireAfter
	if days <= 0 {
		days = compliance.DefaultExpireAfter
	}
	local := due.In(r.cal.Location)
	return r.cal.At(r.cal.AddBusinessDays(compliance.DateOf(local), days), local.Hour())
}

// changedFields lists what a re-imported request says differently.
func changedFields(stored, now postgres.AuditRequest) []string {
	var out []string
	if stored.ControlID != now.ControlID {
		out = append(out, auditreq.ColControlID)
	}
	if stored.Description != now.Description {
		out = append(out, auditreq.ColDescription)
	}
	if !strings.EqualFold(stored.Owner, now.Owner) {
		out = append(out, auditreq.ColOwner)
	}
	if !stored.DueAt.Equal(now.DueAt) {
		out = append(out, auditreq.ColDue)
	}
	return out
}
