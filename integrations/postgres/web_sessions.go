package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// The web's sign-in records. Secrets (link tokens, session IDs) arrive here
// already hashed: the store never sees what a browser holds.

// SignInLink is a single-use sign-in link, by the SHA-256 of its token.
type SignInLink struct {
	TokenSHA256  []byte
	Email        string
	EngagementID string
	ExpiresAt    time.Time
}

// ErrLinkRefused means a sign-in link is unknown, used or expired; the three
// are not told apart to whoever presents it.
var ErrLinkRefused = errors.New("this sign-in link is not valid: it was used, it expired, or it never existed; ask for a new one")

// CreateSignInLink stores a link.
func (s *Store) CreateSignInLink(ctx context.Context, l SignInLink) error {
	_, err := s.q.Exec(ctx, `INSERT INTO web_signin_links (token_sha256, email, engagement_id, expires_at)
		VALUES (@token, lower(btrim(@email)), @engagement_id, @expires_at)`,
		pgx.StrictNamedArgs{"token": l.TokenSHA256, "email": l.Email, "engagement_id": l.EngagementID, "expires_at": l.ExpiresAt})
	if err != nil {
		return fmt.Errorf("store sign-in link for %s: %w", l.Email, err)
	}
	return nil
}

// RedeemSignInLink marks the link used and returns it, in one statement, so
// two browsers presenting the same link cannot both sign in.
func (s *Store) RedeemSignInLink(ctx context.Context, tokenSHA256 []byte, now time.Time) (SignInLink, error) {
	var l SignInLink
	err := s.q.QueryRow(ctx, `UPDATE web_signin_links SET used_at = @now
		WHERE token_sha256 = @token AND used_at IS NULL AND expires_at > @now
		RETURNING token_sha256, email, engagement_id, expires_at`,
		pgx.StrictNamedArgs{"token": tokenSHA256, "now": now}).Scan(&l.TokenSHA256, &l.Email, &l.EngagementID, &l.ExpiresAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return l, ErrLinkRefused
	}
	if err != nil {
		return l, fmt.Errorf("redeem sign-in link: %w", err)
	}
	return l, nil
}

// WebSession is a signed-in browser, by the SHA-256 of its cookie.
type WebSession struct {
	SessionSHA256 []byte    `db:"session_sha256"`
	Email         string    `db:"email"`
	Via           string    `db:"via"`
	CreatedAt     time.Time `db:"created_at"`
	ExpiresAt     time.Time `db:"expires_at"`
}

// CreateWebSession stores a session.
func (s *Store) CreateWebSession(ctx context.Context, w WebSession) error {
	_, err := s.q.Exec(ctx, `INSERT INTO web_sessions (session_sha256, email, via, expires_at)
		VALUES (@id, lower(btrim(@email)), @via, @expires_at)`,
		pgx.StrictNamedArgs{"id": w.SessionSHA256, "email": w.Email, "via": w.Via, "expires_at": w.ExpiresAt})
	if err != nil {
		return fmt.Errorf("store web session for %s: %w", w.Email, err)
	}
	return nil
}

// WebSessionByHash returns a live session, or ErrNotFound.
func (s *Store) WebSessionByHash(ctx context.Context, idSHA256 []byte, now time.Time) (WebSession, error) {
	rows, err := s.q.Query(ctx, `SELECT session_sha256, email, via, created_at, expires_at FROM web_sessions
		WHERE session_sha256 = @id AND expires_at > @now`, pgx.StrictNamedArgs{"id": idSHA256, "now": now})
	if err != nil {
		return WebSession{}, fmt.Errorf("read web session: %w", err)
	}
	w, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[WebSession])
	if errors.Is(err, pgx.ErrNoRows) {
		return w, fmt.Errorf("web session: %w", ErrNotFound)
	}
	if err != nil {
		return w, fmt.Errorf("read web session: %w", err)
	}
	return w, nil
}

// DeleteWebSession signs a browser out (and sweeps expired sessions).
func (s *Store) DeleteWebSession(ctx context.Context, idSHA256 []byte, now time.Time) error {
	_, err := s.q.Exec(ctx, `DELETE FROM web_sessions WHERE session_sha256 = @id OR expires_at <= @now`,
		pgx.StrictNamedArgs{"id": idSHA256, "now": now})
	if err != nil {
		return fmt.Errorf("delete web session: %w", err)
	}
	return nil
}

// DeleteWebSessionsOf signs a person out of every browser, returning how
// many sessions ended. Each deletion notifies AccessChannel, so their
// open live pages close at once.
func (s *Store) DeleteWebSessionsOf(ctx context.Context, email string) (int64, error) {
	tag, err := s.q.Exec(ctx, `DELETE FROM web_sessions WHERE email = lower(btrim(@email))`, pgx.StrictNamedArgs{"email": email})
	if err != nil {
		return 0, fmt.Errorf("sign %s out everywhere: %w", email, err)
	}
	return tag.RowsAffected(), nil
}

// AuditorInvite lets an auditor into one engagement's auditor's room until
// the end of a day.
type AuditorInvite struct {
	EngagementID string    `db:"engagement_id"`
	Email        string    `db:"email"`
	Until        time.Time `db:"until_day"`
	InvitedBy    string    `db:"invited_by"`
	InvitedAt    time.Time `db:"invited_at"`
}

// InviteAuditor records (or extends) an invitation.
func (s *Store) InviteAuditor(ctx context.Context, in AuditorInvite) error {
	_, err := s.q.Exec(ctx, `INSERT INTO web_auditor_invites (engagement_id, email, until_day, invited_by)
		VALUES (@engagement_id, lower(btrim(@email)), @until, lower(@by))
		ON CONFLICT (engagement_id, email) DO UPDATE SET until_day = EXCLUDED.until_day,
			invited_by = EXCLUDED.invited_by, invited_at = now()`,
		pgx.StrictNamedArgs{"engagement_id": in.EngagementID, "email": in.Email, "until": in.Until, "by": in.InvitedBy})
	if err != nil {
		return fmt.Errorf("invite auditor %s to %s: %w", in.Email, in.EngagementID, err)
	}
	return nil
}

// AuditorInvites lists the invitations of one email still open on day.
func (s *Store) AuditorInvites(ctx context.Context, email string, day time.Time) ([]AuditorInvite, error) {
	rows, err := s.q.Query(ctx, `SELECT engagement_id, email, until_day, invited_by, invited_at FROM web_auditor_invites
		WHERE email = lower(btrim(@email)) AND until_day >= @day::date ORDER BY engagement_id`,
		pgx.StrictNamedArgs{"email": email, "day": day.Format("2006-01-02")})
	if err != nil {
		return nil, fmt.Errorf("list auditor invitations of %s: %w", email, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[AuditorInvite])
	if err != nil {
		return nil, fmt.Errorf("list auditor invitations of %s: %w", email, err)
	}
	return out, nil
}

// LiveStamp is a cheap fingerprint of what an engagement page shows: the
// newest event and the open questions. Every answer, escalation step,
// evidence and decision appends an event, so a page polls this and reloads
// its parts when it changes.
type LiveStamp struct {
	LastEventID int64 `json:"last_event"`
	Open        int   `json:"open"`
	Answered    int   `json:"answered"`
}

// LiveStampOf reads an engagement's fingerprint in one statement.
func (s *Store) LiveStampOf(ctx context.Context, engagementID string) (LiveStamp, error) {
	var l LiveStamp
	err := s.q.QueryRow(ctx, `SELECT
			coalesce((SELECT max(id) FROM engagement_events WHERE engagement_id = @id), 0),
			(SELECT count(*) FROM prompts WHERE engagement_id = @id AND status = 'open'),
			(SELECT count(*) FROM prompts WHERE engagement_id = @id AND status = 'answered')`,
		pgx.StrictNamedArgs{"id": engagementID}).Scan(&l.LastEventID, &l.Open, &l.Answered)
	if err != nil {
		return l, fmt.Errorf("live stamp of %s: %w", engagementID, err)
	}
	return l, nil
}
