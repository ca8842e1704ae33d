package engagement

import (
	"context"
	"errors"
	"strings"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// ChangeWatcher is what WatchChanges calls: Ready once listening, Changed
// with the ID of each engagement whose record changes, AccessChanged with
// the email of each person whose web access may have shrunk (a session
// ended, an invitation changed).
type ChangeWatcher = postgres.ChangeListener

// WatchChanges calls the watcher's Changed with the ID of each engagement
// whose record changes (an answer from Slack, a Jira transition, a step up
// an escalation ladder, evidence from anywhere), and AccessChanged with
// each person whose sessions or invitations change, as Postgres commits
// them. It calls Ready once it is listening, and returns when ctx ends or
// the listening connection fails; the caller reconnects. The web's live
// pages rest on it: a page re-reads LiveStamp only when its engagement
// changed, and a person's streams are re-checked when their access did.
func (s *Service) WatchChanges(ctx context.Context, w ChangeWatcher) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.ListenChanges(ctx, w)
}

// StillSignedIn reports whether the browser holding token is still signed
// in and may still see engagement id (a live page re-checks it while it
// is open: a session ended elsewhere, or an auditor's invitation that
// lapsed, ends the page's stream).
func (s *Service) StillSignedIn(ctx context.Context, token, id string) (bool, error) {
	email, err := s.WebSession(ctx, token)
	if errors.Is(err, postgres.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	acc, err := s.engagementAccess(ctx, email, id)
	if err != nil {
		return false, err
	}
	return acc.Any(), nil
}

// EndWebSessionsOf signs a person out of every browser ("sign out
// everywhere", `starter web-logout`); their open live pages close within
// seconds (see WatchChanges). It returns how many sessions ended.
func (s *Service) EndWebSessionsOf(ctx context.Context, email string) (int64, error) {
	st, err := s.store()
	if err != nil {
		return 0, err
	}
	return st.DeleteWebSessionsOf(ctx, strings.ToLower(strings.TrimSpace(email)))
}
