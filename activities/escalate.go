package activities

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/integrations/slack"
	"github.com/steadfast-grc/steadfast/internal/metrics"
)

// EventEscalated is a problem put in front of the lead outside a prompt's
// ladder (Jira refused a ticket, say).
const EventEscalated = "escalated"

// EscalateInput is a problem to put in front of people.
type EscalateInput struct {
	EngagementID string
	// Key makes the escalation happen once, however often it is retried.
	Key          string
	Subject      string
	Reason       string
	Tell         []compliance.Person
	SlackChannel string
	At           time.Time
}

// EscalateResult is empty.
type EscalateResult struct{}

// Escalate records the problem and, with Slack, posts it to the engagement
// channel (or the people's DMs). Slack being unavailable never hides the
// record: the event is written first.
func (a *Activities) Escalate(ctx context.Context, in EscalateInput) (EscalateResult, error) {
	var told []string
	for _, p := range in.Tell {
		told = append(told, strings.ToLower(p.Email))
	}
	if err := a.Store.AppendEvent(ctx, postgres.Event{
		EngagementID: in.EngagementID, Key: "escalated/" + in.Key, Kind: EventEscalated, Actor: "steadfast",
		Channel: postgres.ChannelWorkflow, At: in.At,
		Detail: map[string]any{"subject": in.Subject, "reason": in.Reason, "told": told},
	}); err != nil {
		return EscalateResult{}, err
	}
	metrics.Escalated(ctx, strings.SplitN(in.Key, "/", 2)[0])
	if a.Slack == nil {
		return EscalateResult{}, nil
	}
	var names []string
	for _, p := range in.Tell {
		names = append(names, p.Name)
	}
	msg := slack.EscalationMessage(strings.Join(names, ", "), in.Subject, nil, in.Reason)
	var err error
	if in.SlackChannel != "" {
		err = a.postOwned(ctx, in.EngagementID, "escalation:"+in.Key, in.SlackChannel, msg)
	} else {
		for _, p := range in.Tell {
			user, uerr := a.slackUser(ctx, in.EngagementID, p)
			if uerr != nil {
				continue // the event above is the record; nobody to DM
			}
			channel, derr := a.Slack.OpenDM(ctx, user)
			if derr != nil {
				err = slackError("open DM with "+p.Email, derr)
				break
			}
			if err = a.postOwned(ctx, in.EngagementID, fmt.Sprintf("escalation:%s:%s", in.Key, p.Email), channel, msg); err != nil {
				break
			}
		}
	}
	if _, ok := permanentSlack(err); ok {
		return EscalateResult{}, nil
	}
	return EscalateResult{}, err
}
