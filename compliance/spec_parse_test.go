package compliance

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// minimal is a valid spec that each error case breaks in one place.
const minimal = `id: acme
client:
  name: Acme Ltd
frameworks:
  - id: soc2
    report: type2
    window: {start: 2027-01-01, end: 2027-12-31}
audit_date: 2028-02-01
systems:
  - name: db
    kind: database
    environment: production
    data: [customer-data]
    scope: in
people:
  - name: Lee Lead
    email: lee@acme.example
    roles: [lead]
reminders:
  time_zone: Europe/London
`

func parseErrs(t *testing.T, src string) SpecErrors {
	t.Helper()
	s, err := ParseSpec("acme.yaml", []byte(src))
	require.Error(t, err, "spec should be rejected")
	assert.Nil(t, s, "a rejected spec returns nothing half-parsed")
	var es SpecErrors
	require.True(t, errors.As(err, &es))
	return es
}

func TestParseExamples(t *testing.T) {
	for _, f := range []string{"../examples/saas-startup.yaml", "../examples/payments-co.yaml"} {
		s, err := LoadSpec(f)
		require.NoError(t, err, f)
		assert.NotEmpty(t, s.ID)
		assert.NotEmpty(t, s.PeopleWithRole(RoleLead))
	}
}

func TestParseMinimalAppliesDefaults(t *testing.T) {
	s, err := ParseSpec("acme.yaml", []byte(minimal))
	require.NoError(t, err)
	assert.Equal(t, "acme", s.ID)
	f := s.Framework(SOC2)
	require.NotNil(t, f)
	assert.Equal(t, []TSCCategory{CategorySecurity}, f.Categories, "security is always in a SOC 2 report")
	assert.Equal(t, SOC2Version, f.Version)
	assert.Equal(t, DefaultBusinessDays, s.Reminders.BusinessDays)
	assert.Equal(t, []int{2, 4}, s.Reminders.RemindAfter)
	assert.Equal(t, 10, s.Reminders.ExpireAfter)
}

func TestParseDerivesIDFromClient(t *testing.T) {
	s, err := ParseSpec("x.yaml", []byte(strings.Replace(minimal, "id: acme\n", "", 1)))
	require.NoError(t, err)
	assert.Equal(t, "acme-ltd", s.ID)
}

func TestParseErrorClasses(t *testing.T) {
	cases := []struct {
		name string
		old  string
		new  string
		want string // substring of the one error expected
	}{
		{"unknown data class with suggestion", "data: [customer-data]", "data: [cardholder]",
			`acme.yaml:13:12: systems[0].data: unknown data class "cardholder" (did you mean "cardholder-data"?)`},
		{"unknown field with suggestion", "    kind: database", "    knd: database",
			`acme.yaml:11:5: systems[0].knd: unknown field (did you mean "kind"?)`},
		{"list where a value belongs", "  name: Acme Ltd", "  name: [Acme]", "client.name: expected a single value, got a list"},
		{"value where a list belongs", "data: [customer-data]", "data: customer-data", "systems[0].data: expected a list"},
		{"bad date", "audit_date: 2028-02-01", "audit_date: 1 Feb 2028", `audit_date: "1 Feb 2028" is not a date in YYYY-MM-DD form`},
		{"missing audit date", "audit_date: 2028-02-01\n", "", "audit_date: is required"},
		{"missing client name", "  name: Acme Ltd\n", "  industry: x\n", "client.name: is required"},
		{"bad id", "id: acme", "id: Acme Corp", `id: "Acme Corp" must be`},
		{"no frameworks", "frameworks:\n  - id: soc2\n    report: type2\n    window: {start: 2027-01-01, end: 2027-12-31}\n", "frameworks: []\n", "at least one framework"},
		{"unknown framework", "  - id: soc2", "  - id: soc-2", `unknown framework "soc-2" (did you mean "soc2"?)`},
		{"type2 without window", "    window: {start: 2027-01-01, end: 2027-12-31}\n", "", "needs an observation window"},
		{"window reversed", "end: 2027-12-31", "end: 2026-12-31", "not after it starts"},
		{"audit before window ends", "audit_date: 2028-02-01", "audit_date: 2027-06-01", "falls before the observation window ends"},
		{"type1 with window", "report: type2", "report: type1", "Type I report is at a point in time"},
		{"excluded without rationale", "    scope: in", "    scope: excluded", "systems[0].rationale: an excluded system needs a rationale"},
		{"unknown connected system", "    scope: in\n", "    scope: in\n    connected_to: [dbb]\n", `unknown system "dbb" (did you mean "db"?)`},
		{"none with others", "data: [customer-data]", "data: [customer-data, none]", `"none" cannot be combined`},
		{"pci fields without pci", "    scope: in\n", "    scope: in\n    cde: true\n", "pci-dss is not among the frameworks"},
		{"bad bool", "    scope: in\n", "    scope: in\n    cde: maybe\n", "cde: expected true or false"},
		{"bad email", "lee@acme.example", "lee at acme", "is not a plain email address"},
		{"no lead", "roles: [lead]", "roles: [sponsor]", "no one has the lead role"},
		{"owner without areas", "roles: [lead]", "roles: [lead, control-owner]", "must own at least one control area"},
		{"unknown area", "roles: [lead]", "roles: [lead, control-owner]\n    owns: [acces]", `unknown control area "acces" (did you mean "access"?)`},
		{"bad slack id", "    roles: [lead]", "    roles: [lead]\n    slack_id: maya", "is not a Slack user ID"},
		{"unknown time zone", "time_zone: Europe/London", "time_zone: Europe/Londn", `unknown time zone "Europe/Londn"`},
		{"missing time zone", "reminders:\n  time_zone: Europe/London\n", "", "reminders.time_zone: is required"},
		{"ladder not climbing", "time_zone: Europe/London", "time_zone: Europe/London\n  lead_after: 9\n  sponsor_after: 3", "the ladder must climb"},
		{"bad jira key", "reminders:", "integrations:\n  jira_project: sec\nreminders:", "is not a Jira project key"},
		{"population without jql", "reminders:", "integrations:\n  populations:\n    - control: CHG-01\nreminders:", "integrations.populations[0].jql: is required"},
		{"population control misspelt", "reminders:", "integrations:\n  populations:\n    - control: chg-1\n      jql: project = CHG\nreminders:",
			`acme.yaml:21:16: integrations.populations[0].control: "chg-1" is not a control ID (like CHG-01)`},
		{"population field misspelt", "reminders:", "integrations:\n  populations:\n    - control: CHG-01\n      jql: project = CHG\n      approved_satus: Approved\nreminders:",
			`acme.yaml:23:7: integrations.populations[0].approved_satus: unknown field (did you mean "approved_status"?)`},
		{"population given twice", "reminders:", "integrations:\n  populations:\n    - {control: CHG-01, jql: project = CHG}\n    - {control: CHG-01, jql: project = OPS}\nreminders:",
			"integrations.populations[1].control: CHG-01 already has a population at integrations.populations[0]"},
		{"bad number", "time_zone: Europe/London", "time_zone: Europe/London\n  lead_after: soon", "expected a whole number"},
		{"duplicate key", "  name: Acme Ltd", "  name: Acme Ltd\n  name: Acme", "field is given twice"},
		{"alias", "    data: [customer-data]\n    scope: in\n", "    data: &d [customer-data]\n    scope: in\n  - name: db2\n    kind: database\n    environment: production\n    data: *d\n    scope: in\n", "aliases are not supported"},
		{"yaml syntax", "client:\n  name: Acme Ltd", "client:\n  name: [Acme Ltd", "invalid YAML"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, minimal, tc.old, "the case must change the spec")
			es := parseErrs(t, strings.Replace(minimal, tc.old, tc.new, 1))
			require.Len(t, es, 1, "exactly one problem expected, got:\n%s", es.Error())
			assert.Contains(t, es[0].Error(), tc.want)
			if tc.name != "yaml syntax" {
				assert.Positive(t, es[0].Line, "every error carries a line")
				assert.Positive(t, es[0].Column, "every error carries a column")
			}
		})
	}
}

func TestParsePopulations(t *testing.T) {
	src := strings.Replace(minimal, "reminders:", `integrations:
  populations:
    - control: CHG-01
      jql: project = CHG AND issuetype = Change ORDER BY created
      approved_status: Approved
    - control: PPL-01
      jql: project = HR AND labels = joiner
reminders:`, 1)
	s, err := ParseSpec("acme.yaml", []byte(src))
	require.NoError(t, err)
	require.Len(t, s.Integrations.Populations, 2)
	p := s.PopulationOf("CHG-01")
	require.NotNil(t, p)
	assert.Equal(t, "Approved", p.ApprovedStatus)
	assert.Equal(t, "project = HR AND labels = joiner", s.PopulationOf("PPL-01").JQL)
	assert.Nil(t, s.PopulationOf("ACC-01"))
}

func TestParsePCIRules(t *testing.T) {
	pci := strings.Replace(minimal, "frameworks:\n", "frameworks:\n  - id: pci-dss\n    entity: service-provider\n    assessment: saq\n    saq: D-Merchant\n", 1)
	es := parseErrs(t, pci)
	require.Len(t, es, 1)
	assert.Contains(t, es[0].Error(), "a service provider can only self-assess with SAQ D-SP")

	es = parseErrs(t, strings.Replace(pci, "saq: D-Merchant", "saq: a-ep", 1))
	assert.Contains(t, es.Error(), `unknown SAQ type "a-ep" (did you mean "A-EP"?)`)

	es = parseErrs(t, strings.Replace(pci, "    assessment: saq\n    saq: D-Merchant\n", "", 1))
	assert.Contains(t, es.Error(), "assessment: is required")
}

func TestParseReportsEveryErrorAtOnceInFileOrder(t *testing.T) {
	src := strings.NewReplacer(
		"data: [customer-data]", "data: [cardholder]",
		"lee@acme.example", "not-an-email",
		"time_zone: Europe/London", "time_zone: Mars/Olympus",
		"    kind: database", "    kind: databse",
	).Replace(minimal)
	es := parseErrs(t, src)
	require.Len(t, es, 4, es.Error())
	for i := 1; i < len(es); i++ {
		assert.LessOrEqual(t, es[i-1].Line, es[i].Line, "errors are in file order")
	}
	assert.Contains(t, es.Error(), `kind: unknown system kind "databse" (did you mean "database"?)`)
}

func TestParseEmptyAndOversized(t *testing.T) {
	es := parseErrs(t, "")
	assert.Contains(t, es.Error(), "spec is empty")
	es = parseErrs(t, "[1, 2]")
	assert.Contains(t, es.Error(), "expected a mapping of fields")
	es = parseErrs(t, strings.Repeat("#", MaxSpecBytes+1))
	assert.Contains(t, es.Error(), "a spec may be at most")
}

func TestParseDuplicateSlackID(t *testing.T) {
	src := strings.Replace(minimal, "    roles: [lead]\n", `    roles: [lead]
    slack_id: U012AB3CD
  - name: Sam Second
    email: sam@acme.example
    roles: [sponsor]
    slack_id: U012AB3CD
`, 1)
	es := parseErrs(t, src)
	require.Len(t, es, 1, es.Error())
	assert.Equal(t, `acme.yaml:23:15: people[1].slack_id: U012AB3CD is already the Slack user of people[0] (lee@acme.example); one Slack user is one person`, es[0].Error())
}

// LoadSpec stops reading at the cap: /dev/zero never ends.
func TestLoadSpecBoundedRead(t *testing.T) {
	done := make(chan error, 1)
	go func() { _, err := LoadSpec("/dev/zero"); done <- err }()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "a spec may be at most")
	case <-time.After(10 * time.Second):
		t.Fatal("LoadSpec(/dev/zero) is still reading")
	}
}

func TestLoadSpecMissingFile(t *testing.T) {
	_, err := LoadSpec("does-not-exist.yaml")
	require.ErrorIs(t, err, os.ErrNotExist)
}

func FuzzParseSpec(f *testing.F) {
	// Seeds stay small: mutating a multi-kilobyte example makes each
	// execution slow enough that a short fuzz run explores almost nothing.
	f.Add([]byte(minimal))
	f.Add([]byte("a: &a [*a]"))
	f.Add([]byte("systems: [{data: [x]}]"))
	// The third-party sections: vendors with reports, CUECs, a risk
	// register and Annex A exclusions (see vendor_parse_test.go).
	f.Add([]byte(minimalThirdParties))
	f.Add([]byte("vendors: [{name: x, kind: subservice, treatment: inclusive, reports: [{type: soc2-type2, issued: 2027-01-01}]}]"))
	f.Add([]byte("frameworks: [{id: iso27001, exclusions: [{control: A.9.1}]}]\nrisks: [{id: R, treatment: mitigate}]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := ParseSpec("fuzz.yaml", data)
		if err != nil {
			var es SpecErrors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not a non-empty SpecErrors: %v", err)
			}
			if s != nil {
				t.Fatal("a spec with errors must not be returned")
			}
			return
		}
		// Whatever parses must be usable by the rest of the domain.
		if s.ID == "" || len(s.Frameworks) == 0 || len(s.PeopleWithRole(RoleLead)) == 0 {
			t.Fatalf("accepted an incomplete spec: %+v", s)
		}
		if _, err := NewCalendar(s.Reminders); err != nil {
			t.Fatalf("accepted spec has an unusable calendar: %v", err)
		}
		// Every rule must run on whatever parses, graph and vendors included.
		for _, r := range AssessScope(s, Plan{Fits: true}) {
			if r.Rule == "" || r.Message == "" {
				t.Fatalf("scope risk without rule or message: %+v", r)
			}
		}
	})
}
