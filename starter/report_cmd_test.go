package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func TestIssuedFlagsParseBeforeAnythingIsSent(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "ex.csv")
	require.NoError(t, os.WriteFile(good, []byte("ref,description,management_response\nACC-04,late,ticketed\n"), 0o600))
	bad := filepath.Join(dir, "bad.csv")
	require.NoError(t, os.WriteFile(bad, []byte("ref,description,management_response\nACC-04,,ticketed\n"), 0o600))
	c := postcert.Certification{Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}}

	r, err := (&issuedFlags{}).request("brightlane", c, cliActor("maya@brightlane.io"))
	require.NoError(t, err)
	assert.Nil(t, r, "no --opinion: only the certification")
	_, err = (&issuedFlags{exceptions: good}).request("brightlane", c, cliActor("maya@brightlane.io"))
	assert.ErrorContains(t, err, "give its --opinion too")
	_, err = (&issuedFlags{opinion: "clean"}).request("brightlane", c, cliActor("maya@brightlane.io"))
	assert.ErrorContains(t, err, "--opinion")
	_, err = (&issuedFlags{opinion: "qualified"}).request("brightlane", c, cliActor("maya@brightlane.io"))
	assert.ErrorContains(t, err, "rests on exceptions")
	_, err = (&issuedFlags{opinion: "qualified", exceptions: bad}).request("brightlane", c, cliActor("maya@brightlane.io"))
	assert.ErrorContains(t, err, "bad.csv:2: missing description")
	_, err = (&issuedFlags{opinion: "qualified", exceptions: good, file: filepath.Join(dir, "nope.pdf")}).request("brightlane", c, cliActor("maya@brightlane.io"))
	assert.ErrorContains(t, err, "--report-file")
	r, err = (&issuedFlags{opinion: "Qualified", exceptions: good}).request("brightlane", c, cliActor("maya@brightlane.io"))
	require.NoError(t, err)
	assert.Equal(t, report.Qualified, r.req.Opinion)
	assert.Len(t, r.req.Exceptions, 1)
}

func TestWriteReports(t *testing.T) {
	at := time.Date(2027, 10, 3, 9, 0, 0, 0, time.UTC)
	v := postgres.ReportView{
		Key:        report.Key{EngagementID: "brightlane", Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}},
		RecordedBy: "maya@brightlane.io",
		Report: report.Report{Framework: compliance.SOC2, Date: compliance.Date{Year: 2027, Month: 10, Day: 1}, Opinion: report.Qualified,
			Exceptions: []report.Exception{
				{N: 1, Ref: "ACC-04", Description: "late review", ManagementResponse: "ticketed", Controls: []string{"ACC-04"},
					Owners: []string{"priya@brightlane.io"}, Origin: report.Accepted,
					Because: []report.AcceptedItem{{ControlID: "ACC-04", Source: "gap", By: "maya@brightlane.io", Reason: "known"}}},
				{N: 2, Ref: "CC7.2", Description: "alerts", ManagementResponse: "rota", Controls: []string{"LOG-02"},
					Owners: []string{"priya@brightlane.io"}, Origin: report.Surprise}}},
		Readings: []postgres.ReadingRow{
			{Owner: "leo@brightlane.io", Controls: []string{"GOV-01"}, Status: postgres.ReadingEscalated},
			{Owner: "priya@brightlane.io", Controls: []string{"ACC-04", "LOG-02"}, Exceptions: []int32{1, 2}, Status: postgres.ReadingRead, ReadAt: &at}},
		Explained: []postgres.Explanation{
			{Subject: "control:ACC-04", Body: "quarterly access review", WrittenBy: "priya@brightlane.io", ApprovedBy: "maya@brightlane.io"},
			{Subject: "exception:2", Body: "alerts waited", WrittenBy: "priya@brightlane.io"}},
	}
	var b bytes.Buffer
	require.NoError(t, writeReports(&b, "brightlane", []postgres.ReportView{v}))
	out := b.String()
	for _, want := range []string{
		"soc2 report of 2027-10-01: qualified opinion; recorded by maya@brightlane.io",
		"#1 ACC-04 [accepted] controls ACC-04; owners priya@brightlane.io",
		"accepted beforehand: gap  on ACC-04 by maya@brightlane.io: known",
		"#2 CC7.2 [surprise]",
		`explanation: "alerts waited" by priya@brightlane.io, waiting for the lead's approval`,
		"leo@brightlane.io    1         -           escalated",
		"priya@brightlane.io  2         #1 #2       read       2027-10-03 09:00  1/2 (1)",
		`ACC-04: "quarterly access review" by priya@brightlane.io, approved by maya@brightlane.io`,
	} {
		assert.Contains(t, out, want)
	}
	b.Reset()
	require.NoError(t, writeReports(&b, "brightlane", nil))
	assert.Contains(t, b.String(), "no issued report recorded yet")
}

func TestPrintScrutiny(t *testing.T) {
	var b bytes.Buffer
	printScrutiny(&b, "brightlane", nil)
	assert.Empty(t, b.String())
	printScrutiny(&b, "brightlane", &engagement.Scrutiny{Report: "soc2/2027-10-01", Unread: []string{"leo@brightlane.io"}, Reconfirm: 2,
		Reviews: []engagement.OpenReview{{ReviewID: "acme-bank-2027-11-01", Customer: "Acme Bank", Due: compliance.Date{Year: 2027, Month: 11, Day: 1}, OnLead: 3, OnOwners: 5}}})
	assert.Contains(t, b.String(), "Customer review\tAcme Bank (acme-bank-2027-11-01) due 2027-11-01: 5 waiting on owners, 3 on the lead")
	assert.Contains(t, b.String(), "Report unread\tleo@brightlane.io have not read the soc2/2027-10-01 report")
	assert.Contains(t, b.String(), "Answers to re-confirm\t2 approved answer(s) are not offered again until re-confirmed")
}
