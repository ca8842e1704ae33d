package activities

import (
	"context"
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
)

// RecordedCertificationInput names one certification of an engagement by
// its key: the framework and the date.
type RecordedCertificationInput struct {
	EngagementID string
	Framework    compliance.FrameworkID
	Date         compliance.Date
}

// RecordedCertificationResult is the certification as the engagement
// recorded it, if it did.
type RecordedCertificationResult struct {
	Found         bool
	Certification postcert.Certification
}

// RecordedCertification reads a certification back from the store. The
// programme trusts a certification only as recorded there (by the
// engagement's validated certify update), not as a signal carried it: any
// Temporal client can send the signal.
func (a *Activities) RecordedCertification(ctx context.Context, in RecordedCertificationInput) (RecordedCertificationResult, error) {
	rows, err := a.Store.Certifications(ctx, in.EngagementID)
	if err != nil {
		return RecordedCertificationResult{}, classify(fmt.Errorf("read certification %s %s of %s: %w", in.Framework, in.Date, in.EngagementID, err))
	}
	for _, c := range rows {
		if c.Framework == in.Framework && c.CertifiedOn == in.Date {
			return RecordedCertificationResult{Found: true, Certification: postcert.Certification{
				Framework: c.Framework, Date: c.CertifiedOn, ReportPeriod: c.ReportPeriod, Reference: c.Reference,
			}}, nil
		}
	}
	return RecordedCertificationResult{}, nil
}
