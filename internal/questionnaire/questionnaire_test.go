package questionnaire

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"
)

// workbook builds an XLSX whose first sheet holds rows.
func workbook(t testing.TB, rows [][]string) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // in memory
	for i, r := range rows {
		for j, v := range r {
			name, err := excelize.CoordinatesToCellName(j+1, i+1)
			require.NoError(t, err)
			require.NoError(t, f.SetCellStr("Sheet1", name, v))
		}
	}
	var b bytes.Buffer
	_, err := f.WriteTo(&b)
	require.NoError(t, err)
	return b.Bytes()
}

func TestReadXLSXReportsEveryBadCell(t *testing.T) {
	rows := [][]string{{"Question ID", "Question", "Control"}}
	for i := 1; i <= 5; i++ {
		rows = append(rows, []string{fmt.Sprintf("Q%d", i), "Do you review access?", "ACC-04"})
	}
	rows = append(rows, []string{"", "no id", ""}, []string{"Q7", "", "CC6.1"}, []string{"Q1", "again", ""}, []string{"Q9", "x", "not a ref"})
	_, err := Read("sig.xlsx", workbook(t, rows))
	require.Error(t, err)
	for _, want := range []string{"sig.xlsx: Sheet1!A7: the question ID is empty", "sig.xlsx: Sheet1!B8: the question is empty",
		"sig.xlsx: Sheet1!A9: question Q1 is also at Sheet1!A2", `sig.xlsx: Sheet1!C10: "not a ref"`} {
		assert.Contains(t, err.Error(), want)
	}

	q, err := Read("sig.xlsx", workbook(t, rows[:6]))
	require.NoError(t, err)
	assert.Equal(t, FormatXLSX, q.Format)
	require.Len(t, q.Questions, 5)
	assert.Equal(t, "ACC-04", q.Questions[0].Ref)
	assert.Equal(t, "row 2", q.Questions[0].Where)
}

func TestReadCSV(t *testing.T) {
	q, err := Read("q.csv", []byte("id,question\nQ1,Do you encrypt?\n\nQ2,\"Multi\nline\"\n"))
	require.NoError(t, err)
	require.Len(t, q.Questions, 2)
	assert.Equal(t, "line 4", q.Questions[1].Where)
	_, err = Read("q.csv", []byte("id,question\nQ1,\nQ1,x\nQ1,y\n"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "q.csv:2: the question is empty")
	assert.Contains(t, err.Error(), "q.csv:4: question Q1 is also on line 3")
	_, err = Read("q.csv", []byte("name,text\n"))
	assert.ErrorContains(t, err, "q.csv:1: the header needs question_id and question")
	_, err = Read("q.pdf", nil)
	assert.ErrorContains(t, err, "want a .csv or .xlsx")
	_, err = Read("q.xlsx", []byte("not a zip"))
	assert.ErrorContains(t, err, "not a readable XLSX")
}

// TestWriteNeutralisesFormulas: an answer that starts a formula is text in
// both formats, and the XLSX cell holds no formula.
func TestWriteNeutralisesFormulas(t *testing.T) {
	rows := []AnsweredRow{{QuestionID: "Q1", Question: "=1+1", Answer: `=HYPERLINK("http://evil","x")`, Owner: "a@x.io", Evidence: "@SUM(A1)"}}
	var b bytes.Buffer
	require.NoError(t, Write(&b, FormatCSV, rows))
	assert.Contains(t, b.String(), `'=HYPERLINK`)
	assert.Contains(t, b.String(), `'@SUM(A1)`)

	b.Reset()
	require.NoError(t, Write(&b, FormatXLSX, rows))
	f, err := excelize.OpenReader(&b)
	require.NoError(t, err)
	defer func() { _ = f.Close() }() // in memory
	v, err := f.GetCellValue("Answers", "E2")
	require.NoError(t, err)
	assert.Equal(t, `'=HYPERLINK("http://evil","x")`, v)
	formula, err := f.GetCellFormula("Answers", "E2")
	require.NoError(t, err)
	assert.Empty(t, formula)
	v, err = f.GetCellValue("Answers", "B2")
	require.NoError(t, err)
	assert.Equal(t, "'=1+1", v)
	assert.Error(t, Write(&b, "pdf", rows))
}

func FuzzReadCSV(f *testing.F) {
	f.Add([]byte("question_id,question,control\nQ1,Do you?,ACC-04\n"))
	f.Add([]byte("id,question\n\"Q1,x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Read("q.csv", data)
		if err != nil && len(q.Questions) > 0 {
			t.Fatal("questions with an error")
		}
		for _, x := range q.Questions {
			if x.ID == "" || x.Text == "" {
				t.Fatalf("accepted %+v", x)
			}
		}
	})
}

func FuzzReadXLSX(f *testing.F) {
	f.Add(workbook(f, [][]string{{"question_id", "question", "control"}, {"Q1", "Do you?", "ACC-04"}}))
	f.Add(workbook(f, [][]string{{"id", "question"}, {"", "x"}}))
	f.Add([]byte("PK\x03\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := Read("q.xlsx", data)
		if err != nil && len(q.Questions) > 0 {
			t.Fatal("questions with an error")
		}
		for _, x := range q.Questions {
			if x.ID == "" || x.Text == "" {
				t.Fatalf("accepted %+v", x)
			}
		}
	})
}
