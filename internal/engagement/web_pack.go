package engagement

import (
	"context"
	"time"

	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// Clock is the service's now (Now, or the wall clock).
func (s *Service) Clock() time.Time { return s.now() }

// EvidencePackFiles builds the evidence pack's files for the auditor's
// room as the CLI's evidence-pack command does (today's review and seed,
// with the accepted exceptions and the vendor files); the caller signs and writes them with
// evidencepack.Write. The answered audit requests part is the CLI's alone
// for now.
func (s *Service) EvidencePackFiles(ctx context.Context, id string) (map[string][]byte, error) {
	st, err := s.store()
	if err != nil {
		return nil, err
	}
	rep, err := ReviewAsOf(ctx, st, ReadinessRequest{EngagementID: id}, s.now())
	if err != nil {
		return nil, err
	}
	accepted, err := st.AcceptedExceptions(ctx, id)
	if err != nil {
		return nil, err
	}
	vendors, err := VendorsPackPart(ctx, st, id, rep.AsOf)
	if err != nil {
		return nil, err
	}
	return evidencepack.Build(rep, evidencepack.ExceptionsPart(accepted), vendors)
}
