package engagement

import (
	"context"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ReviewDesk is one customer review as the lead works it on the
// engagement page: the questions to map to a control (triage), the
// answers to approve before release or return to their owner, those
// returned and waiting on the owner's new answer (with the lead's
// reason), and whether the export may carry files.
type ReviewDesk struct {
	Review   postgres.CustomerReview
	Unmapped []postgres.CustomerQuestion
	Answered []postgres.CustomerQuestion
	Returned []postgres.CustomerQuestion
	Approved int
}

// ReviewDesks lists the engagement's reviews with their triage and
// approval lists.
func (s *Service) ReviewDesks(ctx context.Context, engagementID string) ([]ReviewDesk, error) {
	reviews, err := s.CustomerReviews(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	out := make([]ReviewDesk, 0, len(reviews))
	for _, r := range reviews {
		qs, err := s.Store.CustomerQuestions(ctx, engagementID, r.ReviewID)
		if err != nil {
			return nil, err
		}
		d := ReviewDesk{Review: r}
		for _, q := range qs {
			switch q.Status {
			case custreview.StatusUnmapped:
				d.Unmapped = append(d.Unmapped, q)
			case custreview.StatusAnswered:
				d.Answered = append(d.Answered, q)
			case custreview.StatusReturned:
				d.Returned = append(d.Returned, q)
			case custreview.StatusApproved:
				d.Approved++
			}
		}
		out = append(out, d)
	}
	return out, nil
}

// IssuedReportRequest is the certification and the issued report as the
// web's form gives them, recorded as `starter certified --opinion` does.
type IssuedReportRequest struct {
	Certify CertifyRequest
	Report  RecordReportRequest
}

// RecordIssued records the certification (a second time changes nothing),
// then the report: the same two updates, validators and file handling as
// the CLI's certified command.
func (s *Service) RecordIssued(ctx context.Context, req IssuedReportRequest) (workflows.RecordReportResult, error) {
	if _, err := s.Certify(ctx, req.Certify); err != nil {
		return workflows.RecordReportResult{}, err
	}
	res, err := s.RecordReport(ctx, req.Report)
	if err != nil {
		return res, fmt.Errorf("the certification is recorded, the report is not: %w", err)
	}
	return res, nil
}
