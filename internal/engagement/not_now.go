package engagement

import (
	"context"
	"errors"
	"fmt"

	"go.temporal.io/api/serviceerror"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ErrNotNow means the engagement exists but is not in a phase that takes
// what was asked: a different answer from "no such engagement".
var ErrNotNow = errors.New("not in this phase")

// explain turns Temporal's not-found for one of an engagement's workflows
// into an answer a user can act on: no such engagement, or the phase it is
// in and when the command becomes possible.
func (s *Service) explain(ctx context.Context, id, workflowID string, err error) error {
	var nf *serviceerror.NotFound
	if !errors.As(err, &nf) {
		return err
	}
	var st workflows.EngagementStatus
	if workflowID != engagementWorkflow(id) && s.Temporal != nil {
		if resp, qerr := s.Temporal.QueryWorkflow(ctx, engagementWorkflow(id), "", workflows.QueryStatus); qerr == nil && resp.Get(&st) == nil {
			return fmt.Errorf("%w: %s is in its %s phase; %s", ErrNotNow, id, st.Phase, whenPossible(id, workflowID, st.Phase))
		}
	}
	return fmt.Errorf("%w: no engagement %q is running (`starter list` shows them; start one with `starter engage -f SPEC`)", ErrNoSuchEngagement, id)
}

// whenPossible says when a command sent to workflowID becomes possible.
func whenPossible(id, workflowID string, phase compliance.Phase) string {
	switch workflowID {
	case workflows.ScopingWorkflowID(id):
		if phase.Before(compliance.PhaseScoping) {
			return "the scope can be decided or revised once scoping starts"
		}
		return fmt.Sprintf("the scope is decided and revised only while scoping, which is over (`starter status %s` shows the decisions); after certification, change it with `starter scope add-system` or `starter framework add`", id)
	case workflows.ProgrammeWorkflowID(id):
		return fmt.Sprintf("this needs the certified programme, which starts when a certification is recorded after the audit (`starter certified %s --framework F --date YYYY-MM-DD`)", id)
	}
	return fmt.Sprintf("nothing in it takes this now (`starter status %s` shows what it is waiting for)", id)
}
