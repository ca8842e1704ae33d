package engagement

import (
	"context"
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ExplanationToApprove is an owner's explanation of a control or an
// exception of an issued report, written and not yet approved: what the
// lead approves on the engagement page.
type ExplanationToApprove struct {
	Key     report.Key
	Subject report.Subject
	// Label names the subject as the lead reads it ("ACC-04", "exception 1
	// (ACC-04): the auditor's description").
	Label string
	Text  string
	By    string
}

// ExplanationsToApprove lists the engagement's explanations waiting for
// the lead's approval, report by report.
func (s *Service) ExplanationsToApprove(ctx context.Context, engagementID string) ([]ExplanationToApprove, error) {
	reports, err := s.Reports(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	var out []ExplanationToApprove
	for _, r := range reports {
		for _, e := range r.Explained {
			if e.Body == "" || e.ApprovedBy != "" {
				continue
			}
			label := strings.TrimPrefix(e.Subject, "control:")
			for _, x := range r.Report.Exceptions {
				if report.ExceptionSubject(x.N) == report.Subject(e.Subject) {
					label = fmt.Sprintf("exception %d (%s): %s", x.N, x.Ref, x.Description)
				}
			}
			out = append(out, ExplanationToApprove{Key: r.Key, Subject: report.Subject(e.Subject), Label: label, Text: e.Body, By: e.WrittenBy})
		}
	}
	return out, nil
}

// WebApproveExplanationRequest is a signed-in person approving one
// explanation of a report of the engagement in the URL.
type WebApproveExplanationRequest struct {
	EngagementID string
	Person       string
	Report       string
	Subject      string
	Sign         Signer
}

// WebApproveExplanation sends the approval through Explain, as `starter
// report approve` does, whose update's validator
// (report.MayApproveExplanation) decides; the report and the subject must
// be an explanation of this engagement, so a form field reaches nothing
// else.
func (s *Service) WebApproveExplanation(ctx context.Context, req WebApproveExplanationRequest) (workflows.ReportExplanation, error) {
	reports, err := s.Reports(ctx, req.EngagementID)
	if err != nil {
		return workflows.ReportExplanation{}, err
	}
	for _, r := range reports {
		if r.Key.String() != req.Report {
			continue
		}
		for _, e := range r.Explained {
			if e.Subject == req.Subject {
				return s.Explain(ctx, ExplainRequest{Key: r.Key, Subject: report.Subject(e.Subject), Approve: true,
					Actor: identity.WebPerson(req.Person), Sign: req.Sign})
			}
		}
	}
	return workflows.ReportExplanation{}, ErrNoAccess
}
