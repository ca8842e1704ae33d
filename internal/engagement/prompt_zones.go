package engagement

import (
	"context"
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
			if err != nil {
				return nil, err
			}
			spec, specs[p.EngagementID] = sp, sp
		}
		zone := spec.Reminders.TimeZone
		if per := spec.Person(strings.ToLower(p.AddresseeEmail)); per != nil && per.TimeZone != "" {
			zone = per.TimeZone
		}
		zones[p.ID] = zone
	}
	return zones, nil
}
