package compliance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGraphEdgesHaveTwoEnds(t *testing.T) {
	s := mustSpec(t, withSystem(`  - name: app
    kind: application
    environment: production
    data: [none]
    scope: in
    connected_to: [db]
  - name: okta
    kind: identity-provider
    environment: corporate
    data: [none]
    scope: in
    connected_to: [app]
`))
	g := NewGraph(s)
	assert.Equal(t, []string{"app"}, g.Neighbours("db"), "db lists nothing but app lists it")
	assert.Equal(t, []string{"db", "okta"}, g.Neighbours("app"))
	var paths [][]string
	for _, r := range g.Reach("okta") {
		paths = append(paths, r.Path)
	}
	assert.Equal(t, [][]string{{"okta", "app"}, {"okta", "app", "db"}}, paths)
}

func TestGraphDoesNotWalkThroughExcluded(t *testing.T) {
	s := mustSpec(t, withSystem(`  - name: gateway
    kind: network
    environment: production
    data: [none]
    scope: excluded
    rationale: vendor managed
    connected_to: [db]
  - name: beyond
    kind: saas
    environment: corporate
    data: [none]
    scope: in
    connected_to: [gateway]
`))
	g := NewGraph(s)
	_, ok := g.FirstInScope("beyond", func(x System) bool { return x.Name == "db" })
	assert.False(t, ok, "db is only reachable through the excluded gateway")
}

func pciSpec(systems string) string {
	return strings.Replace(withSystem(systems), "frameworks:\n", "frameworks:\n  - id: pci-dss\n    entity: merchant\n    assessment: roc\n", 1)
}

func TestScopePCIConnectedFromEitherSide(t *testing.T) {
	// The excluded system declares the connection; the CDE system does not.
	rs := risksOf(t, mustSpec(t, pciSpec(`  - name: vault
    kind: database
    environment: production
    data: [cardholder-data]
    scope: in
    cde: true
  - name: reporting
    kind: saas
    environment: corporate
    data: [none]
    scope: excluded
    rationale: no card data
    connected_to: [vault]
`)))
	got := byRule(rs, RulePCIConnectedExcluded)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"vault", "reporting"}, got[0].Systems)
}

func TestScopePCIReachableThroughInScope(t *testing.T) {
	src := pciSpec(`  - name: vault
    kind: database
    environment: production
    data: [cardholder-data]
    scope: in
    cde: true
  - name: api
    kind: application
    environment: production
    data: [none]
    scope: in
    connected_to: [vault]
  - name: analytics
    kind: saas
    environment: corporate
    data: [none]
    scope: excluded
    rationale: aggregates only
    connected_to: [api]
`)
	rs := risksOf(t, mustSpec(t, src))
	got := byRule(rs, RulePCIReachableExcluded)
	require.Len(t, got, 1)
	assert.Equal(t, []string{"vault", "api", "analytics"}, got[0].Systems)
	assert.Equal(t, SeverityMedium, got[0].Severity)
	assert.Contains(t, got[0].Message, "through api")
	assert.Empty(t, byRule(rs, RulePCIConnectedExcluded), "analytics is not directly connected")

	// Near miss: the middle system is excluded too, so the path leaves the
	// boundary there and only api itself is the CDE's connected-to system.
	rs = risksOf(t, mustSpec(t, strings.Replace(src, "    scope: in\n    connected_to: [vault]", "    scope: excluded\n    rationale: x\n    connected_to: [vault]", 1)))
	assert.Empty(t, byRule(rs, RulePCIReachableExcluded))
	require.Len(t, byRule(rs, RulePCIConnectedExcluded), 1)
}

// ruleCase is a spec fragment a rule must flag and a near miss it must not.
type ruleCase struct {
	name      string
	rule      string
	flags     string
	nearMiss  string
	severity  Severity
	systems   []string
	mentioned string
}

func TestScopeGraphRules(t *testing.T) {
	cases := []ruleCase{{
		name: "identity provider", rule: RuleExcludedAccessControl, severity: SeverityHigh,
		systems: []string{"okta", "db"}, mentioned: "enforces sign-in",
		flags: `  - name: okta
    kind: identity-provider
    environment: corporate
    data: [none]
    scope: excluded
    rationale: SaaS
    connected_to: [db]
`,
		// An IdP serving only an excluded staging system enforces nothing in scope.
		nearMiss: `  - name: okta
    kind: identity-provider
    environment: corporate
    data: [none]
    scope: excluded
    rationale: SaaS
    connected_to: [staging]
  - name: staging
    kind: application
    environment: staging
    data: [none]
    scope: excluded
    rationale: synthetic data
`,
	}, {
		name: "directory through an in-scope system", rule: RuleExcludedAccessControl, severity: SeverityHigh,
		systems: []string{"ad", "app"}, mentioned: "in-scope system app",
		flags: `  - name: ad
    kind: directory
    environment: corporate
    data: [none]
    scope: excluded
    rationale: legacy
  - name: app
    kind: application
    environment: production
    data: [none]
    scope: in
    connected_to: [ad, db]
`,
		nearMiss: `  - name: ad
    kind: directory
    environment: corporate
    data: [none]
    scope: in
  - name: app
    kind: application
    environment: production
    data: [none]
    scope: in
    connected_to: [ad, db]
`,
	}, {
		name: "CI/CD that can deploy to production", rule: RuleExcludedChangeTooling, severity: SeverityHigh,
		systems: []string{"ci", "db"},
		flags: `  - name: ci
    kind: ci-cd
    environment: corporate
    data: [secrets]
    scope: excluded
    rationale: tooling
    connected_to: [db]
`,
		nearMiss: `  - name: ci
    kind: ci-cd
    environment: corporate
    data: [secrets]
    scope: excluded
    rationale: builds staging only
    connected_to: [staging]
  - name: staging
    kind: application
    environment: staging
    data: [none]
    scope: excluded
    rationale: synthetic data
`,
	}, {
		name: "source control", rule: RuleExcludedChangeTooling, severity: SeverityHigh,
		systems: []string{"github", "db"}, mentioned: "(through deploy)",
		flags: `  - name: github
    kind: code-repository
    environment: corporate
    data: [secrets]
    scope: excluded
    rationale: tooling
  - name: deploy
    kind: ci-cd
    environment: corporate
    data: [none]
    scope: in
    connected_to: [github, db]
`,
		// The only in-scope system it reaches is not production.
		nearMiss: `  - name: github
    kind: code-repository
    environment: corporate
    data: [secrets]
    scope: excluded
    rationale: tooling
    connected_to: [wiki]
  - name: wiki
    kind: saas
    environment: corporate
    data: [none]
    scope: in
`,
	}, {
		name: "monitoring", rule: RuleExcludedDetection, severity: SeverityMedium,
		systems: []string{"datadog", "db"},
		flags: `  - name: datadog
    kind: monitoring
    environment: corporate
    data: [none]
    scope: excluded
    rationale: SaaS
    connected_to: [db]
`,
		nearMiss: `  - name: datadog
    kind: monitoring
    environment: corporate
    data: [none]
    scope: excluded
    rationale: watches the marketing site only
`,
	}, {
		name: "endpoints with data", rule: RuleExcludedEndpoints, severity: SeverityMedium,
		systems: []string{"laptops"}, mentioned: "holds customer-data",
		flags: `  - name: laptops
    kind: endpoint
    environment: corporate
    data: [customer-data]
    scope: excluded
    rationale: BYOD
`,
		nearMiss: `  - name: kiosks
    kind: endpoint
    environment: corporate
    data: [none]
    scope: excluded
    rationale: lobby sign-in tablets, no network path to production
`,
	}, {
		name: "MDM managing in-scope endpoints", rule: RuleExcludedEndpoints, severity: SeverityMedium,
		systems: []string{"jamf", "macs"},
		flags: `  - name: jamf
    kind: mdm
    environment: corporate
    data: [none]
    scope: excluded
    rationale: IT tool
    connected_to: [macs]
  - name: macs
    kind: endpoint
    environment: corporate
    data: [none]
    scope: in
`,
		nearMiss: `  - name: jamf
    kind: mdm
    environment: corporate
    data: [none]
    scope: in
    connected_to: [macs]
  - name: macs
    kind: endpoint
    environment: corporate
    data: [none]
    scope: in
`,
	}, {
		name: "HR system", rule: RuleExcludedEmployeeData, severity: SeverityMedium,
		systems: []string{"bamboo"}, mentioned: "joiners, leavers",
		flags: `  - name: bamboo
    kind: hr
    environment: corporate
    data: [employee-data]
    scope: excluded
    rationale: HR owns it
`,
		nearMiss: `  - name: hubspot
    kind: saas
    environment: corporate
    data: [none]
    scope: excluded
    rationale: marketing
`,
	}, {
		name: "backups of in-scope data", rule: RuleBackupsOutOfScope, severity: SeverityHigh,
		systems: []string{"vault-backups", "db"},
		flags: `  - name: vault-backups
    kind: backup
    environment: production
    data: [none]
    scope: excluded
    rationale: cold storage
    copies_of: [db]
`,
		// A copy of an excluded synthetic-data system is no risk.
		nearMiss: `  - name: staging-backups
    kind: backup
    environment: staging
    data: [none]
    scope: excluded
    rationale: cold storage
    copies_of: [staging]
  - name: staging
    kind: application
    environment: staging
    data: [none]
    scope: excluded
    rationale: synthetic data
`,
	}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := byRule(risksOf(t, mustSpec(t, withSystem(tc.flags))), tc.rule)
			require.Len(t, got, 1)
			assert.Equal(t, tc.severity, got[0].Severity)
			assert.Equal(t, tc.systems, got[0].Systems)
			assert.Contains(t, got[0].Message, tc.mentioned)
			assert.Contains(t, got[0].Message, " — ", "the message says what to do")

			near := risksOf(t, mustSpec(t, withSystem(tc.nearMiss)))
			assert.Empty(t, byRule(near, tc.rule), "near miss must not be flagged")
		})
	}
}

// The report: a copy of the SaaS example that excluded the identity
// provider, source control, the HR system, a production CI pipeline and the
// monitoring platform raised no risk at all.
func TestScopeSaaSExampleWithToolingExcluded(t *testing.T) {
	s, err := LoadSpec("../examples/saas-startup.yaml")
	require.NoError(t, err)
	for i := range s.Systems {
		sys := &s.Systems[i]
		if sys.Kind == KindIdentity || sys.Kind == KindCodeRepository || sys.Kind == KindCICD || sys.Kind == KindMonitoring || sys.Kind == KindHR {
			sys.Scope, sys.Rationale = ScopeExcluded, "tooling"
		}
	}
	rs := risksOf(t, s)
	for _, rule := range []string{RuleExcludedAccessControl, RuleExcludedChangeTooling, RuleExcludedDetection, RuleExcludedEmployeeData} {
		assert.NotEmpty(t, byRule(rs, rule), rule)
	}
}
