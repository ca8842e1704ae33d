package postcert

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

const warehouse = `name: events-warehouse
kind: database
environment: production
data: [customer-data]
scope: excluded
rationale: Analytics copy; access is by the data team only.
connected_to: [card-vault]
`

func TestParseSystem(t *testing.T) {
	sys, err := ParseSystem("system.yaml", []byte(warehouse))
	require.NoError(t, err)
	assert.Equal(t, compliance.System{
		Name: "events-warehouse", Kind: compliance.KindDatabase, Environment: compliance.EnvProduction,
		Data: []compliance.DataClass{compliance.DataCustomer}, Scope: compliance.ScopeExcluded,
		Rationale: "Analytics copy; access is by the data team only.", ConnectedTo: []string{"card-vault"},
	}, sys)
}

func TestParseSystemReportsFileLineColumn(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{{
		name: "misspelt field",
		src:  "name: office\nkidn: physical\nenvironment: corporate\ndata: [none]\nscope: in\n",
		want: []string{`system.yaml:2:1: kidn: unknown field (did you mean "kind"?)`},
	}, {
		name: "unknown value, with the column",
		src:  "name: crm\nkind: saas\nenvironment: corporate\ndata: [personal-data, cardholder]\nscope: in\n",
		want: []string{`system.yaml:4:23: data: unknown data class "cardholder" (did you mean "cardholder-data"?)`},
	}, {
		name: "every problem at once",
		src:  "name: crm\nkind: sass\nenvironment: prod\ndata: [none, secrets]\nscope: excluded\n",
		want: []string{
			`system.yaml:1:1: rationale: an excluded system needs a rationale the auditor can read`,
			`system.yaml:2:7: kind: unknown system kind "sass" (did you mean "saas"?)`,
			`system.yaml:3:14: environment: unknown environment "prod" (did you mean "production"?)`,
			`system.yaml:4:14: data: "none" cannot be combined with other data classes`,
		},
	}, {
		name: "not a mapping",
		src:  "- name: crm\n",
		want: []string{`system.yaml:1:1: expected a mapping of fields, got a list`},
	}, {
		name: "empty",
		src:  "",
		want: []string{`system.yaml: system is empty`},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			sys, err := ParseSystem("system.yaml", []byte(tc.src))
			require.Error(t, err)
			assert.Zero(t, sys)
			var es compliance.SpecErrors
			require.True(t, errors.As(err, &es))
			var got []string
			for _, e := range es {
				got = append(got, e.Error())
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func FuzzParseSystem(f *testing.F) {
	f.Add([]byte(warehouse))
	f.Add([]byte("name: a\nkind: physical\nenvironment: corporate\ndata: [none]\nscope: in\n"))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("data: {x: 1}\ncde: maybe"))
	f.Fuzz(func(t *testing.T, data []byte) {
		sys, err := ParseSystem("fuzz.yaml", data)
		if err != nil {
			var es compliance.SpecErrors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not a non-empty SpecErrors: %v", err)
			}
			for _, e := range es {
				if !strings.HasPrefix(e.Error(), "fuzz.yaml") {
					t.Fatalf("error does not name the file: %v", e)
				}
			}
			if sys.Name != "" || sys.Kind != "" || len(sys.Data) > 0 {
				t.Fatalf("a system with errors must not be returned: %+v", sys)
			}
			return
		}
		// Whatever parses is complete enough for the scope rules.
		if strings.TrimSpace(sys.Name) == "" || sys.Kind == "" || sys.Environment == "" || len(sys.Data) == 0 || sys.Scope == "" {
			t.Fatalf("accepted an incomplete system: %+v", sys)
		}
		if sys.Scope == compliance.ScopeExcluded && strings.TrimSpace(sys.Rationale) == "" {
			t.Fatalf("accepted an excluded system without a rationale: %+v", sys)
		}
	})
}

func rules(rs []compliance.ScopeRisk) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Rule+" "+strings.Join(r.Systems, ","))
	}
	slices.Sort(out)
	return out
}

func TestNewSystemRisksExcludedDatabaseNextToTheCDE(t *testing.T) {
	spec := loadSpec(t, "payments-co.yaml")
	before := len(spec.Systems)
	vault := slices.Clone(spec.System("card-vault").ConnectedTo)
	sys, err := ParseSystem("system.yaml", []byte(warehouse))
	require.NoError(t, err)

	risks, controls, err := NewSystemRisks(spec, sys)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"excluded-core-system events-warehouse",
		"excluded-sensitive-data events-warehouse",
		// Only the warehouse names the vault; the connection counts both
		// ways, so the CDE rule sees an excluded system connected to it.
		"pci-connected-out-of-scope card-vault,events-warehouse",
	}, rules(risks), "the new system's risks and none the engagement already had")
	assert.Empty(t, controls, "an excluded database brings no control into scope")

	assert.Len(t, spec.Systems, before, "the spec is not changed")
	assert.Equal(t, vault, spec.System("card-vault").ConnectedTo)
}

func TestNewSystemRisksOfficeBringsPhysicalControls(t *testing.T) {
	spec := loadSpec(t, "saas-startup.yaml")
	office, err := ParseSystem("office.yaml", []byte("name: boston-office\nkind: physical\nenvironment: corporate\ndata: [none]\nscope: in\n"))
	require.NoError(t, err)
	risks, controls, err := NewSystemRisks(spec, office)
	require.NoError(t, err)
	assert.Empty(t, risks)
	assert.Equal(t, []string{"PHY-01", "PHY-02", "PHY-03", "PHY-04", "PHY-05", "PHY-06"}, controls,
		"an office in scope brings the physical controls, which a cloud-only start-up relied on its provider for")

	// Asking again with the office already in the spec is refused, and
	// the same office on a spec that has one brings nothing new.
	_, _, err = NewSystemRisks(spec, compliance.System{Name: "okta"})
	assert.ErrorContains(t, err, "already in the spec")
	withOffice := *spec
	withOffice.Systems = append(slices.Clone(spec.Systems), office)
	second := office
	second.Name = "austin-office"
	_, again, err := NewSystemRisks(&withOffice, second)
	require.NoError(t, err)
	assert.Empty(t, again)
}

func TestNewSystemRisksRaisedWithoutNamingTheSystem(t *testing.T) {
	spec, err := compliance.ParseSpec("acme.yaml", []byte(`id: acme
client: {name: Acme Ltd}
frameworks:
  - id: soc2
    report: type1
audit_date: 2028-02-01
systems:
  - {name: db, kind: database, environment: production, data: [customer-data], scope: in}
people:
  - name: Lee Lead
    email: lee@acme.example
    roles: [lead, control-owner]
    owns: [governance, risk, people, asset, access, crypto, physical, operations, network, vulnerability, logging, change, development, vendor, incident, continuity, data]
reminders: {time_zone: Europe/London}
`))
	require.NoError(t, err)
	hr := compliance.System{Name: "hr-system", Kind: compliance.KindSaaS, Environment: compliance.EnvCorporate,
		Data: []compliance.DataClass{compliance.DataPersonal}, Scope: compliance.ScopeIn}
	risks, _, err := NewSystemRisks(spec, hr)
	require.NoError(t, err)
	require.Len(t, risks, 1, "personal data in scope makes privacy an area someone must own")
	assert.Equal(t, compliance.RuleNoOwner, risks[0].Rule)
	assert.Contains(t, risks[0].Message, "privacy")
}

// A disaster-recovery bucket entering a certified programme excluded is
// found by the backup rule through the spec it joins.
func TestNewSystemRisksBackupOfInScopeData(t *testing.T) {
	saas := loadSpec(t, "saas-startup.yaml")
	dr := compliance.System{Name: "dr-bucket", Kind: compliance.KindBackup, Environment: compliance.EnvProduction,
		Data: []compliance.DataClass{compliance.DataNone}, Scope: compliance.ScopeExcluded, Rationale: "cold copy", CopiesOf: []string{"primary-db"}}
	risks, _, err := NewSystemRisks(saas, dr)
	require.NoError(t, err)
	assert.Equal(t, []string{"backups-out-of-scope dr-bucket,primary-db"}, rules(risks))
}

func TestNewSystemRisksChecksAgainstTheSpec(t *testing.T) {
	saas := loadSpec(t, "saas-startup.yaml")
	base := compliance.System{Name: "crm", Kind: compliance.KindSaaS, Environment: compliance.EnvCorporate,
		Data: []compliance.DataClass{compliance.DataPersonal}, Scope: compliance.ScopeIn}
	for _, tc := range []struct {
		name string
		edit func(*compliance.System)
		want string
	}{
		{"unknown peer", func(s *compliance.System) { s.ConnectedTo = []string{"salesforce"} }, `"salesforce", which is not a system`},
		{"connected to itself", func(s *compliance.System) { s.ConnectedTo = []string{"crm"} }, "connected to itself"},
		{"copies of an unknown system", func(s *compliance.System) { s.CopiesOf = []string{"primry-db"} }, `copies_of names "primry-db"`},
		{"PCI fields without PCI", func(s *compliance.System) { s.CDE = true }, "pci-dss is not among the frameworks"},
		{"no name", func(s *compliance.System) { s.Name = " " }, "has no name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sys := base
			tc.edit(&sys)
			_, _, err := NewSystemRisks(saas, sys)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	_, _, err := NewSystemRisks(nil, base)
	assert.Error(t, err)
}
