package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// AuditorInviteInput records one auditor invitation the engagement's
// invite-auditor update accepted.
type AuditorInviteInput struct {
	EngagementID string
	Invite       compliance.AuditorInvite
}

// AuditorInviteResult is empty: the invitation is recorded or the activity
// fails.
type AuditorInviteResult struct{}

// RecordAuditorInvite records (or extends) the invitation the web reads to
// let the auditor into the room; an upsert, so a retry records it once.
func (a *Activities) RecordAuditorInvite(ctx context.Context, in AuditorInviteInput) (AuditorInviteResult, error) {
	err := a.Store.InviteAuditor(ctx, postgres.AuditorInvite{EngagementID: in.EngagementID,
		Email: strings.ToLower(strings.TrimSpace(in.Invite.Email)), Until: in.Invite.Until.In(time.UTC), InvitedBy: in.Invite.InvitedBy})
	if err != nil {
		return AuditorInviteResult{}, classify(fmt.Errorf("record auditor invitation: %w", err))
	}
	return AuditorInviteResult{}, nil
}
