package engagement

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/questionnaire"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ImportCustomerReviewRequest is a questionnaire file from a customer.
type ImportCustomerReviewRequest struct {
	EngagementID string
	Customer     string
	Due          compliance.Date
	FileName     string
	Data         []byte
	Actor        compliance.Actor
}

// ImportCustomerReview reads the questionnaire (every bad row is reported
// with its line or cell, and nothing is imported), then sends the
// engagement's import update, whose validator decides who may import it;
// the questions are routed to their owners, the rest to the lead's triage.
func (s *Service) ImportCustomerReview(ctx context.Context, req ImportCustomerReviewRequest) (workflows.ImportCustomerReviewResult, error) {
	var res workflows.ImportCustomerReviewResult
	if err := checkActor(req.Actor); err != nil {
		return res, err
	}
	q, err := questionnaire.Read(req.FileName, req.Data)
	if err != nil {
		return res, err
	}
	if err := custreview.CheckImport(req.Customer, req.Due, compliance.DateOf(s.now()), q.Questions); err != nil {
		return res, err
	}
	sum := sha256.Sum256(req.Data)
	id := req.EngagementID
	payload := workflows.ImportCustomerReviewRequest{Customer: strings.TrimSpace(req.Customer), Due: req.Due, Format: q.Format,
		FileName: filepath.Base(req.FileName), Questions: q.Questions, Actor: req.Actor}
	err = s.update(ctx, id, engagementWorkflow(id), workflows.UpdateImportCustomerReview,
		fmt.Sprintf("customer-review/%s/%s/%s", id, custreview.ReviewID(req.Customer, req.Due), hex.EncodeToString(sum[:8])), payload, &res)
	if err != nil {
		return res, fmt.Errorf("import %s's review into %s: %w", req.Customer, id, err)
	}
	return res, nil
}

// ReviewDecisionRequest is the lead mapping an unmapped question (Ref set)
// or approving an answer (Ref empty).
type ReviewDecisionRequest struct {
	EngagementID string
	ReviewID     string
	QuestionID   string
	Ref          string
	Actor        compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// DecideQuestion sends the mapping or the approval to the review's
// workflow, whose validators decide who may.
func (s *Service) DecideQuestion(ctx context.Context, req ReviewDecisionRequest) (workflows.ReviewQuestion, error) {
	var out workflows.ReviewQuestion
	if req.Sign == nil {
		if err := checkActor(req.Actor); err != nil {
			return out, err
		}
	}
	if req.Ref == "" {
		// An approved answer that new evidence or a new report unsettled
		// is approved back into the library on the engagement: the
		// review's own workflow may have ended.
		unsettled, err := s.Unsettled(ctx, req.EngagementID)
		if err != nil {
			return out, err
		}
		for _, u := range unsettled {
			if u.ReviewID == req.ReviewID && u.QuestionID == req.QuestionID {
				q, err := s.Reconfirm(ctx, ReconfirmRequest{EngagementID: req.EngagementID, ReviewID: req.ReviewID, QuestionID: req.QuestionID,
					Approve: true, Actor: req.Actor, Sign: req.Sign})
				return workflows.ReviewQuestion{Routed: custreview.Routed{Question: custreview.Question{ID: q.QuestionID, Text: q.Question, Ref: q.Ref},
					Controls: q.Controls, Owner: q.Owner}, Status: q.Status, Answer: q.Answer, Evidence: q.Evidence, AnsweredBy: q.AnsweredBy,
					ApprovedBy: q.ApprovedBy}, err
			}
		}
	}
	wid := workflows.CustomerReviewWorkflowID(req.EngagementID, req.ReviewID)
	name, updateID := workflows.UpdateApproveAnswer, fmt.Sprintf("approve/%s/%s", wid, req.QuestionID)
	if req.Ref != "" {
		name, updateID = workflows.UpdateMapQuestion, fmt.Sprintf("map/%s/%s/%s", wid, req.QuestionID, req.Ref)
	}
	if req.Sign != nil {
		req.Actor = req.Sign(wid, updateID)
	}
	if err := checkActor(req.Actor); err != nil {
		return out, err
	}
	var err error
	if req.Ref != "" {
		err = s.update(ctx, req.EngagementID, wid, name, updateID,
			workflows.MapQuestionRequest{QuestionID: req.QuestionID, Ref: req.Ref, Actor: req.Actor}, &out)
	} else {
		err = s.update(ctx, req.EngagementID, wid, name, updateID,
			workflows.ApproveAnswerRequest{QuestionID: req.QuestionID, Actor: req.Actor}, &out)
	}
	if err != nil {
		return out, fmt.Errorf("question %s of %s: %w", req.QuestionID, req.ReviewID, err)
	}
	return out, nil
}

// ReturnAnswerRequest is the lead returning an owner's answer to them
// with a reason.
type ReturnAnswerRequest struct {
	EngagementID string
	ReviewID     string
	QuestionID   string
	Reason       string
	Actor        compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// ReturnAnswer sends the return to the review's workflow, whose validator
// (custreview.CheckReturn) decides who may, which answer and with what
// reason; the owner is asked again with the reason.
func (s *Service) ReturnAnswer(ctx context.Context, req ReturnAnswerRequest) (workflows.ReviewQuestion, error) {
	var out workflows.ReviewQuestion
	if req.Sign == nil {
		if err := checkActor(req.Actor); err != nil {
			return out, err
		}
	}
	// The update ID names the answer returned (when it was given): the same
	// command typed again retries the same return; the owner's next answer,
	// returned in its turn, is a new update.
	_, qs, err := s.CustomerQuestions(ctx, req.EngagementID, req.ReviewID)
	if err != nil {
		return out, err
	}
	var answered int64
	for _, q := range qs {
		if q.QuestionID == req.QuestionID && q.AnsweredAt != nil {
			answered = q.AnsweredAt.UnixNano()
		}
	}
	wid := workflows.CustomerReviewWorkflowID(req.EngagementID, req.ReviewID)
	updateID := fmt.Sprintf("return/%s/%s/%d", wid, req.QuestionID, answered)
	if req.Sign != nil {
		req.Actor = req.Sign(wid, updateID)
	}
	if err := checkActor(req.Actor); err != nil {
		return out, err
	}
	err = s.update(ctx, req.EngagementID, wid, workflows.UpdateReturnAnswer, updateID,
		workflows.ReturnAnswerRequest{QuestionID: req.QuestionID, Reason: req.Reason, Actor: req.Actor}, &out)
	if err != nil {
		return out, fmt.Errorf("question %s of %s: %w", req.QuestionID, req.ReviewID, err)
	}
	return out, nil
}

// CustomerReviews lists the engagement's customer reviews.
func (s *Service) CustomerReviews(ctx context.Context, engagementID string) ([]postgres.CustomerReview, error) {
	if _, _, err := s.spec(ctx, engagementID); err != nil {
		return nil, err
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	return st.CustomerReviews(ctx, engagementID)
}

// CustomerQuestions lists one review's questions.
func (s *Service) CustomerQuestions(ctx context.Context, engagementID, reviewID string) (postgres.CustomerReview, []postgres.CustomerQuestion, error) {
	reviews, err := s.CustomerReviews(ctx, engagementID)
	if err != nil {
		return postgres.CustomerReview{}, nil, err
	}
	for _, r := range reviews {
		if r.ReviewID == reviewID {
			qs, err := s.Store.CustomerQuestions(ctx, engagementID, reviewID)
			return r, qs, err
		}
	}
	var ids []string
	for _, r := range reviews {
		ids = append(ids, r.ReviewID)
	}
	return postgres.CustomerReview{}, nil, fmt.Errorf("%s has no customer review %q (it has: %s)", engagementID, reviewID, strings.Join(ids, ", "))
}

// ExportCustomerReview writes the answered questionnaire in the format it
// came in: an answer is released only once the lead approved it; each
// carries its owner and the evidence it rests on (a reference, never the
// file: ExportCustomerReviewWithFiles is the export the lead may allow).
func (s *Service) ExportCustomerReview(ctx context.Context, engagementID, reviewID string, w io.Writer) (string, error) {
	r, qs, err := s.CustomerQuestions(ctx, engagementID, reviewID)
	if err != nil {
		return "", err
	}
	return r.Format, questionnaire.Write(w, r.Format, answeredRows(qs))
}

func answeredRows(qs []postgres.CustomerQuestion) []questionnaire.AnsweredRow {
	rows := make([]questionnaire.AnsweredRow, 0, len(qs))
	for _, q := range qs {
		row := questionnaire.AnsweredRow{QuestionID: q.QuestionID, Question: q.Question, Ref: q.Ref,
			Controls: strings.Join(q.Controls, " "), Owner: q.Owner, Status: q.Status}
		if q.Status == custreview.StatusApproved {
			row.Answer, row.Evidence, row.ApprovedBy = q.Answer, q.Evidence, q.ApprovedBy
		}
		rows = append(rows, row)
	}
	return rows
}

// ReconfirmRequest is an owner re-confirming an unsettled library answer
// (Answer/Evidence rewrite it when set), or the lead approving it back
// (Approve).
type ReconfirmRequest struct {
	EngagementID, ReviewID, QuestionID string
	Approve                            bool
	Answer, Evidence                   string
	Actor                              compliance.Actor
	// Sign, when set, attests Actor's person for the update (the web).
	Sign Signer
}

// Reconfirm sends the step to the engagement's workflow, whose validator
// and activity apply the rules of compliance/custreview.
func (s *Service) Reconfirm(ctx context.Context, req ReconfirmRequest) (postgres.CustomerQuestion, error) {
	var out postgres.CustomerQuestion
	if req.Sign == nil {
		if err := checkActor(req.Actor); err != nil {
			return out, err
		}
	}
	step := "reconfirm"
	if req.Approve {
		step = "reapprove"
	}
	// The update ID names the unsettling it answers: the same words typed
	// again retry the same step; a later unsettling is a new step.
	unsettled, err := s.Unsettled(ctx, req.EngagementID)
	if err != nil {
		return out, err
	}
	var since int64
	for _, u := range unsettled {
		if u.ReviewID == req.ReviewID && u.QuestionID == req.QuestionID && u.ReconfirmSince != nil {
			since = u.ReconfirmSince.UnixNano()
		}
	}
	sum := sha256.Sum256([]byte(req.Answer + "\x00" + req.Evidence))
	id := req.EngagementID
	updateID := fmt.Sprintf("%s/%s/%s/%s/%d/%s/%s", step, id, req.ReviewID, req.QuestionID, since, strings.ToLower(req.Actor.Person), hex.EncodeToString(sum[:6]))
	if req.Sign != nil {
		req.Actor = req.Sign(engagementWorkflow(id), updateID)
	}
	if err := checkActor(req.Actor); err != nil {
		return out, err
	}
	err = s.update(ctx, id, engagementWorkflow(id), workflows.UpdateReconfirmAnswer, updateID,
		workflows.ReconfirmAnswerRequest{ReviewID: req.ReviewID, QuestionID: req.QuestionID, Approve: req.Approve, Answer: req.Answer,
			Evidence: req.Evidence, Actor: req.Actor}, &out)
	if err != nil {
		return out, fmt.Errorf("question %s of %s: %w", req.QuestionID, req.ReviewID, err)
	}
	return out, nil
}

// Unsettled lists the approved answers out of the library until they are
// re-confirmed.
func (s *Service) Unsettled(ctx context.Context, engagementID string) ([]postgres.UnsettledAnswer, error) {
	if _, _, err := s.spec(ctx, engagementID); err != nil {
		return nil, err
	}
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	return st.Unsettled(ctx, engagementID)
}
