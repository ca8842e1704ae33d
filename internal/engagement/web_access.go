package engagement

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// The web's sign-in and who may see what. A browser holds a random token
// (a sign-in link's, then a session's); the record holds only its SHA-256.
// Access is worked out from the engagement's spec on every request, so a
// person removed by a scope revision loses access at once.

// Sign-in lifetimes.
const (
	SignInLinkTTL = 15 * time.Minute
	WebSessionTTL = 12 * time.Hour
)

// ErrNoAccess is what a person is told about an engagement they may not
// see: the same words whether or not it exists, so IDs cannot be probed.
var ErrNoAccess = errors.New("not found, or not yours to see")

// SignInLinkRequest asks for a single-use link for a person of an
// engagement (or an auditor the lead invited to it).
type SignInLinkRequest struct {
	Email        string
	EngagementID string
}

// SignInLinkResult is the token to put in the link; only its hash is kept.
type SignInLinkResult struct {
	Token     string
	ExpiresAt time.Time
}

// CreateSignInLink stores a single-use sign-in link for someone the
// engagement knows.
func (s *Service) CreateSignInLink(ctx context.Context, req SignInLinkRequest) (SignInLinkResult, error) {
	st, err := s.store()
	if err != nil {
		return SignInLinkResult{}, err
	}
	email := strings.ToLower(strings.TrimSpace(req.Email))
	acc, err := s.engagementAccess(ctx, email, req.EngagementID)
	if err != nil {
		return SignInLinkResult{}, err
	}
	if !acc.Any() {
		return SignInLinkResult{}, fmt.Errorf("%s is not a person of engagement %s nor an auditor invited to it (people come from the spec; `starter auditor invite` invites auditors)", email, req.EngagementID)
	}
	token, sum, err := newSecret()
	if err != nil {
		return SignInLinkResult{}, err
	}
	exp := s.now().Add(SignInLinkTTL)
	if err := st.CreateSignInLink(ctx, postgres.SignInLink{TokenSHA256: sum, Email: email, EngagementID: req.EngagementID, ExpiresAt: exp}); err != nil {
		return SignInLinkResult{}, err
	}
	return SignInLinkResult{Token: token, ExpiresAt: exp}, nil
}

// WebSessionResult is a new session's cookie value.
type WebSessionResult struct {
	Token     string
	Email     string
	ExpiresAt time.Time
}

// RedeemSignInLink spends a link and opens a session for its person.
func (s *Service) RedeemSignInLink(ctx context.Context, token string) (WebSessionResult, error) {
	st, err := s.store()
	if err != nil {
		return WebSessionResult{}, err
	}
	l, err := st.RedeemSignInLink(ctx, hashSecret(token), s.now())
	if err != nil {
		return WebSessionResult{}, err
	}
	return s.openSession(ctx, st, l.Email, "link")
}

// OpenOIDCSession opens a session for an email the client's identity
// provider verified, if any engagement knows it.
func (s *Service) OpenOIDCSession(ctx context.Context, email string) (WebSessionResult, error) {
	st, err := s.store()
	if err != nil {
		return WebSessionResult{}, err
	}
	acc, err := s.WebAccess(ctx, email)
	if err != nil {
		return WebSessionResult{}, err
	}
	if len(acc.Engagements) == 0 {
		return WebSessionResult{}, fmt.Errorf("%s is not a person of any engagement", email)
	}
	return s.openSession(ctx, st, email, "oidc")
}

func (s *Service) openSession(ctx context.Context, st *postgres.Store, email, via string) (WebSessionResult, error) {
	token, sum, err := newSecret()
	if err != nil {
		return WebSessionResult{}, err
	}
	exp := s.now().Add(WebSessionTTL)
	if err := st.CreateWebSession(ctx, postgres.WebSession{SessionSHA256: sum, Email: email, Via: via, ExpiresAt: exp}); err != nil {
		return WebSessionResult{}, err
	}
	return WebSessionResult{Token: token, Email: strings.ToLower(strings.TrimSpace(email)), ExpiresAt: exp}, nil
}

// WebSession returns the email of a live session's person.
func (s *Service) WebSession(ctx context.Context, token string) (string, error) {
	st, err := s.store()
	if err != nil {
		return "", err
	}
	w, err := st.WebSessionByHash(ctx, hashSecret(token), s.now())
	if err != nil {
		return "", err
	}
	return w.Email, nil
}

// EndWebSession signs a browser out.
func (s *Service) EndWebSession(ctx context.Context, token string) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.DeleteWebSession(ctx, hashSecret(token), s.now())
}

// EngagementAccess is what one person may do in one engagement.
type EngagementAccess struct {
	EngagementID string
	Client       string
	Roles        []compliance.Role
	// AuditorUntil is set when the person is an invited auditor.
	AuditorUntil *time.Time
}

func (a EngagementAccess) has(r compliance.Role) bool { return slices.Contains(a.Roles, r) }

// Any reports whether the person has any access at all.
func (a EngagementAccess) Any() bool { return len(a.Roles) > 0 || a.AuditorUntil != nil }

// MayView is the engagement page: the people who run or sponsor it.
func (a EngagementAccess) MayView() bool {
	return a.has(compliance.RoleLead) || a.has(compliance.RoleLeadDelegate) || a.has(compliance.RoleConsultant) || a.has(compliance.RoleSponsor)
}

// MayDecide is the lead's decisions (compliance.Spec.MayDecide's roles).
func (a EngagementAccess) MayDecide() bool {
	return a.has(compliance.RoleLead) || a.has(compliance.RoleLeadDelegate)
}

// MayRun is running the engagement (compliance.Spec.MayRun's roles): who
// may record the issued report; its validator decides.
func (a EngagementAccess) MayRun() bool {
	return a.MayDecide() || a.has(compliance.RoleConsultant)
}

// MayAnswer is having questions of one's own to answer: every person of
// the spec may be asked something (the validator decides each answer).
func (a EngagementAccess) MayAnswer() bool { return len(a.Roles) > 0 }

// MayAudit is the auditor's room: the invited auditor, and the lead who
// prepares it.
func (a EngagementAccess) MayAudit() bool { return a.AuditorUntil != nil || a.MayDecide() }

// RoleNames are the roles in words, auditor included.
func (a EngagementAccess) RoleNames() []string {
	out := make([]string, 0, len(a.Roles)+1)
	for _, r := range a.Roles {
		out = append(out, string(r))
	}
	if a.AuditorUntil != nil {
		out = append(out, "auditor")
	}
	return out
}

// WebAccessResult is every engagement a person may see something of.
type WebAccessResult struct {
	Email       string
	Engagements []EngagementAccess
}

// For returns the access to one engagement (zero: none).
func (r WebAccessResult) For(id string) EngagementAccess {
	for _, a := range r.Engagements {
		if a.EngagementID == id {
			return a
		}
	}
	return EngagementAccess{EngagementID: id}
}

// WebAccess works out what email may see across every engagement: the
// roles the specs give them, and the auditor invitations still open.
func (s *Service) WebAccess(ctx context.Context, email string) (WebAccessResult, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	res := WebAccessResult{Email: email}
	st, err := s.store()
	if err != nil {
		return res, err
	}
	list, err := st.ListEngagements(ctx)
	if err != nil {
		return res, err
	}
	invites, err := st.AuditorInvites(ctx, email, s.now())
	if err != nil {
		return res, err
	}
	for _, e := range list {
		acc := EngagementAccess{EngagementID: e.ID, Client: e.Client}
		roles, err := st.PersonRoles(ctx, e.ID, email)
		if err != nil && !errors.Is(err, postgres.ErrNotFound) {
			return res, err
		}
		for _, r := range roles {
			acc.Roles = append(acc.Roles, compliance.Role(r))
		}
		for _, in := range invites {
			if in.EngagementID == e.ID {
				until := in.Until
				acc.AuditorUntil = &until
			}
		}
		if acc.Any() {
			res.Engagements = append(res.Engagements, acc)
		}
	}
	return res, nil
}

func (s *Service) engagementAccess(ctx context.Context, email, id string) (EngagementAccess, error) {
	all, err := s.WebAccess(ctx, email)
	if err != nil {
		return EngagementAccess{}, err
	}
	return all.For(id), nil
}

// newSecret returns a random URL-safe token and its SHA-256.
func newSecret() (string, []byte, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, fmt.Errorf("random token: %w", err)
	}
	t := base64.RawURLEncoding.EncodeToString(b)
	return t, hashSecret(t), nil
}

func hashSecret(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
