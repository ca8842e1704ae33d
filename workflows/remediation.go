package workflows

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
	"github.com/steadfast-grc/steadfast/compliance"
)

// RemediationInput starts remediation of a ranked register's gaps.
type RemediationInput struct {
	EngagementID     string
	Spec             compliance.Spec
	Due              time.Time
	Gaps             []activities.RegisterEntry
	Titles           map[string]string
	ParentWorkflowID string
	Revision         int
	// Round names the change whose round found these gaps, when the
	// engagement's own remediation had ended (RoundRemediationWorkflowID):
	// its gap workflows, prompts and tickets are named by it, and it takes
	// on no other gap. Empty for the engagement's remediation.
	Round string `json:",omitempty"`
	// Test.JiraPollEvery replaces DefaultJiraPoll, how often Jira is
	// polled for tickets whose webhook never came; nil in production.
	Test *TestHooks `json:",omitempty"`
	// State is what the previous run handed on when it continued as new;
	// nil on the first run.
	State *RemediationState `json:",omitempty"`
}

// DefaultJiraPoll bounds how long a lost webhook can delay a completion.
const DefaultJiraPoll = time.Hour

// versionJiraPoll gates the polling fallback.
const versionJiraPoll = "jira-poll"

// RemediationResult counts how the gaps closed. Failed gaps are the ones
// whose workflow failed (or was terminated): they are still open, were
// recorded as failed and escalated to the lead, and are named here.
type RemediationResult struct {
	Verified   int
	Accepted   int
	Failed     int      `json:",omitempty"`
	FailedGaps []string `json:",omitempty"`
	// Withdrawn counts the gaps an approved tailoring change took out of
	// scope while they were open (versionRemediationWithdraw), named in
	// WithdrawnGaps: neither fixed nor accepted.
	Withdrawn     int      `json:",omitempty"`
	WithdrawnGaps []string `json:",omitempty"`
}

// GapRemediationInput is one gap to close.
type GapRemediationInput struct {
	EngagementID string
	Gap          activities.RegisterEntry
	Title        string
	Owner        compliance.Person
	Due          time.Time
	Spec         compliance.Spec
	// Round names the change's round that found the gap (RemediationInput);
	// it keeps the gap's prompts, escalation and ticket apart from an
	// earlier remediation of the same control.
	Round string `json:",omitempty"`
}

// GapRemediationResult says how the gap closed.
type GapRemediationResult struct {
	Outcome  string // verified or accepted
	Evidence string
	By       string
}

// TicketChange is a ticket's new status category, from the Jira webhook or
// the poller. WebhookID de-duplicates repeated deliveries.
type TicketChange struct {
	WebhookID string
	Category  string
}

// CompleteGapRequest closes a gap with its evidence (CLI, web).
type CompleteGapRequest struct {
	Evidence string
	// Actor is who closes it: the owner, the lead or a lead delegate.
	Actor compliance.Actor `json:",omitzero"`
	// By and Channel are what requests carried before actors (replay
	// only).
	By      string `json:",omitempty"`
	Channel string `json:",omitempty"`
}

// AcceptGapRequest is the lead accepting a gap as a known exception, with
// the reason the auditor will read.
type AcceptGapRequest struct {
	Reason string
	// Actor is who accepts: the lead or a lead delegate.
	Actor compliance.Actor `json:",omitzero"`
}

// AcceptGap is an acceptance as the gap's workflow holds it: from the
// accept-gap update, from the register (accepted before remediation
// started), or — only in histories written before the update existed —
// from the unauthenticated accept-gap signal.
type AcceptGap struct {
	By      string
	Reason  string
	Channel string `json:",omitempty"`
}

// versionAcceptGapUpdate retires the accept-gap signal: from version 1 a
// gap is accepted only through the accept-gap update, whose validator checks
// who accepts. The version is taken when a signal arrives, so a history
// that acted on a signal before this change replays as it ran.
const versionAcceptGapUpdate = "accept-gap-update"

// versionDecideAfterOpen: from version 1 an accept-gap or complete-gap
// update that arrives while the gap's OpenRemediation activity still runs
// waits for it before recording its change. Before, the handler's
// ChangeRemediation could run first, update no row, and OpenRemediation
// then insert the item 'open' — the workflow ended believing the gap
// closed while Postgres kept it open (TestGapDecidedWhileItsItemIsOpened;
// the accepted gap TestEngagementEndToEnd once found open). The version is
// taken in the handler, so histories whose updates ran before it replay
// as they ran.
const versionDecideAfterOpen = "gap-decide-after-open"

// GapRemediationState answers the remediation query.
type GapRemediationState struct {
	ControlID string `json:"control_id"`
	Status    string `json:"status"`
	TicketKey string `json:"ticket_key,omitempty"`
	Due       string `json:"due"`
	// TicketDone says the gap knows its ticket is done in Jira (checked
	// with Jira, not taken from a signal) and asks for the evidence.
	TicketDone bool `json:"ticket_done,omitempty"`
	// AcceptedBy is who accepted the gap once it is accepted, through the
	// update or in the register before the gap opened, although its item
	// may not say so yet (it is being recorded).
	AcceptedBy string `json:"accepted_by,omitempty"`
}

// Chasing starts this long before the due date.
const chaseLead = 3 * 24 * time.Hour

// RemediationWorkflow runs one GapRemediation workflow per gap and waits
// until every gap has ended: verified fixed, accepted, or failed (reported
// and escalated). One workflow per gap keeps each gap's history small and
// gives the Jira webhook a durable address per ticket.
//
// Since versionRemediationRuns the loop continues as new on a budget (see
// remediation_run.go); runs that started before it keep the original loop,
// which never continues as new, so their histories still replay.
func RemediationWorkflow(ctx workflow.Context, in RemediationInput) (RemediationResult, error) {
	if workflow.GetVersion(ctx, versionRemediationRuns, workflow.DefaultVersion, 1) >= 1 {
		return newRemediationRun(in).run(ctx)
	}
	return remediationInOneRun(ctx, in)
}

// remediationInOneRun is the loop before versionRemediationRuns: gap
// children that end with the run, and a failed child only logged. Kept
// unchanged for the runs that started with it.
func remediationInOneRun(ctx workflow.Context, in RemediationInput) (RemediationResult, error) {
	var res RemediationResult
	pending := 0
	sel := workflow.NewSelector(ctx)
	for _, g := range in.Gaps {
		g := g
		cctx := workflow.WithChildOptions(ctx, childOfPhase(ctx, in.EngagementID, "Gap "+g.ControlID+" "+in.Titles[g.ControlID]+" ("+in.EngagementID+")", workflow.ChildWorkflowOptions{
			WorkflowID:            GapWorkflowID(in.EngagementID, g.ControlID),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_TERMINATE,
		}))
		child := workflow.ExecuteChildWorkflow(cctx, GapRemediationWorkflowName, GapRemediationInput{
			EngagementID: in.EngagementID, Gap: g, Title: in.Titles[g.ControlID], Owner: ownerByEmail(in.Spec, g.Owner),
			Due: in.Due, Spec: in.Spec,
		})
		pending++
		sel.AddFuture(child, func(f workflow.Future) {
			pending--
			var out GapRemediationResult
			if err := f.Get(ctx, &out); err != nil {
				workflow.GetLogger(ctx).Error("gap remediation failed", "control", g.ControlID, "error", err)
				return
			}
			if out.Outcome == compliance.ItemAccepted {
				res.Accepted++
			} else {
				res.Verified++
			}
		})
	}
	report := func() {
		if in.ParentWorkflowID == "" {
			return
		}
		p := PhaseProgress{Phase: compliance.PhaseRemediation, Revision: in.Revision, Verified: res.Verified, Accepted: res.Accepted,
			WaitingFor: fmt.Sprintf("remediation (%d of %d gaps closed)", len(in.Gaps)-pending, len(in.Gaps)), At: workflow.Now(ctx)}
		workflow.SignalExternalWorkflow(ctx, in.ParentWorkflowID, "", SignalPhaseProgress, p)
	}
	// The polling fallback: one Jira search for every open ticket, so a
	// lost webhook delays a completion by at most DefaultJiraPoll.
	pollDue := false
	every := in.Test.value().JiraPollEvery
	if every <= 0 {
		every = DefaultJiraPoll
	}
	addPoll := func() { sel.AddFuture(workflow.NewTimer(ctx, every), func(workflow.Future) { pollDue = true }) }
	polling := in.Spec.Integrations.JiraProject != "" && workflow.GetVersion(ctx, versionJiraPoll, workflow.DefaultVersion, 1) >= 1
	if polling && pending > 0 {
		addPoll()
	}
	report()
	for pending > 0 {
		sel.Select(ctx)
		if pollDue {
			pollDue = false
			if err := pollTickets(ctx, in.EngagementID); err != nil {
				return res, err
			}
			if pending > 0 {
				addPoll()
			}
			continue
		}
		report()
	}
	return res, nil
}

func pollTickets(ctx workflow.Context, engagementID string) error {
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	var done activities.PollTicketsResult
	if err := workflow.ExecuteActivity(actx, a.PollTickets, activities.PollTicketsInput{EngagementID: engagementID}).Get(ctx, &done); err != nil {
		return fmt.Errorf("poll jira: %w", err)
	}
	for _, id := range done.Done {
		// The gap's workflow ignores a repeat; a failed signal is retried
		// by the next poll.
		workflow.SignalExternalWorkflow(ctx, id, "", SignalTicketChanged, TicketChange{WebhookID: "poll", Category: "done"})
	}
	return nil
}

// roundKey is a gap's key within its remediation: the control, preceded
// by the change's round when one found it, so a control remediated again
// gets new prompts (their IDs, ALLOW_DUPLICATE_FAILED_ONLY, run once) and
// a new escalation. An empty round gives the keys gaps always had.
func roundKey(round, controlID string) string {
	if round == "" {
		return controlID
	}
	return round + "/" + controlID
}

func ownerByEmail(spec compliance.Spec, email string) compliance.Person {
	if p := spec.Person(email); p != nil {
		return *p
	}
	return compliance.Person{Email: email}
}

type gapRun struct {
	in        GapRemediationInput
	id        string
	status    string
	ticket    string
	evidence  string
	closedBy  string
	seen      map[string]bool
	jiraDone  bool
	accepted  *AcceptGap
	recording bool
	// openEnded is set once OpenRemediation has returned, opened once it
	// has inserted the item: a decision is recorded only after that.
	openEnded, opened bool
}

// GapRemediationWorkflow opens one gap's remediation item (and Jira ticket),
// chases the owner as the due date nears, and closes when the owner gives
// the evidence — directly, or after the ticket is done in Jira — or when
// the lead accepts the gap. However it ends, it tells the remediation
// workflow (reportGapEnd), which may have continued as new since starting it.
func GapRemediationWorkflow(ctx workflow.Context, in GapRemediationInput) (GapRemediationResult, error) {
	res, err := remediateGap(ctx, in)
	reportGapEnd(ctx, in, res, err)
	return res, err
}

func remediateGap(ctx workflow.Context, in GapRemediationInput) (GapRemediationResult, error) {
	r := &gapRun{in: in, id: workflow.GetInfo(ctx).WorkflowExecution.ID, status: compliance.ItemOpen, seen: map[string]bool{}}
	if err := r.registerHandlers(ctx); err != nil {
		return GapRemediationResult{}, err
	}
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	var opened activities.OpenRemediationResult
	err := workflow.ExecuteActivity(actx, a.OpenRemediation, activities.OpenRemediationInput{
		EngagementID: in.EngagementID, ItemID: r.id, ControlID: in.Gap.ControlID, Rank: in.Gap.Rank, Title: in.Title,
		Owner: in.Owner.Email, Due: in.Due, JiraProject: in.Spec.Integrations.JiraProject,
		Gap: in.Gap, Round: in.Round,
		At: workflow.Now(ctx),
	}).Get(ctx, &opened)
	r.openEnded, r.opened = true, err == nil
	if err != nil {
		return GapRemediationResult{}, fmt.Errorf("open remediation of %s: %w", in.Gap.ControlID, err)
	}
	r.ticket = opened.TicketKey
	if opened.JiraError != "" {
		// Jira refused the ticket: the gap is tracked in Postgres, and the
		// lead hears Jira's reason so someone can fix the project setup.
		err := workflow.ExecuteActivity(actx, a.Escalate, activities.EscalateInput{
			EngagementID: in.EngagementID, Key: "jira/" + roundKey(in.Round, in.Gap.ControlID), Subject: in.Gap.ControlID + " " + in.Title,
			Reason: "Jira refused the remediation ticket: " + opened.JiraError, Tell: in.Spec.PeopleWithRole(compliance.RoleLead),
			SlackChannel: in.Spec.Integrations.SlackChannel, At: workflow.Now(ctx),
		}).Get(ctx, nil)
		if err != nil {
			return GapRemediationResult{}, fmt.Errorf("escalate jira refusal for %s: %w", in.Gap.ControlID, err)
		}
	}
	if opened.AcceptedBy != "" && r.accepted == nil {
		r.accepted = &AcceptGap{By: opened.AcceptedBy, Reason: opened.AcceptReason}
	}

	closed := func() bool { return r.status == compliance.ItemVerified || r.accepted != nil }
	// Until the chase starts, wait for the fix, the ticket, or the lead.
	if wait := in.Due.Add(-chaseLead).Sub(workflow.Now(ctx)); wait > 0 {
		if _, err := workflow.AwaitWithTimeout(ctx, wait, func() bool { return closed() || r.jiraDone }); err != nil {
			return GapRemediationResult{}, err
		}
	}
	for !closed() {
		// Ask the owner: before the ticket is done, whether the fix is in
		// (the chase, escalating as it goes overdue); once it is done in
		// Jira, for the evidence.
		key, question := "fix/"+roundKey(in.Round, in.Gap.ControlID), fmt.Sprintf("The fix for %s (%s) is due %s. Is it done? Link the evidence the auditor will sample.", in.Gap.ControlID, in.Title, in.Due.Format("2 Jan 2006"))
		if r.jiraDone {
			key, question = "evidence/"+roundKey(in.Round, in.Gap.ControlID), fmt.Sprintf("Ticket %s for %s is done in Jira. Link the evidence that the control now operates.", r.ticket, in.Gap.ControlID)
		}
		ans, err := r.ask(ctx, key, question, func() bool { return closed() || (r.jiraDone && !strings.HasPrefix(key, "evidence/")) })
		if err != nil {
			return GapRemediationResult{}, err
		}
		if ans != nil && !closed() {
			if err := r.close(ctx, compliance.ItemVerified, ans.Link, ans.By, ans.Channel); err != nil {
				return GapRemediationResult{}, err
			}
		}
	}
	// An accept-gap update records its own acceptance; wait for it, and
	// record an acceptance it could not (or one from the register).
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return GapRemediationResult{}, err
	}
	if r.accepted != nil && r.status != compliance.ItemVerified && r.status != compliance.ItemAccepted {
		if err := r.close(ctx, compliance.ItemAccepted, "", r.accepted.By, channelOr(r.accepted.Channel)); err != nil {
			return GapRemediationResult{}, err
		}
	}
	return GapRemediationResult{Outcome: r.status, Evidence: r.evidence, By: r.closedBy}, nil
}

// ask runs one prompt child until it is answered, or withdraws it when
// stop becomes true. It returns nil when withdrawn or expired.
func (r *gapRun) ask(ctx workflow.Context, key, question string, stop func() bool) (*PromptAnswer, error) {
	spec := r.in.Spec
	var delegates []string
	for _, p := range spec.PeopleWithRole(compliance.RoleLeadDelegate) {
		delegates = append(delegates, p.Email)
	}
	cctx, cancel := workflow.WithCancel(ctx)
	defer cancel()
	attempt := 0
	for {
		attempt++
		k := key
		if attempt > 1 {
			k = fmt.Sprintf("%s-%d", key, attempt)
		}
		pctx := workflow.WithChildOptions(cctx, workflow.ChildWorkflowOptions{
			WorkflowID:            PromptWorkflowID(r.in.EngagementID, k),
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY,
			ParentClosePolicy:     enumspb.PARENT_CLOSE_POLICY_REQUEST_CANCEL,
		})
		child := askPrompt(pctx, PromptInput{
			EngagementID: r.in.EngagementID, Key: k, Kind: "remediation",
			Subject: fmt.Sprintf("%s %s", r.in.Gap.ControlID, r.in.Title), Question: question,
			Why:     fmt.Sprintf("Ranked %d of the gaps by audit impact; an auditor samples this control.", r.in.Gap.Rank),
			Choices: []compliance.PromptChoice{{Value: "fixed", Label: "Fixed: here is the evidence"}}, LinkRequired: true,
			To: r.in.Owner, Delegates: delegates, Leads: spec.PeopleWithRole(compliance.RoleLead),
			Sponsors: spec.PeopleWithRole(compliance.RoleSponsor), Policy: spec.Reminders, SlackChannel: spec.Integrations.SlackChannel,
		})
		var res PromptResult
		var childErr error
		done := false
		workflow.Go(ctx, func(g workflow.Context) { childErr = child.Get(g, &res); done = true })
		if err := workflow.Await(ctx, func() bool { return done || stop() }); err != nil {
			return nil, err
		}
		if !done {
			cancel()
			return nil, workflow.Await(ctx, func() bool { return done })
		}
		if childErr != nil {
			return nil, fmt.Errorf("ask %s about %s: %w", r.in.Owner.Email, r.in.Gap.ControlID, childErr)
		}
		if res.Answer != nil {
			return res.Answer, nil
		}
		// Expired: the ladder told the lead and the sponsor; ask again.
	}
}

func (r *gapRun) close(ctx workflow.Context, status, evidence, by, channel string) error {
	actx := workflow.WithActivityOptions(ctx, deliveryOptions)
	err := workflow.ExecuteActivity(actx, a.ChangeRemediation, activities.ChangeRemediationInput{
		TicketKey: r.ticket,
		Change: compliance.ItemChange{EngagementID: r.in.EngagementID, ItemID: r.id, Status: status, Evidence: evidence,
			By: by, Channel: channel, At: workflow.Now(ctx)},
	}).Get(ctx, nil)
	if err != nil {
		return fmt.Errorf("close remediation of %s: %w", r.in.Gap.ControlID, err)
	}
	r.status, r.evidence, r.closedBy = status, evidence, by
	return nil
}

func (r *gapRun) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryRemediation, func() (GapRemediationState, error) {
		st := GapRemediationState{ControlID: r.in.Gap.ControlID, Status: r.status, TicketKey: r.ticket, Due: r.in.Due.Format("2006-01-02"), TicketDone: r.jiraDone}
		if r.accepted != nil {
			st.AcceptedBy = r.accepted.By
		}
		return st, nil
	}); err != nil {
		return fmt.Errorf("register %s query: %w", QueryRemediation, err)
	}
	tickets := workflow.GetSignalChannel(ctx, SignalTicketChanged)
	accepts := workflow.GetSignalChannel(ctx, SignalAcceptGap)
	workflow.Go(ctx, func(g workflow.Context) {
		sel := workflow.NewSelector(g)
		sel.AddReceive(tickets, func(c workflow.ReceiveChannel, _ bool) {
			var ch TicketChange
			c.Receive(g, &ch)
			r.takeTicketChange(g, ch)
		})
		sel.AddReceive(accepts, func(c workflow.ReceiveChannel, _ bool) {
			var acc AcceptGap
			c.Receive(g, &acc)
			if workflow.GetVersion(g, versionAcceptGapUpdate, workflow.DefaultVersion, 1) >= 1 {
				// Anyone with Temporal access can signal: an acceptance
				// counts only through the validated update.
				workflow.GetLogger(g).Warn("ignored an accept-gap signal; gaps are accepted with the accept-gap update", "gap", r.id)
				return
			}
			if r.accepted == nil {
				r.accepted = &acc
			}
		})
		for {
			sel.Select(g)
		}
	})
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateAcceptGap, r.accept,
		workflow.UpdateHandlerOptions{Validator: r.validateAccept}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateAcceptGap, err)
	}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, UpdateCompleteGap, r.complete,
		workflow.UpdateHandlerOptions{Validator: r.validateComplete}); err != nil {
		return fmt.Errorf("register %s update: %w", UpdateCompleteGap, err)
	}
	return nil
}

func (r *gapRun) validateComplete(ctx workflow.Context, req CompleteGapRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	u, perr := url.Parse(strings.TrimSpace(req.Evidence))
	switch {
	case !r.in.Spec.MayGiveEvidence(by, r.in.Owner.Email):
		return fmt.Errorf("%s may not close %s: its owner is %s", by, r.in.Gap.ControlID, r.in.Owner.Email)
	case r.status == compliance.ItemVerified || r.accepted != nil || r.recording:
		return fmt.Errorf("the gap %s is already closed", r.in.Gap.ControlID)
	case perr != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "":
		return errors.New("closing a gap needs a link to the evidence (--evidence https://…)")
	}
	return nil
}

func (r *gapRun) complete(ctx workflow.Context, req CompleteGapRequest) (GapRemediationState, error) {
	r.recording = true
	defer func() { r.recording = false }()
	if err := r.awaitOpened(ctx); err != nil {
		return GapRemediationState{}, err
	}
	by, via := recordedAs(req.Actor, req.By, req.Channel)
	if err := r.close(ctx, compliance.ItemVerified, strings.TrimSpace(req.Evidence), by, via); err != nil {
		return GapRemediationState{}, err
	}
	return GapRemediationState{ControlID: r.in.Gap.ControlID, Status: r.status, TicketKey: r.ticket}, nil
}

// validateAccept: only the lead or a lead delegate accepts a gap, with a
// reason, and only while it is open.
func (r *gapRun) validateAccept(ctx workflow.Context, req AcceptGapRequest) error {
	by, err := actingPerson(ctx, req.Actor)
	if err != nil {
		return err
	}
	switch {
	case !r.in.Spec.MayDecide(by):
		return fmt.Errorf("%s may not accept %s: only the lead or a lead delegate may", by, r.in.Gap.ControlID)
	case r.status == compliance.ItemVerified || r.accepted != nil || r.recording:
		return fmt.Errorf("the gap %s is already closed", r.in.Gap.ControlID)
	case strings.TrimSpace(req.Reason) == "":
		return errors.New("accepting a gap needs the reason the auditor will read (--reason)")
	}
	return nil
}

// accept records the acceptance and closes the item; the main loop then
// withdraws the owner's prompt.
func (r *gapRun) accept(ctx workflow.Context, req AcceptGapRequest) (GapRemediationState, error) {
	by, via := recordedAs(req.Actor, "", "")
	r.accepted = &AcceptGap{By: by, Reason: strings.TrimSpace(req.Reason), Channel: via}
	r.recording = true
	defer func() { r.recording = false }()
	if err := r.awaitOpened(ctx); err != nil {
		// r.accepted stays set: the main loop records it if the item opens.
		return GapRemediationState{}, err
	}
	if err := r.close(ctx, compliance.ItemAccepted, "", by, via); err != nil {
		// The main loop records it once this handler is done.
		return GapRemediationState{}, err
	}
	return GapRemediationState{ControlID: r.in.Gap.ControlID, Status: r.status, TicketKey: r.ticket}, nil
}

// awaitOpened holds a decision until the item it changes exists (see
// versionDecideAfterOpen).
func (r *gapRun) awaitOpened(ctx workflow.Context) error {
	if workflow.GetVersion(ctx, versionDecideAfterOpen, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	if err := workflow.Await(ctx, func() bool { return r.openEnded }); err != nil {
		return err
	}
	if !r.opened {
		return fmt.Errorf("the remediation item of %s could not be opened", r.in.Gap.ControlID)
	}
	return nil
}
