package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// --days reads comma-separated dates, ignores blanks, and names the bad one.
func TestParseDays(t *testing.T) {
	got, err := parseDays(" 2027-03-01, 2027-03-02,,")
	require.NoError(t, err)
	assert.Equal(t, []compliance.Date{{Year: 2027, Month: 3, Day: 1}, {Year: 2027, Month: 3, Day: 2}}, got)

	none, err := parseDays("")
	require.NoError(t, err)
	assert.Empty(t, none, "no --days: every day of the batch")

	_, err = parseDays("2027-03-01,03/02/2027")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `--days: "03/02/2027" is not a date`)
}
