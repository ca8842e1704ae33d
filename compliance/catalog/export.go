package catalog

import "github.com/steadfast-grc/steadfast/compliance"

// Export is the whole catalog in the JSON shape other tools read
// (`starter catalog export --format json`):
//
//	{"frameworks":[{"id":"soc2","version":"...","requirements":[{"id":"CC6.1","title":"...","kind":"criterion"}]}],
//	 "controls":[{"id":"...","title":"...","frequency":"quarterly","maps":{"soc2":["CC6.2"],"iso27001":["A.5.18"],"pci-dss":["7.2.4"]}}]}
//
// Fields beyond those are extra and may grow; the named ones will not change.
type Export struct {
	LibraryVersion string              `json:"library_version"`
	Frameworks     []*FrameworkCatalog `json:"frameworks"`
	Controls       []ExportControl     `json:"controls"`
}

// ExportControl is a control with its maps keyed by every framework, so a
// reader can index any framework without checking for a missing key.
type ExportControl struct {
	ID          string               `json:"id"`
	Title       string               `json:"title"`
	Frequency   compliance.Frequency `json:"frequency"`
	Maps        map[string][]string  `json:"maps"`
	Description string               `json:"description"`
	Domain      compliance.Domain    `json:"domain"`
	Type        ControlType          `json:"type"`
	Evidence    string               `json:"evidence"`
	Automated   bool                 `json:"automated"`
	Owner       string               `json:"owner"`
	When        Condition            `json:"when,omitempty"`
	// Why is the rationale per framework and requirement ID (see Control.Why).
	Why map[string]map[string]string `json:"why,omitempty"`
}

// Export returns the library in its export shape.
func (l *Library) Export() Export {
	e := Export{LibraryVersion: LibraryVersion, Frameworks: l.Frameworks}
	for _, c := range l.Controls {
		maps := map[string][]string{}
		for _, fw := range compliance.FrameworkIDs {
			ids := c.Maps[fw]
			if ids == nil {
				ids = []string{}
			}
			maps[string(fw)] = ids
		}
		why := map[string]map[string]string{}
		for fw, m := range c.Why {
			why[string(fw)] = m
		}
		e.Controls = append(e.Controls, ExportControl{
			ID: c.ID, Title: c.Title, Frequency: c.Frequency, Maps: maps,
			Description: c.Description, Domain: c.Domain, Type: c.Type,
			Evidence: c.Evidence, Automated: c.Automated, Owner: c.Owner, When: c.When,
			Why: why,
		})
	}
	return e
}
