package engagement

import (
	"context"
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/workflows"
)

// AnswerRequest answers a prompt.
type AnswerRequest struct {
	PromptID string
	Choice   string
	Note     string
	Link     string
	// Days are the days of a daily batch the control was performed (none:
	// every day of the batch).
	Days []compliance.Date
	// Files, on an answer to an auditor's request, are the files given
	// with it (see AnswerAuditRequest).
	Files []compliance.AnswerFile
	Actor compliance.Actor
	// UpdateID is the delivery's ID (a Slack click); empty derives it
	// from what was typed, so a re-run command records one answer.
	UpdateID string
}

// Answer records an answer through the prompt's update, whose validator
// holds the rules (right person or delegate, a choice offered, a note or
// link where needed, answered once).
func (s *Service) Answer(ctx context.Context, req AnswerRequest) (workflows.PromptAnswer, error) {
	if err := checkActor(req.Actor); err != nil {
		return workflows.PromptAnswer{}, err
	}
	tc, err := s.temporal()
	if err != nil {
		return workflows.PromptAnswer{}, err
	}
	ans := answerPayload(req.Choice, req.Note, req.Link, req.Actor)
	ans.Days = req.Days
	ans.Files = req.Files
	id := req.UpdateID
	if id == "" {
		id = fmt.Sprintf("%s/%s/%s/%s", req.Actor.Channel, req.PromptID, strings.ToLower(req.Actor.Person), req.Choice)
	}
	svc := answers.Service{Temporal: tc}
	got, err := svc.Answer(ctx, req.PromptID, id, ans)
	if err != nil {
		return got, err
	}
	// The update ID names the choice, not the note or link, so a re-run
	// with a corrected note gets the first answer back unchanged: say so
	// rather than let "Recorded" suggest the correction was kept.
	if got.Note != strings.TrimSpace(req.Note) || got.Link != strings.TrimSpace(req.Link) {
		return got, AlreadyAnsweredError{PromptID: req.PromptID, Answer: got}
	}
	return got, nil
}

// AlreadyAnsweredError is an answer re-sent with a different note or link:
// the first answer stands (a question is answered once).
type AlreadyAnsweredError struct {
	PromptID string
	Answer   workflows.PromptAnswer
}

func (e AlreadyAnsweredError) Error() string {
	a := e.Answer
	s := fmt.Sprintf("%s was already answered with %q", e.PromptID, a.Choice)
	if a.Note != "" {
		s += fmt.Sprintf(", note %q", a.Note)
	}
	if a.Link != "" {
		s += fmt.Sprintf(", link %s", a.Link)
	}
	return s + fmt.Sprintf(" by %s at %s; a question is answered once, so the first answer stands and the new note or link was not recorded",
		a.By, a.At.Format("2006-01-02 15:04 MST"))
}

// ReassignRequest moves a question to someone else.
type ReassignRequest struct {
	PromptID string
	To       compliance.Person
	Reason   string
	Actor    compliance.Actor
	UpdateID string
}

// Reassign moves the prompt through its update (the lead or a delegate
// may; the validator says who).
func (s *Service) Reassign(ctx context.Context, req ReassignRequest) (workflows.ReassignPromptResult, error) {
	if err := checkActor(req.Actor); err != nil {
		return workflows.ReassignPromptResult{}, err
	}
	tc, err := s.temporal()
	if err != nil {
		return workflows.ReassignPromptResult{}, err
	}
	id := req.UpdateID
	if id == "" {
		id = fmt.Sprintf("%s/%s/reassign/%s/%s", req.Actor.Channel, req.PromptID, strings.ToLower(req.Actor.Person), strings.ToLower(req.To.Email))
	}
	svc := answers.Service{Temporal: tc}
	return svc.Reassign(ctx, req.PromptID, id, reassignPayload(req.To, req.Reason, req.Actor))
}
