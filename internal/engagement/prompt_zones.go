package engagement

import (
	"context"
	"errors"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// addresseeZones is each prompt's addressee's time zone: the person's own
// from the spec, else the engagement's reminders zone, so a due time reads
// in the hours of the person who has to meet it.
func (s *Service) addresseeZones(ctx context.Context, ps []postgres.Prompt) (map[string]string, error) {
	zones := make(map[string]string, len(ps))
	specs := map[string]*compliance.Spec{}
	for _, p := range ps {
		spec, seen := specs[p.EngagementID]
		if !seen {
			sp, _, err := s.spec(ctx, p.EngagementID)
			if err != nil && !errors.Is(err, postgres.ErrNotFound) {
				return nil, err
			}
			spec, specs[p.EngagementID] = sp, sp
		}
		if spec == nil {
			continue // no spec recorded: the listing shows UTC
		}
		zone := spec.Reminders.TimeZone
		if per := spec.Person(strings.ToLower(p.AddresseeEmail)); per != nil && per.TimeZone != "" {
			zone = per.TimeZone
		}
		zones[p.ID] = zone
	}
	return zones, nil
}
