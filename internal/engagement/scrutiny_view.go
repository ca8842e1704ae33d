package engagement

import (
	"context"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// Scrutiny is what the client's customers are waiting on: the open
// customer reviews and their questions waiting, and the owners who have not
// read the newest issued report. Nil before any of it exists.
type Scrutiny struct {
	Reviews []OpenReview `json:"open_reviews,omitempty"`
	// Report names the newest issued report; Unread its owners who have
	// not confirmed reading it (asked or escalated).
	Report string   `json:"report,omitempty"`
	Unread []string `json:"unread,omitempty"`
	// Reconfirm counts approved answers out of the library until their
	// owners re-confirm them and the lead approves them again.
	Reconfirm int `json:"answers_to_reconfirm,omitempty"`
}

// WaitingOnOwners sums the open reviews' questions waiting on owners.
func (s *Scrutiny) WaitingOnOwners() int {
	n := 0
	for _, r := range s.Reviews {
		n += r.OnOwners
	}
	return n
}

// WaitingOnLead sums those waiting on the lead's triage or approval.
func (s *Scrutiny) WaitingOnLead() int {
	n := 0
	for _, r := range s.Reviews {
		n += r.OnLead
	}
	return n
}

// OpenReview is a customer review with questions still waiting.
type OpenReview struct {
	ReviewID string          `json:"review_id"`
	Customer string          `json:"customer"`
	Due      compliance.Date `json:"due"`
	// OnLead counts questions waiting on the lead (triage or approval),
	// OnOwners those waiting on an owner's answer, Returned those of them
	// whose answer the lead returned with a reason.
	OnLead   int `json:"waiting_on_lead"`
	OnOwners int `json:"waiting_on_owners"`
	Returned int `json:"returned_to_owners,omitempty"`
}

// scrutiny reads it from the record.
func scrutiny(ctx context.Context, store *postgres.Store, engagementID string) (*Scrutiny, error) {
	reviews, err := store.CustomerReviews(ctx, engagementID)
	if err != nil {
		return nil, fmt.Errorf("customer reviews of %s: %w", engagementID, err)
	}
	reports, err := store.Reports(ctx, engagementID)
	if err != nil {
		return nil, fmt.Errorf("reports of %s: %w", engagementID, err)
	}
	if len(reviews) == 0 && len(reports) == 0 {
		return nil, nil
	}
	out := &Scrutiny{}
	for _, r := range reviews {
		c := r.Counts
		o := OpenReview{ReviewID: r.ReviewID, Customer: r.Customer, Due: r.Due,
			OnLead: c[custreview.StatusUnmapped] + c[custreview.StatusAnswered], OnOwners: c[custreview.StatusRouted] + c[custreview.StatusReturned],
			Returned: c[custreview.StatusReturned]}
		if o.OnLead+o.OnOwners > 0 {
			out.Reviews = append(out.Reviews, o)
		}
	}
	unsettled, err := store.Unsettled(ctx, engagementID)
	if err != nil {
		return nil, err
	}
	out.Reconfirm = len(unsettled)
	if len(reports) > 0 {
		last := reports[len(reports)-1]
		out.Report = last.Key.String()
		for _, rd := range last.Readings {
			if rd.Status != postgres.ReadingRead {
				out.Unread = append(out.Unread, rd.Owner)
			}
		}
	}
	return out, nil
}
