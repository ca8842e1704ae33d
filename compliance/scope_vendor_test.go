package compliance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withVendors adds a vendors section to the minimal spec (window 2027,
// audit 2028-02-01, one in-scope production database "db").
func withVendors(yaml string) string {
	return strings.Replace(minimal, "reminders:", "vendors:\n"+yaml+"reminders:", 1)
}

// currentSOC2 is a report covering the whole of the minimal spec's window.
const currentSOC2 = `    reports:
      - type: soc2-type2
        period: {start: 2027-01-01, end: 2027-12-31}
        issued: 2028-01-20
`

func TestScopeVendorRules(t *testing.T) {
	cases := []ruleCase{{
		name: "carve-out without monitoring", rule: RuleCarveOutUnmonitored, severity: SeverityHigh,
		systems: []string{"vendor:AWS", "db"}, mentioned: "VND-04",
		flags: `  - name: AWS
    kind: subservice
    service: cloud hosting
    systems: [db]
    data: [customer-data]
    treatment: carve-out
` + currentSOC2,
		nearMiss: `  - name: AWS
    kind: subservice
    service: cloud hosting
    systems: [db]
    data: [customer-data]
    treatment: carve-out
    monitored_by: [VND-04]
` + currentSOC2,
	}, {
		name: "inclusive without agreement", rule: RuleInclusiveNoAgreement, severity: SeverityHigh,
		systems: []string{"vendor:OpsCo", "db"}, mentioned: "switch to carve-out",
		flags: `  - name: OpsCo
    kind: subservice
    service: managed database operations
    systems: [db]
    treatment: inclusive
` + currentSOC2,
		nearMiss: `  - name: OpsCo
    kind: subservice
    service: managed database operations
    systems: [db]
    treatment: inclusive
    agreement: MSA schedule 4 signed 2026-10-01, auditor access granted
` + currentSOC2,
	}, {
		name: "missing report", rule: RuleVendorReportMissing, severity: SeverityMedium,
		systems: []string{"vendor:Gusto"}, mentioned: "no report",
		flags: `  - name: Gusto
    kind: saas
    service: payroll
    data: [employee-data]
`,
		// A vendor that touches no data needs no report.
		nearMiss: `  - name: Figma
    kind: saas
    service: design tool
    data: [none]
`,
	}, {
		name: "expired certificate", rule: RuleVendorReportExpired, severity: SeverityMedium,
		systems: []string{"vendor:Gusto"}, mentioned: "out of date",
		flags: `  - name: Gusto
    kind: saas
    service: payroll
    data: [employee-data]
    reports:
      - type: iso27001
        issued: 2025-03-01
        expires: 2028-01-15
`,
		nearMiss: `  - name: Gusto
    kind: saas
    service: payroll
    data: [employee-data]
    reports:
      - type: iso27001
        issued: 2025-03-01
        expires: 2028-02-28
`,
	}, {
		name: "stale Type II", rule: RuleVendorReportExpired, severity: SeverityHigh,
		systems: []string{"vendor:AWS"},
		flags: `  - name: AWS
    kind: subservice
    service: cloud hosting
    treatment: carve-out
    monitored_by: [VND-04]
    reports:
      - type: soc2-type2
        period: {start: 2025-10-01, end: 2026-09-30}
        issued: 2026-11-15
`,
		nearMiss: `  - name: AWS
    kind: subservice
    service: cloud hosting
    treatment: carve-out
    monitored_by: [VND-04]
` + currentSOC2,
	}, {
		name: "report ends before our window without a bridge letter", rule: RuleVendorBridgeLetter, severity: SeverityMedium,
		systems: []string{"vendor:AWS"}, mentioned: "bridge letter",
		flags: `  - name: AWS
    kind: subservice
    service: cloud hosting
    treatment: carve-out
    monitored_by: [VND-04]
    reports:
      - type: soc2-type2
        period: {start: 2026-10-01, end: 2027-09-30}
        issued: 2027-11-15
`,
		nearMiss: `  - name: AWS
    kind: subservice
    service: cloud hosting
    treatment: carve-out
    monitored_by: [VND-04]
    bridge_letter: 2028-01-10
    reports:
      - type: soc2-type2
        period: {start: 2026-10-01, end: 2027-09-30}
        issued: 2027-11-15
`,
	}, {
		name: "contractor with production access", rule: RuleThirdPartyAccess, severity: SeverityHigh,
		systems: []string{"vendor:DevShop", "db"}, mentioned: "monitored_by",
		flags: `  - name: DevShop
    kind: development-shop
    service: mobile app development
    systems: [db]
    production_access: true
`,
		nearMiss: `  - name: DevShop
    kind: development-shop
    service: mobile app development
    systems: [db]
    production_access: true
    monitored_by: [VND-03, VND-04]
`,
	}, {
		name: "MSP with production access", rule: RuleThirdPartyAccess, severity: SeverityHigh,
		systems: []string{"vendor:MSP", "db"},
		flags: `  - name: MSP
    kind: msp
    service: IT support
    systems: [db]
    production_access: true
`,
		// No production access: it supports laptops, not production.
		nearMiss: `  - name: MSP
    kind: msp
    service: IT support
    systems: [db]
    production_access: false
`,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := byRule(risksOf(t, mustSpec(t, withVendors(tc.flags))), tc.rule)
			require.Len(t, got, 1)
			assert.Equal(t, tc.severity, got[0].Severity)
			assert.Equal(t, tc.systems, got[0].Systems)
			assert.Contains(t, got[0].Message, tc.mentioned)

			near := risksOf(t, mustSpec(t, withVendors(tc.nearMiss)))
			assert.Empty(t, byRule(near, tc.rule), "near miss must not be flagged")
		})
	}
}

func TestScopePCIServiceProviderWithoutAOC(t *testing.T) {
	pci := strings.Replace(minimal, "frameworks:\n", "frameworks:\n  - id: pci-dss\n    entity: merchant\n    assessment: roc\n", 1)
	vendor := `vendors:
  - name: Stripe
    kind: saas
    service: card payments
    data: [cardholder-data]
    pci_service_provider: true
    reports:
      - type: soc2-type2
        period: {start: 2027-01-01, end: 2027-12-31}
        issued: 2028-01-20
reminders:`
	rs := risksOf(t, mustSpec(t, strings.Replace(pci, "reminders:", vendor, 1)))
	got := byRule(rs, RulePCIProviderWithoutAOC)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Message, "12.8")
	assert.Equal(t, []string{"vendor:Stripe"}, got[0].Systems)

	withAOC := strings.Replace(vendor, "reports:\n", "reports:\n      - type: pci-aoc\n        issued: 2027-06-01\n        expires: 2028-06-01\n", 1)
	rs = risksOf(t, mustSpec(t, strings.Replace(pci, "reminders:", withAOC, 1)))
	assert.Empty(t, byRule(rs, RulePCIProviderWithoutAOC))

	// An AOC that lapses before the assessment does not count.
	lapsed := strings.Replace(withAOC, "expires: 2028-06-01", "expires: 2028-01-15", 1)
	got = byRule(risksOf(t, mustSpec(t, strings.Replace(pci, "reminders:", lapsed, 1))), RulePCIProviderWithoutAOC)
	require.Len(t, got, 1)
	assert.Contains(t, got[0].Message, "out of date")
}

func TestScopeAnnexAExcludedButNeeded(t *testing.T) {
	iso := strings.Replace(minimal, "frameworks:\n", `frameworks:
  - id: iso27001
    exclusions:
      - control: A.8.13
        justification: backups are the cloud provider's
`, 1)
	register := func(treatment string) string {
		return strings.Replace(iso, "reminders:", `risks:
  - id: R-01
    title: Loss of customer data
    owner: lee@acme.example
    treatment: `+treatment+`
    controls: [A.8.13, A.8.24]
reminders:`, 1)
	}
	got := byRule(risksOf(t, mustSpec(t, register("mitigate"))), RuleAnnexAExcludedButNeeds)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"risk:R-01", "annex-a:A.8.13"}, got[0].Systems)
	assert.Contains(t, got[0].Message, "backups are the cloud provider's")

	// An accepted risk does not rely on its controls operating.
	assert.Empty(t, byRule(risksOf(t, mustSpec(t, register("accept"))), RuleAnnexAExcludedButNeeds))
}

func TestVendorItemsCarryTheirRisks(t *testing.T) {
	s := mustSpec(t, withVendors(`  - name: AWS
    kind: subservice
    service: cloud hosting
    treatment: carve-out
  - name: Figma
    kind: saas
    service: design
    data: [none]
`))
	items := VendorItems(s, risksOf(t, s))
	require.Len(t, items, 2)
	var rules []string
	for _, r := range items[0].Risks {
		rules = append(rules, r.Rule)
	}
	assert.ElementsMatch(t, []string{RuleCarveOutUnmonitored, RuleVendorReportMissing}, rules)
	assert.Empty(t, items[1].Risks)
}

func TestCUECs(t *testing.T) {
	s := mustSpec(t, strings.Replace(minimal, "reminders:", `user_entity_controls:
  - id: CUEC-1
    description: "  Customers review which of their users can sign in to the platform.  "
    supports: [ACC-04]
reminders:`, 1))
	got := s.CUECs()
	require.Len(t, got, 1)
	assert.Equal(t, "Customers review which of their users can sign in to the platform.", got[0].Description)
	assert.Equal(t, []string{"ACC-04"}, got[0].Supports)
	got[0].Supports[0] = "changed"
	assert.Equal(t, "ACC-04", s.UserEntityControls[0].Supports[0], "the list is a copy")
}
