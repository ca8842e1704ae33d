// Package questionnaire reads a customer's security questionnaire from CSV
// or XLSX (excelize) and writes the answered one back in the format it came
// in. Every cell written is neutralised (internal/csvsafe's rule), in the
// spreadsheet as in the CSV, so an answer cannot run as a formula in the
// customer's spreadsheet. It is an adapter: routing and approval are
// compliance/custreview's.
package questionnaire

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/steadfast-grc/steadfast/compliance/custreview"
)

// Formats a questionnaire comes in.
const (
	FormatCSV  = "csv"
	FormatXLSX = "xlsx"
)

// MaxFile bounds the questionnaire file: a spreadsheet of questions, not a
// data export. An XLSX is a zip, so the unpacked size is bounded too
// (excelize's UnzipSizeLimit).
const MaxFile = 8 << 20

// Column names (the header row, case-insensitive).
var (
	idColumns       = []string{"question_id", "id"}
	questionColumns = []string{"question"}
	refColumns      = []string{"control", "criterion", "section", "ref"}
)

// Questionnaire is the file as read.
type Questionnaire struct {
	Format    string                `json:"format"`
	Sheet     string                `json:"sheet,omitempty"`
	Questions []custreview.Question `json:"questions"`
}

// Read reads a questionnaire, reporting every bad row with its line (CSV)
// or cell (XLSX); on any error it returns no questions.
func Read(name string, data []byte) (Questionnaire, error) {
	if len(data) > MaxFile {
		return Questionnaire{}, fmt.Errorf("%s: larger than %d bytes", name, MaxFile)
	}
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		if !utf8.Valid(data) {
			return Questionnaire{}, fmt.Errorf("%s: not UTF-8 text", name)
		}
		return readCSV(name, data)
	case ".xlsx":
		return readXLSX(name, data)
	}
	return Questionnaire{}, fmt.Errorf("%s: want a .csv or .xlsx file", name)
}

// columns finds the header's columns; where names the header for errors.
type columns struct{ id, question, ref int }

func findColumns(head []string) (columns, error) {
	c := columns{-1, -1, -1}
	for i, h := range head {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		h = strings.ReplaceAll(h, " ", "_")
		switch {
		case contains(idColumns, h) && c.id < 0:
			c.id = i
		case contains(questionColumns, h) && c.question < 0:
			c.question = i
		case contains(refColumns, h) && c.ref < 0:
			c.ref = i
		}
	}
	if c.id < 0 || c.question < 0 {
		return c, fmt.Errorf("the header needs question_id and question (and optionally control, criterion or section); it has %q", strings.Join(head, ","))
	}
	return c, nil
}

func contains(list []string, s string) bool {
	for _, l := range list {
		if l == s {
			return true
		}
	}
	return false
}

// row turns one record into a question, or says what is wrong and in
// which column.
func (c columns) row(rec []string) (custreview.Question, int, string) {
	cell := func(i int) string {
		if i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	q := custreview.Question{ID: cell(c.id), Text: cell(c.question), Ref: cell(c.ref)}
	switch {
	case q.ID == "":
		return q, c.id, "the question ID is empty"
	case len(q.ID) > 64 || strings.ContainsAny(q.ID, "/\n\r\t"):
		return q, c.id, fmt.Sprintf("question ID %q: at most 64 characters, no slash or line break", q.ID)
	case q.Text == "":
		return q, c.question, "the question is empty"
	case len(q.Text) > custreview.MaxText:
		return q, c.question, fmt.Sprintf("the question is longer than %d bytes", custreview.MaxText)
	case len(q.Ref) > 40 || strings.ContainsAny(q.Ref, " \n"):
		return q, c.ref, fmt.Sprintf("%q is not a control, criterion or section ID", q.Ref)
	}
	return q, -1, ""
}

func blank(rec []string) bool {
	for _, s := range rec {
		if strings.TrimSpace(s) != "" {
			return false
		}
	}
	return true
}

func readCSV(name string, data []byte) (Questionnaire, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	head, err := r.Read()
	if errors.Is(err, io.EOF) {
		return Questionnaire{}, fmt.Errorf("%s: empty; want a header row", name)
	}
	if err != nil {
		return Questionnaire{}, fmt.Errorf("%s: %w", name, err)
	}
	cols, err := findColumns(head)
	if err != nil {
		return Questionnaire{}, fmt.Errorf("%s:1: %w", name, err)
	}
	var errs []string
	qs := []custreview.Question{}
	seen := map[string]int{}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				errs = append(errs, fmt.Sprintf("%s:%d: %v", name, pe.Line, pe.Err))
				break
			}
			return Questionnaire{}, fmt.Errorf("%s: %w", name, err)
		}
		line, _ := r.FieldPos(0)
		if blank(rec) {
			continue
		}
		q, _, msg := cols.row(rec)
		if msg == "" {
			if first, dup := seen[q.ID]; dup {
				msg = fmt.Sprintf("question %s is also on line %d", q.ID, first)
			}
		}
		if msg != "" {
			errs = append(errs, fmt.Sprintf("%s:%d: %s", name, line, msg))
			continue
		}
		seen[q.ID] = line
		q.Where = fmt.Sprintf("line %d", line)
		qs = append(qs, q)
	}
	if len(errs) > 0 {
		return Questionnaire{}, errors.New(strings.Join(errs, "\n"))
	}
	return Questionnaire{Format: FormatCSV, Questions: qs}, nil
}

func readXLSX(name string, data []byte) (Questionnaire, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20, UnzipXMLSizeLimit: 32 << 20})
	if err != nil {
		return Questionnaire{}, fmt.Errorf("%s: not a readable XLSX workbook: %w", name, err)
	}
	defer func() { _ = f.Close() }() // in memory
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return Questionnaire{}, fmt.Errorf("%s: the workbook has no sheet", name)
	}
	sheet := sheets[0]
	rows, err := f.GetRows(sheet)
	if err != nil {
		return Questionnaire{}, fmt.Errorf("%s: read sheet %s: %w", name, sheet, err)
	}
	if len(rows) == 0 {
		return Questionnaire{}, fmt.Errorf("%s: sheet %s is empty; want a header row", name, sheet)
	}
	cols, err := findColumns(rows[0])
	if err != nil {
		return Questionnaire{}, fmt.Errorf("%s: %s!1: %w", name, sheet, err)
	}
	var errs []string
	qs := []custreview.Question{}
	seen := map[string]string{}
	for i, rec := range rows[1:] {
		n := i + 2
		if blank(rec) {
			continue
		}
		q, col, msg := cols.row(rec)
		if msg == "" {
			if first, dup := seen[q.ID]; dup {
				col, msg = cols.id, fmt.Sprintf("question %s is also at %s", q.ID, first)
			}
		}
		if msg != "" {
			errs = append(errs, fmt.Sprintf("%s: %s: %s", name, cellName(sheet, col, n), msg))
			continue
		}
		seen[q.ID] = cellName(sheet, cols.id, n)
		q.Where = fmt.Sprintf("row %d", n)
		qs = append(qs, q)
	}
	if len(errs) > 0 {
		return Questionnaire{}, errors.New(strings.Join(errs, "\n"))
	}
	return Questionnaire{Format: FormatXLSX, Sheet: sheet, Questions: qs}, nil
}

// cellName is "Sheet1!B7" (or "Sheet1!7" without a column).
func cellName(sheet string, col, row int) string {
	if col < 0 {
		return fmt.Sprintf("%s!%d", sheet, row)
	}
	c, err := excelize.CoordinatesToCellName(col+1, row)
	if err != nil {
		return fmt.Sprintf("%s!%d", sheet, row)
	}
	return sheet + "!" + c
}
