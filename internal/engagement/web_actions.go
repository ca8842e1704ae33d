package engagement

import (
	"context"
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// Signer attests the signed-in person for one update of one workflow
// (identity.WebActor with the deployment's key): the web computes the
// update's ID first, then has the actor attested for exactly that update.
type Signer func(workflowID, updateID string) compliance.Actor

// WebAnswerRequest is a signed-in person answering one of their own open
// questions in one engagement.
type WebAnswerRequest struct {
	EngagementID string
	PromptID     string
	Person       string
	Choice       string
	Note         string
	Link         string
	Sign         Signer
}

// WebAnswer answers through the prompt's update, like a Slack click: the
// prompt must be the person's own and open in this engagement (an ID from
// a form reaches nothing else), and the update's validator applies the
// same rules as for Slack and the CLI. The update ID is derived from what
// was chosen, so a double submit records one answer.
func (s *Service) WebAnswer(ctx context.Context, req WebAnswerRequest) (workflows.PromptAnswer, error) {
	person := strings.ToLower(strings.TrimSpace(req.Person))
	p, err := s.OpenPrompt(ctx, req.EngagementID, person, req.PromptID)
	if err != nil {
		return workflows.PromptAnswer{}, err
	}
	// The choice names the update, so only one of the prompt's own is sent.
	offered := false
	for _, c := range p.Choices {
		offered = offered || c.Value == req.Choice
	}
	if !offered {
		return workflows.PromptAnswer{}, fmt.Errorf("choose one of the answers offered")
	}
	updateID := fmt.Sprintf("%s/%s/%s/%s", compliance.ChannelWeb, p.ID, person, req.Choice)
	actor := req.Sign(p.ID, updateID)
	return s.Answer(ctx, AnswerRequest{PromptID: p.ID, Choice: req.Choice, Note: req.Note, Link: req.Link,
		Actor: actor, UpdateID: updateID})
}

// LiveStamp is the engagement's change fingerprint (see postgres.LiveStamp).
func (s *Service) LiveStamp(ctx context.Context, id string) (postgres.LiveStamp, error) {
	st, err := s.store()
	if err != nil {
		return postgres.LiveStamp{}, err
	}
	return st.LiveStampOf(ctx, id)
}
