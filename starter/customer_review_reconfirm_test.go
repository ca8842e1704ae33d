package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

func TestWriteUnsettledNamesWhoIsNext(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, writeUnsettled(&b, nil))
	assert.Empty(t, b.String(), "nothing to re-confirm, nothing printed")
	since := time.Date(2027, 4, 2, 9, 0, 0, 0, time.UTC)
	require.NoError(t, writeUnsettled(&b, []postgres.UnsettledAnswer{
		{ReviewID: "acme-2027-05-01", CustomerQuestion: postgres.CustomerQuestion{QuestionID: "Q1", Controls: []string{"ACC-04"}, Owner: "priya@x.io",
			ReconfirmWhy: "new evidence of ACC-04 (ACC-04/q) was recorded 2027-04-02", ReconfirmSince: &since}},
		{ReviewID: "acme-2027-05-01", CustomerQuestion: postgres.CustomerQuestion{QuestionID: "Q2", Controls: []string{"CHG-01"}, Owner: "leo@x.io",
			ReconfirmWhy: "the soc2 report was recorded", ReconfirmSince: &since, ReconfirmedBy: "leo@x.io"}}}))
	out := b.String()
	assert.Contains(t, out, "2 approved answer(s) are not offered again until re-confirmed")
	assert.Regexp(t, `Q1\s+ACC-04\s+priya@x.io\s+priya@x.io\s+2027-04-02\s+new evidence of ACC-04`, out)
	assert.Contains(t, out, "the lead (re-confirmed by leo@x.io)")
}
