package catalog_test

import (
	"errors"
	"testing"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

const fuzzTailoredSpec = `id: acme
client: {name: Acme}
frameworks:
  - {id: soc2, report: type1}
  - {id: iso27001}
audit_date: 2028-02-01
systems: [{name: db, kind: database, environment: production, data: [customer-data], scope: in}]
people:
  - {name: L, email: l@a.io, roles: [lead]}
  - {name: O, email: o@a.io, roles: [control-owner], owns: [access]}
vendors: [{name: V, kind: saas}]
reminders: {time_zone: UTC}
tailoring:
  controls:
    ACC-04: {owner: o@a.io, frequency: monthly, risk: high}
    AST-09: {not_applicable: true, justification: none}
    CRY-02: {inherited_from: V, justification: kms}
  custom:
    - {id: AC-01, title: T, description: D, domain: access, type: technical, frequency: weekly, evidence: E, maps: {soc2: {CC6.1: x}, iso27001: {A.8.3: y}}}
`

// FuzzParseTailoredSpec: whatever parses against the library tailors it
// without error (every ID was checked where it is written), and the scope
// rules run on it.
func FuzzParseTailoredSpec(f *testing.F) {
	f.Add([]byte(fuzzTailoredSpec))
	f.Add([]byte("tailoring: {controls: {ACC-4: {}}, custom: [{id: X-1, maps: {soc2: {CC9: ''}}}]}"))
	f.Add([]byte("tailoring: {controls: {acc-04: {not_applicable: yes}}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := catalog.ParseSpec("fuzz.yaml", data)
		if err != nil {
			var es compliance.SpecErrors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not a non-empty SpecErrors: %v", err)
			}
			return
		}
		a, err := catalog.Default().ForSpec(s)
		if err != nil {
			t.Fatalf("a spec that parsed against the library does not tailor it: %v", err)
		}
		for _, ic := range a.Inherited {
			if s.Vendor(ic.Vendor) == nil {
				t.Fatalf("inherited from %q, not a vendor of the spec", ic.Vendor)
			}
		}
		if _, err := catalog.AssessScope(s, compliance.Plan{Fits: true}); err != nil {
			t.Fatalf("scope rules: %v", err)
		}
	})
}
