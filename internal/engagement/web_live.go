package engagement

import "context"

// WatchChanges calls changed with the ID of each engagement whose record
// changes (an answer from Slack, a Jira transition, a step up an
// escalation ladder, evidence from anywhere), as Postgres commits it. It
// calls ready once it is listening, and returns when ctx ends or the
// listening connection fails; the caller reconnects. The web's live pages
// rest on it: a page re-reads LiveStamp only when its engagement changed.
func (s *Service) WatchChanges(ctx context.Context, ready func(), changed func(engagementID string)) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.ListenChanges(ctx, ready, changed)
}
