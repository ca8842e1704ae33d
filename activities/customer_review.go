package activities

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// ImportCustomerReviewInput is a customer's questionnaire as the
// engagement's import update accepted it.
type ImportCustomerReviewInput struct {
	EngagementID string
	ReviewID     string
	Customer     string
	Due          compliance.Date
	Format       string
	FileName     string
	Spec         compliance.Spec
	Questions    []custreview.Question
	By           string
	At           time.Time
}

// ImportCustomerReviewResult is each question routed (or left for triage).
type ImportCustomerReviewResult struct {
	Routed []custreview.Routed
}

// ImportCustomerReview routes each question to its owner and records the
// review once.
func (a *Activities) ImportCustomerReview(ctx context.Context, in ImportCustomerReviewInput) (ImportCustomerReviewResult, error) {
	lib := catalog.Default()
	app, err := lib.ForSpec(&in.Spec)
	if err != nil {
		return ImportCustomerReviewResult{}, nonRetryable(ErrTypeBadInput, err)
	}
	routed := custreview.Route(&in.Spec, app, lib, in.Questions)
	// Follow-ups on an exception go to its owner with management's
	// response: the newest issued report's exceptions.
	reports, err := a.Store.Reports(ctx, in.EngagementID)
	if err != nil {
		return ImportCustomerReviewResult{}, err
	}
	bg := map[string]custreview.Background{}
	if len(reports) > 0 {
		last := reports[len(reports)-1]
		routed = custreview.RouteFollowUps(routed, last.Key.String(), last.Report.Exceptions)
		for _, e := range last.Explained {
			if c, ok := strings.CutPrefix(e.Subject, "control:"); ok && e.ApprovedBy != "" {
				bg[c] = custreview.Background{Explanation: e.Body}
			}
		}
	}
	evidence, err := a.Store.EvidenceFor(ctx, in.EngagementID)
	if err != nil {
		return ImportCustomerReviewResult{}, err
	}
	for _, e := range evidence { // oldest first: the last one wins
		b := bg[e.ControlID]
		value := e.Value
		if e.Kind == "file" {
			value = e.Filename
		}
		b.Evidence = fmt.Sprintf("%s %q for %s, given %s by %s", e.Kind, value, e.OccurrenceKey, e.SubmittedAt.UTC().Format("2006-01-02"), e.SubmittedBy)
		bg[e.ControlID] = b
	}
	routed = custreview.AddBackground(routed, bg)
	err = a.Store.ImportCustomerReview(ctx, postgres.CustomerReview{EngagementID: in.EngagementID, ReviewID: in.ReviewID, Customer: in.Customer,
		Due: in.Due, Format: in.Format, FileName: in.FileName, ImportedBy: in.By, ImportedAt: in.At}, routed)
	if err != nil {
		return ImportCustomerReviewResult{}, err
	}
	return ImportCustomerReviewResult{Routed: routed}, nil
}

// ChangeQuestionInput is one step of a question (custreview.Change).
type ChangeQuestionInput struct {
	Change custreview.Change
}

// ChangeQuestion records it.
func (a *Activities) ChangeQuestion(ctx context.Context, in ChangeQuestionInput) error {
	return a.Store.ChangeQuestion(ctx, in.Change)
}

// AnswerLibraryInput names the engagement.
type AnswerLibraryInput struct{ EngagementID string }

// AnswerLibraryResult is its approved answers.
type AnswerLibraryResult struct{ Approved []custreview.Suggestion }

// AnswerLibrary reads the engagement's approved answers, to offer them to
// owners answering later questions on the same controls.
func (a *Activities) AnswerLibrary(ctx context.Context, in AnswerLibraryInput) (AnswerLibraryResult, error) {
	lib, err := a.Store.AnswerLibrary(ctx, in.EngagementID)
	return AnswerLibraryResult{Approved: lib}, err
}

// StepAnswerInput is one re-confirmation step of a library answer.
type StepAnswerInput struct {
	Step postgres.LibraryStep
}

// StepAnswer applies it; a refusal by the rules is final, not retried.
func (a *Activities) StepAnswer(ctx context.Context, in StepAnswerInput) (postgres.CustomerQuestion, error) {
	q, err := a.Store.StepAnswer(ctx, in.Step)
	if errors.Is(err, postgres.ErrRefused) || errors.Is(err, postgres.ErrNoQuestion) {
		return q, nonRetryable(ErrTypeConflict, err)
	}
	return q, err
}

// AllowReviewFilesInput is the lead's decision to let a review's export
// carry the evidence files.
type AllowReviewFilesInput struct {
	EngagementID, ReviewID, By string
	At                         time.Time
	Key                        string
}

// AllowReviewFiles records it once; a review the engagement does not have
// is refused for good, not retried.
func (a *Activities) AllowReviewFiles(ctx context.Context, in AllowReviewFilesInput) (custreview.FilesAllowance, error) {
	f, err := a.Store.AllowReviewFiles(ctx, postgres.AllowFiles{EngagementID: in.EngagementID, ReviewID: in.ReviewID, By: in.By, At: in.At, Key: in.Key})
	if errors.Is(err, postgres.ErrNoReview) {
		return f, nonRetryable(ErrTypeBadInput, err)
	}
	return f, err
}
