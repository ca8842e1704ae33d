package compliance

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// minimalThirdParties is the minimal spec with one vendor, an ISO 27001
// exclusion, a risk and a CUEC, each of which the error cases break once.
var minimalThirdParties = strings.Replace(strings.Replace(minimal, "reminders:", `vendors:
  - name: AWS
    kind: subservice
    service: cloud hosting
    systems: [db]
    data: [customer-data]
    treatment: carve-out
    monitored_by: [VND-04]
    reports:
      - type: soc2-type2
        period: {start: 2027-01-01, end: 2027-12-31}
        issued: 2028-01-20
    csocs:
      - description: physical security of the data centres
        supports: [PHY-01]
user_entity_controls:
  - id: CUEC-1
    description: customers manage their own users
    supports: [ACC-04]
risks:
  - id: R-01
    title: Loss of customer data
    owner: lee@acme.example
    treatment: mitigate
    controls: [A.8.13]
reminders:`, 1), "frameworks:\n", `frameworks:
  - id: iso27001
    exclusions:
      - control: A.7.4
        justification: no premises
`, 1)

func TestParseThirdParties(t *testing.T) {
	s, err := ParseSpec("acme.yaml", []byte(minimalThirdParties))
	require.NoError(t, err)
	v := s.Vendor("AWS")
	require.NotNil(t, v)
	assert.Equal(t, CarveOut, v.Treatment)
	require.NotNil(t, v.Latest())
	assert.Equal(t, "2027-12-31", v.Latest().Period.End.String())
	assert.Equal(t, []string{"PHY-01"}, v.CSOCs[0].Supports)
	assert.Equal(t, "no premises", s.Framework(ISO27001).Excluded("A.7.4").Justification)
	assert.Nil(t, s.Framework(ISO27001).Excluded("A.8.13"))
	assert.Equal(t, []string{"R-01"}, s.RisksFor("A.8.13"))
	assert.Empty(t, risksOf(t, s)[0:0])
}

func TestParseThirdPartyErrors(t *testing.T) {
	cases := []struct{ name, old, new, want string }{
		{"vendor kind misspelt", "kind: subservice", "kind: subservise", `vendors[0].kind: unknown vendor kind "subservise" (did you mean "subservice"?)`},
		{"treatment misspelt", "treatment: carve-out", "treatment: carveout", `acme.yaml:29:16: vendors[0].treatment: unknown SOC 2 treatment "carveout" (did you mean "carve-out"?)`},
		{"vendor touches unknown system", "systems: [db]", "systems: [dbx]", `vendors[0].systems: unknown system "dbx" (did you mean "db"?)`},
		{"vendor without service", "    service: cloud hosting\n", "", "vendors[0].service: is required"},
		{"treatment on a SaaS vendor", "kind: subservice", "kind: saas", "only a subservice organisation is carved out or included"},
		{"agreement on a carve-out", "    treatment: carve-out\n", "    treatment: carve-out\n    agreement: signed\n", "an agreement is recorded only for an inclusive treatment"},
		{"monitoring control malformed", "monitored_by: [VND-04]", "monitored_by: [vendor review]", `vendors[0].monitored_by: "vendor review" is not a control ID`},
		{"report type unknown", "type: soc2-type2", "type: soc3", `unknown report type "soc3"`},
		{"type II without period", "        period: {start: 2027-01-01, end: 2027-12-31}\n", "", "a soc2-type2 report covers a period"},
		{"report issued before its period ends", "issued: 2028-01-20", "issued: 2027-12-01", "issued 2027-12-01, before the period it reports on ends"},
		{"report date malformed", "issued: 2028-01-20", "issued: Jan 2028", `"Jan 2028" is not a date`},
		{"pci provider without pci", "    treatment: carve-out\n", "    treatment: carve-out\n    pci_service_provider: true\n", "pci-dss is not among the frameworks"},
		{"csoc without supports", "        supports: [PHY-01]\n", "", "vendors[0].csocs[0].supports: is required"},
		{"vendor owner unknown", "    service: cloud hosting\n", "    service: cloud hosting\n    owner: ghost@acme.example\n", "ghost@acme.example is not one of the spec's people"},
		{"cuec without description", "    description: customers manage their own users\n", "", "user_entity_controls[0].description: is required"},
		{"risk treatment unknown", "treatment: mitigate", "treatment: mitigated", `unknown risk treatment "mitigated" (did you mean "mitigate"?)`},
		{"risk control not annex A", "controls: [A.8.13]", "controls: [ACC-01]", `risks[0].controls: "ACC-01" is not an Annex A control ID`},
		{"mitigated risk without controls", "    controls: [A.8.13]\n", "", "a mitigated risk names the Annex A controls"},
		{"risk owner unknown", "owner: lee@acme.example", "owner: nobody@acme.example", "nobody@acme.example is not one of the spec's people"},
		{"exclusion without justification", "        justification: no premises\n", "", "needs a justification the auditor can read"},
		{"exclusion of a non Annex A id", "control: A.7.4", "control: 7.4", `"7.4" is not an Annex A control ID`},
		{"exclusions on SOC 2", "    window: {start: 2027-01-01, end: 2027-12-31}\n", "    window: {start: 2027-01-01, end: 2027-12-31}\n    exclusions: [{control: A.7.4, justification: x}]\n", "exclusions applies only to ISO 27001"},
		{"copies of unknown system", "    scope: in\n", "    scope: in\n    copies_of: [dbb]\n", `systems[0].copies_of: unknown system "dbb"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Contains(t, minimalThirdParties, tc.old, "the case must change the spec")
			es := parseErrs(t, strings.Replace(minimalThirdParties, tc.old, tc.new, 1))
			require.Len(t, es, 1, "exactly one problem expected, got:\n%s", es.Error())
			assert.Contains(t, es[0].Error(), tc.want)
			assert.Positive(t, es[0].Line, "every error carries a line")
			assert.Positive(t, es[0].Column, "every error carries a column")
		})
	}
}

const riskCSV = "id,title,owner,treatment,controls\n" +
	"R-01,Loss of customer data,CTO,mitigate,\"A.8.13, A.8.24\"\n" +
	"R-02,Key person dependency,CEO,accept,\n"

func TestParseRiskCSV(t *testing.T) {
	rs, err := ParseRiskCSV("risks.csv", []byte("\ufeff"+riskCSV+",,,,\n"))
	require.NoError(t, err)
	require.Len(t, rs, 2, "a blank spreadsheet row is skipped")
	assert.Equal(t, []string{"A.8.13", "A.8.24"}, rs[0].Controls)
	assert.Equal(t, TreatAccept, rs[1].Treatment)

	// Columns in another order and case read the same.
	rs, err = ParseRiskCSV("risks.csv", []byte("Treatment,ID,Owner,Title\naccept,R-9,CEO,Churn\n"))
	require.NoError(t, err)
	assert.Equal(t, Risk{ID: "R-9", Title: "Churn", Owner: "CEO", Treatment: TreatAccept}, rs[0])
}

func TestParseRiskCSVReportsBadRowsByLine(t *testing.T) {
	src := riskCSV +
		"R-03,Laptop theft,CIO,mitigatee,A.8.1\n" + // line 4
		"R-01,Duplicate,CTO,accept,\n" + // line 5
		"R-05,,CTO,mitigate,ACC-01\n" // line 6
	_, err := ParseRiskCSV("risks.csv", []byte(src))
	var es SpecErrors
	require.True(t, errors.As(err, &es), "%v", err)
	require.Len(t, es, 4, es.Error())
	assert.Equal(t, `risks.csv:4:23: treatment: unknown risk treatment "mitigatee" (did you mean "mitigate"?)`, es[0].Error())
	assert.Equal(t, "risks.csv:5:1: id: risk R-01 is already on line 2", es[1].Error())
	assert.Equal(t, "risks.csv:6:6: title: is required", es[2].Error())
	assert.Contains(t, es[3].Error(), `risks.csv:6:`)
	assert.Contains(t, es[3].Error(), `"ACC-01" is not an Annex A control ID`)
}

func TestParseRiskCSVHeaderAndSyntax(t *testing.T) {
	_, err := ParseRiskCSV("risks.csv", nil)
	assert.ErrorContains(t, err, "risk register is empty")
	_, err = ParseRiskCSV("risks.csv", []byte("id,titel,owner,treatment\n"))
	assert.ErrorContains(t, err, `risks.csv:1:2: titel: unknown column (did you mean "title"?)`)
	_, err = ParseRiskCSV("risks.csv", []byte("id,title,owner\n"))
	assert.ErrorContains(t, err, "treatment: column is missing from the header")
	_, err = ParseRiskCSV("risks.csv", []byte(riskCSV+"R-7,\"unclosed,CEO,accept,\n"))
	assert.ErrorContains(t, err, "risks.csv:4:")
	assert.ErrorContains(t, err, "invalid CSV")
}

func FuzzParseRiskCSV(f *testing.F) {
	f.Add([]byte(riskCSV))
	f.Add([]byte("id,title\n\"a\nb\",c"))
	f.Add([]byte("\ufeffTreatment,ID,Owner,Title\naccept,R-9,CEO,Churn\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rs, err := ParseRiskCSV("fuzz.csv", data)
		if err != nil {
			var es SpecErrors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Fatalf("error is not a non-empty SpecErrors: %v", err)
			}
			if rs != nil {
				t.Fatal("a register with errors must not be returned")
			}
			return
		}
		for _, r := range rs {
			if len(checkRisk(r)) > 0 {
				t.Fatalf("accepted an invalid risk: %+v", r)
			}
		}
	})
}
