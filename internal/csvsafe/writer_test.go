package csvsafe_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

func TestCellNeutralisesFormulaStarters(t *testing.T) {
	for in, want := range map[string]string{
		// OWASP's six starters.
		`=HYPERLINK("http://evil","x")`: `'=HYPERLINK("http://evil","x")`,
		"+cmd|' /C calc'!A0":            "'+cmd|' /C calc'!A0",
		"-2+3+cmd|' /C calc'!A0":        "'-2+3+cmd|' /C calc'!A0",
		"@SUM(A1:A9)":                   "'@SUM(A1:A9)",
		"\t=1+1":                        "'\t=1+1",
		"\r=1+1":                        "'\r=1+1",
		// Looked through or beyond the letter of the rule.
		"  =1+1": "'  =1+1",
		"＝1+1":   "'＝1+1",
		"－A1":    "'－A1",
		"-A1":    "'-A1",
		"-":      "'-",
		"- item": "'- item",
		"-1-1":   "'-1-1",
		"--1":    "'--1",
		"-1e":    "'-1e",
		"-.":     "'-.",
		"-0x1F":  "'-0x1F",
		"-1,000": "'-1,000",
		" -3":    "' -3",
		// Numbers stay numbers.
		"-3":     "-3",
		"+1.5":   "+1.5",
		"-2e-4":  "-2e-4",
		"-.5":    "-.5",
		"-5.":    "-5.",
		"+7E+10": "+7E+10",
		// Ordinary text is untouched.
		"":                  "",
		"PBC-1":             "PBC-1",
		"a=b":               "a=b",
		"https://x/y?q=1":   "https://x/y?q=1",
		"2027-06-14T17:00Z": "2027-06-14T17:00Z",
		"'=already":         "'=already",
	} {
		assert.Equal(t, want, csvsafe.Cell(in), "%q", in)
	}
}

func TestWriterQuotesEveryRecordAndKeepsTheCallersSlice(t *testing.T) {
	var buf bytes.Buffer
	w := csvsafe.NewWriter(&buf)
	rec := []string{"PBC-1", "=1+1", "-3", "a,\"b\"\n@c"}
	require.NoError(t, w.Write(rec))
	require.NoError(t, w.WriteAll([][]string{{"@x", "ok"}}))
	assert.Equal(t, []string{"PBC-1", "=1+1", "-3", "a,\"b\"\n@c"}, rec, "the caller's record is not modified")
	r := csv.NewReader(strings.NewReader(buf.String()))
	r.FieldsPerRecord = -1
	back, err := r.ReadAll()
	require.NoError(t, err)
	assert.Equal(t, [][]string{{"PBC-1", "'=1+1", "-3", "a,\"b\"\n@c"}, {"'@x", "ok"}}, back)

	// csv.Writer's settings still apply.
	buf.Reset()
	w = csvsafe.NewWriter(&buf)
	w.Comma, w.UseCRLF = ';', true
	require.NoError(t, w.WriteAll([][]string{{"a", "+b"}}))
	assert.Equal(t, "a;'+b\r\n", buf.String())
}
