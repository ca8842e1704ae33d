package engagement

import (
	"context"
	"fmt"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// Clock is the service's now (Now, or the wall clock).
func (s *Service) Clock() time.Time { return s.now() }

// EvidencePackFiles builds the evidence pack's files for the auditor's
// room with the parts the CLI's evidence-pack command writes: today's
// review and seed, the answered audit requests (and the files their
// answers carried), the accepted exceptions,
// the tailoring, the vendor files and every sampled file from the blob
// store. The caller signs and writes
// them with evidencepack.Write.
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
	spec, _, err := s.spec(ctx, id)
	if err != nil {
		return nil, err
	}
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return nil, fmt.Errorf("calendar of %s: %w", id, err)
	}
	answered, err := AuditRowsWithFiles(ctx, st, id, postgres.AuditAnswered, s.now())
	if err != nil {
		return nil, err
	}
	bs, err := s.blobs(ctx)
	if err != nil {
		return nil, err
	}
	vendors, err := VendorsPackPart(ctx, st, id, rep.AsOf)
	if err != nil {
		return nil, err
	}
	return evidencepack.Build(rep, evidencepack.AuditRequestsPart(answered, cal.Location),
		evidencepack.AnswerFilesPart(ctx, bs, answered),
		evidencepack.ExceptionsPart(accepted), evidencepack.Artifacts(ctx, bs, rep), evidencepack.TailoringPart(spec), vendors)
}
