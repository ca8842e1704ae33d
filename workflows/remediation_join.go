package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// versionRemediationJoin: from version 1 a running remediation takes on
// the gaps a tailoring change's re-assessment found (the change's round
// rebuilt the register). Each gets its own gap workflow — a ticket, its
// owner chased to the remediation's due date — and remediation completes
// only once they have ended too. Before it they were only counted on the
// change. The run reads the stored register at its start (each run, so a
// hint lost to a hand-over costs one continue-as-new at most) and at once
// on a gaps-found signal; the version is asked at those points, so a
// remediation already running picks it up.
const versionRemediationJoin = "remediation-join"

// versionRemediationLateJoin: from version 1 a gaps-found hint still
// unread when the last gap has ended (both arrived together, the end taken
// first) is taken before the run completes: the run reads the register and
// goes on with the new gaps. Before it the run completed with the hint
// unread, and the gaps — whose round saw its signal delivered and so
// started no remediation of its own — were left to no one. Asked only when
// such a hint is pending at the end.
const versionRemediationLateJoin = "remediation-late-join"

// GapsFound is the gaps-found signal: a change's round (Round) found gaps.
// A hint: the gaps taken on come from the stored register
// (activities.NewGaps), never from the signal.
type GapsFound struct {
	Round string
}

// listenForNewGaps registers the gaps-found hint on the run's selector.
func (r *remediationRun) listenForNewGaps(ctx workflow.Context) {
	r.sel.AddReceive(workflow.GetSignalChannel(ctx, SignalGapsFound), func(c workflow.ReceiveChannel, _ bool) {
		var h GapsFound
		c.Receive(ctx, &h)
		r.joinDue = true
	})
}

// join takes on the register's gaps this remediation does not work on yet:
// it adds them to its gaps (carried to the next run with its input) and
// starts a gap workflow for each.
func (r *remediationRun) join(ctx workflow.Context) error {
	r.joinDue = false
	if r.in.Round != "" {
		// A round's own remediation works on that round's gaps only; the
		// register's other gaps belong to the engagement's remediation.
		return nil
	}
	if workflow.GetVersion(ctx, versionRemediationJoin, workflow.DefaultVersion, 1) < 1 {
		return nil
	}
	known := make([]string, 0, len(r.in.Gaps))
	for _, g := range r.in.Gaps {
		known = append(known, g.ControlID)
	}
	var res activities.NewGapsResult
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	if err := workflow.ExecuteActivity(actx, a.NewGaps, activities.NewGapsInput{EngagementID: r.in.EngagementID, Known: known}).Get(ctx, &res); err != nil {
		return fmt.Errorf("read the new gaps of %s: %w", r.in.EngagementID, err)
	}
	if len(res.Gaps) == 0 {
		return nil
	}
	if r.in.Titles == nil {
		r.in.Titles = map[string]string{}
	}
	for _, g := range res.Gaps {
		r.in.Gaps = append(r.in.Gaps, g)
		r.in.Titles[g.ControlID] = g.Title
		r.start(ctx, g)
	}
	r.report(ctx)
	return nil
}

// lateJoin takes a gaps-found hint still pending once every gap has ended
// (versionRemediationLateJoin). It says whether the run has gaps again.
func (r *remediationRun) lateJoin(ctx workflow.Context) (bool, error) {
	if r.in.Round != "" {
		return false, nil
	}
	var h GapsFound
	if !workflow.GetSignalChannel(ctx, SignalGapsFound).ReceiveAsync(&h) {
		return false, nil
	}
	if workflow.GetVersion(ctx, versionRemediationLateJoin, workflow.DefaultVersion, 1) < 1 {
		return false, nil
	}
	// Any further hint pending asks the same register read.
	for workflow.GetSignalChannel(ctx, SignalGapsFound).ReceiveAsync(&h) {
	}
	if err := r.join(ctx); err != nil {
		return false, err
	}
	return !r.allEnded(), nil
}
