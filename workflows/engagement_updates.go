package workflows

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/auditreq"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
)

// What people give or decide outside a prompt arrives at the engagement as
// an Update: evidence for an occurrence, an event of a population, the
// lead's decision on a gap, one of the auditor's requests. Each validator
// checks the engagement's rules (compliance's Check* refusals, the same
// words the service gives early) against the caller's Actor before
// anything reaches history, so a plain Temporal client is refused exactly
// as the CLI is; the handler only records, through an activity, with the
// workflow's clock and the update's ID as the idempotency key.

// AddEvidenceRequest gives evidence for one occurrence of a control.
type AddEvidenceRequest struct {
	Actor compliance.Actor
	// OccurrenceKey names the occurrence (ACC-08/2027-03).
	OccurrenceKey string
	// Kind is EvidenceLink or EvidenceAttestation; Value the link or text.
	Kind  string
	Value string
	// Corrects is an earlier evidence row this one corrects (0: none).
	Corrects int64 `json:",omitempty"`
	// PerformedAt is when the control was performed (zero: when recorded);
	// Covers the period a review covers (zero: not a review).
	PerformedAt time.Time       `json:",omitzero"`
	Covers      compliance.Span `json:",omitzero"`
	// Artifact is the stored file, when Kind is EvidenceFile: the service
	// put its bytes in the blob store; the update carries only the hash.
	Artifact *compliance.Artifact `json:",omitempty"`
}

// Kinds of evidence given outside a prompt.
const (
	EvidenceLink        = "link"
	EvidenceAttestation = "attestation"
	EvidenceFile        = "file"
)

// AddEvidenceResult is the recorded row and when it was recorded.
type AddEvidenceResult struct {
	ID          int64
	RecordedAt  time.Time
	Due         time.Time
	PeriodStart time.Time
	PeriodEnd   time.Time
}

// RecordPopulationEventRequest records one event of a per-event control.
type RecordPopulationEventRequest struct {
	Actor       compliance.Actor
	ControlID   string
	Ref         string
	OccurredAt  time.Time
	Summary     string
	ApprovedBy  string    `json:",omitempty"`
	ApprovedAt  time.Time `json:",omitzero"`
	EvidenceRef string    `json:",omitempty"`
}

// RecordPopulationEventResult says whether the event is new, and what an
// earlier record of it said.
type RecordPopulationEventResult = activities.PopulationEventResult

// DecideGapRequest overrides a gap's rank (Accept false, Rank set) or
// accepts the gap as a known exception.
type DecideGapRequest struct {
	Actor     compliance.Actor
	ControlID string
	Accept    bool
	Rank      int `json:",omitempty"`
	Reason    string
}

// DecideGapResult is when the decision was recorded.
type DecideGapResult struct {
	At time.Time
}

// AddAuditRequestRequest records one of the auditor's requests, already
// checked against the engagement's people (auditreq.Options.Check).
type AddAuditRequestRequest struct {
	Actor        compliance.Actor
	RequestID    string
	ControlID    string `json:",omitempty"`
	Description  string
	Owner        string
	Due          time.Time
	ImportedFrom string
	PromptID     string
}

// AddAuditRequestResult is the request as stored and whether it is new.
type AddAuditRequestResult = activities.AuditRequestResult

// ImportPopulationRequest imports the spec's Jira populations
// (integrations.populations) for events that occurred in [From, To).
type ImportPopulationRequest struct {
	Actor    compliance.Actor
	From, To time.Time
}

// ImportPopulationResult counts what the import found.
type ImportPopulationResult = activities.ImportPopulationResult

// ActorOf names who each request says is acting, so a worker interceptor
// that verifies actors (the path's attestation for slack and web) finds it.
func (r AddEvidenceRequest) ActorOf() compliance.Actor           { return r.Actor }
func (r RecordPopulationEventRequest) ActorOf() compliance.Actor { return r.Actor }
func (r DecideGapRequest) ActorOf() compliance.Actor             { return r.Actor }
func (r AddAuditRequestRequest) ActorOf() compliance.Actor       { return r.Actor }
func (r ImportPopulationRequest) ActorOf() compliance.Actor      { return r.Actor }

// registerEngagementUpdates registers the updates above on the engagement.
func registerEngagementUpdates(ctx workflow.Context, st *EngagementState) error {
	handlers := []struct {
		name      string
		handler   any
		validator any
	}{
		{UpdateAddEvidence, st.addEvidence, st.validateEvidence},
		{UpdateRecordPopulationEvent, st.recordPopulationEvent, st.validatePopulationEvent},
		{UpdateDecideGap, st.decideGap, st.validateGapDecision},
		{UpdateAddAuditRequest, st.addAuditRequest, st.validateAuditRequest},
		{UpdateImportPopulation, st.importPopulation, st.validateImportPopulation},
	}
	for _, h := range handlers {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler, workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return fmt.Errorf("register %s update: %w", h.name, err)
		}
	}
	return nil
}

// libraryControl looks a control up in the control library. The library is
// loaded once from embedded files and never changes while the worker runs,
// so reading it is deterministic (workflowcheck cannot see that through
// the loader's one-time decode).
func libraryControl(id string) *catalog.Control {
	return library().Control(id)
}

// library is the control library, loaded once from embedded files and
// never changed while the worker runs. Its one-time load behind a
// sync.Once is what workflowcheck cannot see through; what is read from it
// here (FindOccurrence, Control) ranges over no map, so it is deterministic.
func library() *catalog.Library {
	return catalog.Default() //workflowcheck:ignore
}

// checkGiven refuses evidence the occurrence cannot have (drift.CheckGiven:
// a period that has not begun, a control performed after today, a review
// covering no part of the period), with the workflow's clock as "today".
// A correction's occurrence is checked by the activity: the corrected
// row's key is in Postgres, which a validator cannot read.
func (st *EngagementState) checkGiven(ctx workflow.Context, controlID string, req AddEvidenceRequest) error {
	if st.Plan == nil {
		// Not scoped yet: there is no window to look the occurrence up in;
		// the activity refuses it with the stored spec's words.
		return nil
	}
	occ, err := library().FindOccurrence(&st.Spec, *st.Plan, controlID, req.OccurrenceKey)
	if err != nil {
		return err
	}
	return drift.CheckGiven(occ.Occurrence, drift.Given{At: workflow.Now(ctx), PerformedAt: req.PerformedAt, Covers: req.Covers})
}

// controlOwner is the email of the person who owns controlID: its
// per-control owner in the spec's tailoring, else the owner of its area.
func (st *EngagementState) controlOwner(controlID string) string {
	if c := st.Spec.CustomControl(controlID); c != nil {
		return st.Spec.OwnerOfControl(c.ID, c.Domain).Email
	}
	if c := libraryControl(controlID); c != nil {
		return st.Spec.OwnerOfControl(c.ID, c.Domain).Email
	}
	return ""
}

func (st *EngagementState) validateEvidence(ctx workflow.Context, req AddEvidenceRequest) error {
	if _, err := actingPerson(ctx, req.Actor); err != nil {
		return err
	}
	controlID, _, err := cadence.ParseKey(req.OccurrenceKey)
	if err != nil {
		return err
	}
	if libraryControl(controlID) == nil {
		return fmt.Errorf("%s is not a control in the library", controlID)
	}
	if err := st.Spec.CheckGiveEvidence(req.Actor.Person, controlID, st.controlOwner(controlID)); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(req.Value) == "":
		return errors.New("give the evidence: a link or a note")
	case req.Kind == EvidenceLink && compliance.CheckLink(req.Value) != nil:
		return compliance.CheckLink(req.Value)
	case req.Kind == EvidenceFile && (req.Artifact == nil || req.Artifact.Check() != nil):
		return errors.New("a file's evidence carries the stored artifact's SHA-256, size and name")
	case req.Kind != EvidenceLink && req.Kind != EvidenceAttestation && req.Kind != EvidenceFile:
		return fmt.Errorf("evidence is a %s, an %s or a %s, not %q", EvidenceLink, EvidenceAttestation, EvidenceFile, req.Kind)
	case req.Corrects < 0:
		return errors.New("corrects names an evidence ID")
	}
	return st.checkGiven(ctx, controlID, req)
}

func (st *EngagementState) addEvidence(ctx workflow.Context, req AddEvidenceRequest) (AddEvidenceResult, error) {
	controlID, _, _ := cadence.ParseKey(req.OccurrenceKey)
	at := workflow.Now(ctx)
	var res activities.AddGivenEvidenceResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, askedOptions), a.AddGivenEvidence, activities.AddGivenEvidenceInput{
		EngagementID: st.EngagementID, OccurrenceKey: req.OccurrenceKey, Kind: req.Kind, Value: strings.TrimSpace(req.Value),
		Corrects: req.Corrects, By: strings.ToLower(req.Actor.Person), Channel: req.Actor.Channel,
		SubmissionKey: workflow.GetCurrentUpdateInfo(ctx).ID, At: at,
		PerformedAt: req.PerformedAt, Covers: req.Covers, Artifact: req.Artifact,
	}).Get(ctx, &res)
	if err != nil {
		return AddEvidenceResult{}, fmt.Errorf("evidence for %s of %s: %w", req.OccurrenceKey, controlID, err)
	}
	return AddEvidenceResult{ID: res.ID, RecordedAt: at, Due: res.Due, PeriodStart: res.PeriodStart, PeriodEnd: res.PeriodEnd}, nil
}

// maxEventRef bounds an event reference: a key, a pull request URL.
const maxEventRef = 300

func (st *EngagementState) validatePopulationEvent(ctx workflow.Context, req RecordPopulationEventRequest) error {
	if _, err := actingPerson(ctx, req.Actor); err != nil {
		return err
	}
	// Whether it applies to this scope the service says early; here the
	// library decides what kind of control it is.
	switch c := libraryControl(req.ControlID); {
	case c == nil:
		return fmt.Errorf("%s is not a control in the library", req.ControlID)
	case !catalog.TakesPopulation(c.Frequency):
		return fmt.Errorf("%s %s is a %s control: it has no population of events", c.ID, c.Title, c.Frequency)
	}
	if err := st.Spec.CheckGiveEvidence(req.Actor.Person, req.ControlID, st.controlOwner(req.ControlID)); err != nil {
		return err
	}
	now := workflow.Now(ctx)
	switch ref := req.Ref; {
	case strings.TrimSpace(ref) == "":
		return errors.New("an event needs its reference (pull request URL, change number)")
	case len(ref) > maxEventRef:
		return fmt.Errorf("the reference is %d characters; at most %d", len(ref), maxEventRef)
	case strings.ContainsFunc(ref, unicode.IsControl):
		return errors.New("the reference contains control characters")
	case strings.TrimSpace(req.Summary) == "":
		return errors.New("an event needs a summary: what it was, in a line")
	case (req.ApprovedBy == "") != req.ApprovedAt.IsZero():
		return errors.New("an approval is who and when: give both or neither")
	case req.OccurredAt.IsZero():
		return errors.New("an event needs the time it occurred")
	case req.OccurredAt.After(now), req.ApprovedAt.After(now):
		return errors.New("record events that have happened: a time is in the future")
	}
	return nil
}

func (st *EngagementState) recordPopulationEvent(ctx workflow.Context, req RecordPopulationEventRequest) (RecordPopulationEventResult, error) {
	var res RecordPopulationEventResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, askedOptions), a.RecordPopulationEvent, activities.PopulationEventInput{
		EngagementID: st.EngagementID, ControlID: req.ControlID, Ref: strings.TrimSpace(req.Ref), OccurredAt: req.OccurredAt,
		Summary: strings.TrimSpace(req.Summary), ApprovedBy: req.ApprovedBy, ApprovedAt: req.ApprovedAt,
		EvidenceRef: req.EvidenceRef, By: req.Actor.Person,
	}).Get(ctx, &res)
	if err != nil {
		return res, fmt.Errorf("record %s for %s: %w", req.Ref, req.ControlID, err)
	}
	return res, nil
}

func (st *EngagementState) validateGapDecision(ctx workflow.Context, req DecideGapRequest) error {
	if _, err := actingPerson(ctx, req.Actor); err != nil {
		return err
	}
	if err := st.Spec.CheckDecideGaps(req.Actor.Person); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(req.ControlID) == "":
		return errors.New("name the gap's control")
	case strings.TrimSpace(req.Reason) == "":
		return errors.New("a reason is required: say why, for the record")
	case !req.Accept:
		return compliance.CheckGapRank(req.Rank, st.GapsFound)
	}
	return nil
}

func (st *EngagementState) decideGap(ctx workflow.Context, req DecideGapRequest) (DecideGapResult, error) {
	at := workflow.Now(ctx)
	rank := req.Rank
	if req.Accept {
		rank = 0
	}
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, askedOptions), a.RecordGapDecision, activities.GapDecisionInput{
		EngagementID: st.EngagementID, ControlID: req.ControlID, OverrideRank: rank, Accept: req.Accept,
		Reason: strings.TrimSpace(req.Reason), By: req.Actor.Person, UpdateID: workflow.GetCurrentUpdateInfo(ctx).ID, At: at,
	}).Get(ctx, nil)
	if err != nil {
		return DecideGapResult{}, fmt.Errorf("decide gap %s: %w", req.ControlID, err)
	}
	return DecideGapResult{At: at}, nil
}

// auditRequestsOpen reports whether the engagement takes the auditor's
// requests: once its window is operating (lists often arrive before
// fieldwork).
func (st *EngagementState) auditRequestsOpen() bool {
	switch st.Phase {
	case compliance.PhaseOperating, PhaseOperated, compliance.PhaseReadiness, PhaseReviewed, compliance.PhaseFieldwork, PhaseProgramme:
		return true
	}
	return false
}

func (st *EngagementState) validateAuditRequest(ctx workflow.Context, req AddAuditRequestRequest) error {
	if _, err := actingPerson(ctx, req.Actor); err != nil {
		return err
	}
	if err := st.checkAddAuditRequest(ctx, req.Actor.Person); err != nil {
		return err
	}
	if !st.auditRequestsOpen() {
		return fmt.Errorf("%s is in %s: the auditor's requests are routed once the window is operating", st.EngagementID, st.Phase)
	}
	switch {
	case strings.TrimSpace(req.RequestID) == "" || strings.TrimSpace(req.Description) == "":
		return errors.New("a request needs its ID and description")
	case req.Due.IsZero():
		return errors.New("a request needs the auditor's due date")
	case auditreq.CheckDue(req.RequestID, req.Due, workflow.Now(ctx)) != nil:
		return auditreq.CheckDue(req.RequestID, req.Due, workflow.Now(ctx))
	case st.Spec.Person(req.Owner) == nil:
		return fmt.Errorf("owner %s is not one of the engagement's people", req.Owner)
	case !strings.HasPrefix(req.PromptID, PromptWorkflowID(st.EngagementID, "audit/")):
		return fmt.Errorf("prompt %s is not one of %s's audit prompts", req.PromptID, st.EngagementID)
	}
	return nil
}

func (st *EngagementState) addAuditRequest(ctx workflow.Context, req AddAuditRequestRequest) (AddAuditRequestResult, error) {
	var res AddAuditRequestResult
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, askedOptions), a.RecordAuditRequest, activities.AuditRequestInput{
		EngagementID: st.EngagementID, RequestID: req.RequestID, ControlID: req.ControlID, Description: req.Description,
		Owner: req.Owner, Due: req.Due, RequestedBy: req.Actor.Person, ImportedFrom: req.ImportedFrom, PromptID: req.PromptID,
		At: workflow.Now(ctx),
	}).Get(ctx, &res)
	if err != nil {
		return res, fmt.Errorf("record audit request %s: %w", req.RequestID, err)
	}
	return res, nil
}

func (st *EngagementState) validateImportPopulation(ctx workflow.Context, req ImportPopulationRequest) error {
	if _, err := actingPerson(ctx, req.Actor); err != nil {
		return err
	}
	if err := st.Spec.CheckImportPopulations(req.Actor.Person); err != nil {
		return err
	}
	if !req.From.Before(req.To) {
		return errors.New("the period to import is empty: it must end after it starts")
	}
	return nil
}

func (st *EngagementState) importPopulation(ctx workflow.Context, req ImportPopulationRequest) (ImportPopulationResult, error) {
	var res ImportPopulationResult
	// Jira is slow or down now and then: the person waiting hears so after
	// a few tries rather than waiting out a long outage (the scheduler's
	// own import each batch catches up later).
	err := workflow.ExecuteActivity(workflow.WithActivityOptions(ctx, askedOptions), a.ImportPopulation, activities.ImportPopulationInput{
		EngagementID: st.EngagementID, Spec: st.Spec, From: req.From, To: req.To,
	}).Get(ctx, &res)
	if err != nil {
		return res, fmt.Errorf("import populations of %s: %w", st.EngagementID, err)
	}
	return res, nil
}

// askedOptions are for the activities these updates run while a person
// waits for the answer: a few tries over about a minute, then the error
// goes back to them (a retry is theirs to make), instead of recordOptions'
// retrying forever.
var askedOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 30 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:        time.Second,
		BackoffCoefficient:     2,
		MaximumInterval:        15 * time.Second,
		MaximumAttempts:        5,
		NonRetryableErrorTypes: []string{activities.ErrTypeBadInput, activities.ErrTypeConflict},
	},
}
