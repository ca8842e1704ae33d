package workflows

import (
	"go.temporal.io/sdk/workflow"

	"github.com/steadfast-grc/steadfast/activities"
)

// versionCheckWindowClosed: a report that the operating window has closed
// (a phase-progress signal claiming PhaseOperated) is a hint, not a fact.
// Any Temporal client can send that signal, and before this version one
// sent early moved the engagement to operated and on to fieldwork ahead of
// the audit date's fallback. Now the engagement asks Temporal whether its
// scheduler really has closed the window (activities.WindowClosed) and
// acts only then. The version is asked when a report is taken, so a
// history that took one before this change replays as it ran.
const versionCheckWindowClosed = "check-window-closed"

// takeCloseReport settles a pending window-closed report
// (OperatingCloseReported): the window counts as closed only if the
// scheduler says so; a report it does not back is logged and recorded as
// ignored. When this run started the scheduler (watched), its future is
// the source of truth and the report is dropped: the future says when the
// window closes. It may run an activity, so it is called where the
// engagement can wait: by the long phases' report receiver and as a run
// starts them.
func takeCloseReport(ctx workflow.Context, st *EngagementState, watched bool) {
	if !st.OperatingCloseReported {
		return
	}
	if st.OperatingClosed {
		st.OperatingCloseReported = false
		return
	}
	if workflow.GetVersion(ctx, versionCheckWindowClosed, workflow.DefaultVersion, 1) == workflow.DefaultVersion {
		st.OperatingClosed, st.OperatingCloseReported = true, false
		return
	}
	if watched {
		st.OperatingCloseReported = false
		return
	}
	actx := workflow.WithActivityOptions(ctx, recordOptions)
	var res activities.WindowClosedResult
	err := workflow.ExecuteActivity(actx, a.WindowClosed, activities.WindowClosedInput{
		WorkflowID: OperatingWorkflowID(st.EngagementID), Query: QueryOperating,
	}).Get(ctx, &res)
	st.OperatingCloseReported = false
	if err != nil {
		workflow.GetLogger(ctx).Error("check a window-closed report", "engagement", st.EngagementID, "error", err)
		return
	}
	if res.Closed {
		st.OperatingClosed = true
		return
	}
	if res.Unavailable {
		// A worker without a Temporal client cannot check: the audit
		// date stays the latest fieldwork starts.
		workflow.GetLogger(ctx).Error("cannot check a window-closed report: the worker has no Temporal client", "engagement", st.EngagementID)
		return
	}
	workflow.GetLogger(ctx).Warn("ignored a window-closed report the scheduler does not back", "engagement", st.EngagementID, "scheduler", res.Seen)
	recordIgnoredSignal(ctx, unbackedClaim{EngagementID: st.EngagementID, Signal: SignalPhaseProgress, Subject: string(PhaseOperated),
		Claim: "the operating window has closed", Why: "the operating scheduler has not closed the window",
		Detail: map[string]any{"scheduler": res.Seen}})
}
