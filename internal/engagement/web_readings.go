package engagement

import (
	"context"
	"fmt"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/workflows"
)

// ReadingDesk is one issued report as an owner explains what they own in
// it on their page: each of their controls and each exception touching
// them, with their current words and whether the lead approved them.
type ReadingDesk struct {
	Key      report.Key
	Opinion  report.Opinion
	Subjects []SubjectDesk
}

// SubjectDesk is one control or exception to explain.
type SubjectDesk struct {
	Subject    report.Subject
	Label      string
	Text       string
	ApprovedBy string
}

// MyReadings lists the reports in which email owns something to explain.
func (s *Service) MyReadings(ctx context.Context, id, email string) ([]ReadingDesk, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	reports, err := s.Reports(ctx, id)
	if err != nil {
		return nil, err
	}
	var out []ReadingDesk
	for _, r := range reports {
		words := map[string][2]string{}
		for _, e := range r.Explained {
			words[e.Subject] = [2]string{e.Body, e.ApprovedBy}
		}
		d := ReadingDesk{Key: r.Key, Opinion: r.Report.Opinion}
		add := func(sub report.Subject, label string) {
			w := words[string(sub)]
			d.Subjects = append(d.Subjects, SubjectDesk{Subject: sub, Label: label, Text: w[0], ApprovedBy: w[1]})
		}
		for _, rd := range r.Readings {
			if rd.Owner != email {
				continue
			}
			for _, c := range rd.Controls {
				add(report.ControlSubject(c), "what "+c+" covers")
			}
			for _, n := range rd.Exceptions {
				for _, e := range r.Report.Exceptions {
					if e.N == int(n) {
						add(report.ExceptionSubject(e.N), fmt.Sprintf("what exception %d (%s) means for a customer: %s Management's response: %s",
							e.N, e.Ref, e.Description, e.ManagementResponse))
					}
				}
			}
		}
		if len(d.Subjects) > 0 {
			out = append(out, d)
		}
	}
	return out, nil
}

// WebExplainRequest is a signed-in owner explaining one subject of a
// report of the engagement in the URL.
type WebExplainRequest struct {
	EngagementID string
	Person       string
	Report       string
	Subject      string
	Text         string
	Sign         Signer
}

// WebExplain sends the explanation through the report's reading
// workflow, whose validator (report.MayExplain) decides; the report and
// subject must be on the person's own desk in this engagement, so a form
// field reaches nothing else.
func (s *Service) WebExplain(ctx context.Context, req WebExplainRequest) (workflows.ReportExplanation, error) {
	desks, err := s.MyReadings(ctx, req.EngagementID, req.Person)
	if err != nil {
		return workflows.ReportExplanation{}, err
	}
	for _, d := range desks {
		if d.Key.String() != req.Report {
			continue
		}
		for _, sd := range d.Subjects {
			if string(sd.Subject) == req.Subject {
				return s.Explain(ctx, ExplainRequest{Key: d.Key, Subject: sd.Subject, Text: strings.TrimSpace(req.Text),
					Actor: identity.WebPerson(req.Person), Sign: req.Sign})
			}
		}
	}
	return workflows.ReportExplanation{}, ErrNoAccess
}
