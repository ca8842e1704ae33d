package workflows

import (
	"slices"

	"go.temporal.io/sdk/workflow"
)

// How an engagement's tailoring change crosses hand-overs
// (versionChangeHandOver): the change at the head of PendingChanges is the
// one in progress, and stays there until its assessment has ended; its
// record says how far it got, and carryOutChange picks it up from there.

// carryOutAcrossRuns carries out the change at the head of the queue, from
// wherever an earlier run left it, then takes it off the queue. A change
// that fails is marked so and logged: the engagement goes on with the
// tailoring it had.
func (c *engagementChanges) carryOutAcrossRuns(ctx workflow.Context, ch ScopeChange) {
	err := carryOutChange(ctx, c, ch, &c.st.changing)
	if err != nil && ctx.Err() != nil {
		// The engagement is being closed: the change did not fail, and
		// closing cancels its question or assessment by ID
		// (openChangeWorkflows), which needs it still at the head.
		return
	}
	c.st.PendingChanges = c.st.PendingChanges[1:]
	if err != nil {
		c.setStatus(ch.ID, ChangeFailed, 0)
		workflow.GetLogger(ctx).Error("tailoring change", "engagement", c.st.EngagementID, "change", ch.ID, "error", err)
	}
}

// takeOverAssessments queues again the changes an earlier run (before
// versionChangeHandOver) approved and whose assessment it abandoned when it
// handed over: each is still "approved" and uncounted, and its assessment
// is found by its workflow ID. They go first, as they were carried out
// first.
func (c *engagementChanges) takeOverAssessments() {
	var left []ScopeChange
	for _, ch := range c.st.Changes {
		pending := slices.ContainsFunc(c.st.PendingChanges, func(p ScopeChange) bool { return p.ID == ch.ID })
		if ch.Status == ChangeApproved && !pending {
			left = append(left, ch)
		}
	}
	if len(left) > 0 {
		c.st.PendingChanges = append(left, c.st.PendingChanges...)
	}
}

// asksLead: every tailoring change is the lead's to approve.
func (c *engagementChanges) asksLead(ScopeChange) bool { return true }

// round: a tailoring change re-asks controls asked before; its own round
// keeps their prompts apart from the first assessment's.
func (c *engagementChanges) round(ch ScopeChange) string { return ch.ID }

// mark edits a change in the list the status shows and in the queue the
// run hands over.
func (c *engagementChanges) mark(id string, edit func(*ScopeChange)) {
	for _, list := range [][]ScopeChange{c.st.Changes, c.st.PendingChanges} {
		for i := range list {
			if list[i].ID == id {
				edit(&list[i])
			}
		}
	}
}

// openChangeWorkflows are the workflow IDs of the change in progress that
// outlive runs (its lead's question, or its assessment): closing the
// engagement cancels them.
func openChangeWorkflows(st *EngagementState) []string {
	if !st.changesHandOver || len(st.PendingChanges) == 0 {
		return nil
	}
	if id := openChangeWorkflow(st.EngagementID, st.PendingChanges[0]); id != "" {
		return []string{id}
	}
	return nil
}
