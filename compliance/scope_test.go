package compliance

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var scopeNow = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func mustSpec(t *testing.T, src string) *Spec {
	t.Helper()
	s, err := ParseSpec("test.yaml", []byte(src))
	require.NoError(t, err)
	return s
}

func risksOf(t *testing.T, s *Spec) []ScopeRisk {
	t.Helper()
	p, err := PlanEngagement(s, scopeNow)
	require.NoError(t, err)
	return AssessScope(s, p)
}

func byRule(rs []ScopeRisk, rule string) []ScopeRisk {
	var out []ScopeRisk
	for _, r := range rs {
		if r.Rule == rule {
			out = append(out, r)
		}
	}
	return out
}

// withSystem adds a system to the minimal spec.
func withSystem(yaml string) string {
	return strings.Replace(minimal, "people:", yaml+"people:", 1)
}

func TestScopeExcludedSensitiveData(t *testing.T) {
	rs := risksOf(t, mustSpec(t, withSystem(`  - name: crm
    kind: saas
    environment: corporate
    data: [personal-data]
    scope: excluded
    rationale: marketing only
  - name: warehouse
    kind: saas
    environment: production
    data: [customer-data]
    scope: excluded
    rationale: analytics copy
`)))
	got := byRule(rs, RuleExcludedSensitiveData)
	require.Len(t, got, 2)
	sev := map[string]Severity{}
	for _, r := range got {
		sev[r.Systems[0]] = r.Severity
		assert.NotEmpty(t, r.Message)
	}
	assert.Equal(t, SeverityMedium, sev["crm"], "personal data alone is a medium risk")
	assert.Equal(t, SeverityHigh, sev["warehouse"], "customer data is high")
	assert.Equal(t, SeverityHigh, rs[0].Severity, "findings are ordered high first")
}

func TestScopeExcludedCoreSystems(t *testing.T) {
	rs := risksOf(t, mustSpec(t, withSystem(`  - name: replica
    kind: database
    environment: production
    data: [none]
    scope: excluded
    rationale: read replica
  - name: payments-gw
    kind: integration
    environment: production
    data: [none]
    scope: excluded
    rationale: vendor's scope
  - name: dev-db
    kind: database
    environment: development
    data: [none]
    scope: excluded
    rationale: no real data
`)))
	got := byRule(rs, RuleExcludedCoreSystem)
	var names []string
	for _, r := range got {
		names = append(names, r.Systems[0])
		assert.Equal(t, SeverityHigh, r.Severity)
	}
	assert.ElementsMatch(t, []string{"replica", "payments-gw"}, names, "a development database is not a core system")
}

func TestScopePCIRules(t *testing.T) {
	src := strings.Replace(withSystem(`  - name: checkout
    kind: application
    environment: production
    data: [cardholder-data]
    scope: in
    cardholder_flow: [transmit]
  - name: vault
    kind: database
    environment: production
    data: [cardholder-data]
    scope: in
    cde: true
    connected_to: [reporting]
  - name: reporting
    kind: saas
    environment: corporate
    data: [none]
    scope: excluded
    rationale: no card data
`), "frameworks:\n", "frameworks:\n  - id: pci-dss\n    entity: merchant\n    assessment: roc\n", 1)
	rs := risksOf(t, mustSpec(t, src))
	outside := byRule(rs, RulePCIOutsideCDE)
	require.Len(t, outside, 1)
	assert.Equal(t, []string{"checkout"}, outside[0].Systems, "touches card data outside the CDE")
	connected := byRule(rs, RulePCIConnectedExcluded)
	require.Len(t, connected, 1)
	assert.Equal(t, []string{"vault", "reporting"}, connected[0].Systems)

	// Without PCI DSS the same systems raise no PCI findings.
	rs = risksOf(t, mustSpec(t, strings.NewReplacer("    cde: true\n", "", "    cardholder_flow: [transmit]\n", "").Replace(withSystem(`  - name: vault
    kind: database
    environment: production
    data: [customer-data]
    scope: in
`))))
	assert.Empty(t, byRule(rs, RulePCIOutsideCDE))
	assert.Empty(t, byRule(rs, RulePCIConnectedExcluded))
}

func TestScopeWindowLength(t *testing.T) {
	cases := []struct {
		start, end, audit string
		rule              string
	}{
		{"2027-03-01", "2027-04-30", "2027-07-01", RuleWindowTooShort},
		{"2027-03-01", "2027-05-31", "2027-08-01", RuleAnnualInShortWindow},
		{"2027-03-01", "2027-08-31", "2027-10-01", RuleAnnualInShortWindow},
		{"2027-01-01", "2027-12-31", "2028-02-01", ""},
	}
	for _, tc := range cases {
		src := strings.NewReplacer("start: 2027-01-01, end: 2027-12-31", "start: "+tc.start+", end: "+tc.end,
			"audit_date: 2028-02-01", "audit_date: "+tc.audit).Replace(minimal)
		rs := risksOf(t, mustSpec(t, src))
		short, annual := byRule(rs, RuleWindowTooShort), byRule(rs, RuleAnnualInShortWindow)
		switch tc.rule {
		case RuleWindowTooShort:
			assert.Len(t, short, 1, tc.end)
			assert.Empty(t, annual)
		case RuleAnnualInShortWindow:
			assert.Empty(t, short, tc.end)
			assert.Len(t, annual, 1, tc.end)
		default:
			assert.Empty(t, short, tc.end)
			assert.Empty(t, annual, tc.end)
		}
	}
}

func TestScopeAuditTooClose(t *testing.T) {
	src := strings.NewReplacer("start: 2027-01-01, end: 2027-12-31", "start: 2026-12-01, end: 2027-03-31",
		"audit_date: 2028-02-01", "audit_date: 2027-04-20").Replace(minimal)
	rs := risksOf(t, mustSpec(t, src))
	got := byRule(rs, RulePlanDoesNotFit)
	require.Len(t, got, 1)
	assert.Equal(t, SeverityHigh, got[0].Severity)
	assert.Contains(t, got[0].Message, "business days short")
}

func TestScopeUnownedAreas(t *testing.T) {
	rs := risksOf(t, mustSpec(t, minimal))
	got := byRule(rs, RuleNoOwner)
	require.Len(t, got, 1, "one finding lists every unowned area")
	assert.Contains(t, got[0].Message, "access")
	assert.NotContains(t, got[0].Message, "cardholder", "card areas need an owner only under PCI DSS")

	owned := strings.Replace(minimal, "    roles: [lead]\n", "    roles: [lead, control-owner]\n    owns: [governance, risk, people, asset, access, crypto, physical, operations, network, vulnerability, logging, change, development, vendor, incident, continuity, privacy, data]\n", 1)
	assert.Empty(t, byRule(risksOf(t, mustSpec(t, owned)), RuleNoOwner))
}

func TestScopeExamplesAreStable(t *testing.T) {
	for _, f := range []string{"../examples/saas-startup.yaml", "../examples/payments-co.yaml"} {
		s, err := LoadSpec(f)
		require.NoError(t, err)
		a, b := risksOf(t, s), risksOf(t, s)
		assert.Equal(t, a, b, "findings are deterministic")
	}
}
