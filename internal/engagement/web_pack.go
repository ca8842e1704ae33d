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
// with the accepted exceptions); the caller signs and writes them with
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
	spec, _, err := st.SpecAndPlan(ctx, id)
	if err != nil {
		return nil, err
	}
	return evidencepack.Build(rep, evidencepack.ExceptionsPart(accepted), evidencepack.TailoringPart(&spec))
}
