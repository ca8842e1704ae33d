package questionnaire

import (
	"fmt"
	"io"
	"slices"

	"github.com/xuri/excelize/v2"

	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// AnsweredRow is one question of the exported questionnaire: its answer,
// who owns it and the evidence it rests on (references, not files).
type AnsweredRow struct {
	QuestionID string
	Question   string
	Ref        string
	Controls   string
	Answer     string
	Owner      string
	Evidence   string
	ApprovedBy string
	Status     string
	// Files names the evidence files beside the sheet, in an export the
	// lead allowed files for (WriteWithFiles).
	Files string
}

// Header is the exported questionnaire's header row.
var Header = []string{"question_id", "question", "control", "mapped_controls", "answer", "owner", "evidence", "approved_by", "status"}

// FilesColumn is the extra column of an export with files.
const FilesColumn = "evidence_files"

func (r AnsweredRow) cells(files bool) []string {
	c := []string{r.QuestionID, r.Question, r.Ref, r.Controls, r.Answer, r.Owner, r.Evidence, r.ApprovedBy, r.Status}
	if files {
		c = append(c, r.Files)
	}
	return c
}

// Write writes the answered questionnaire in format (csv or xlsx), every
// cell neutralised against formula injection.
func Write(w io.Writer, format string, rows []AnsweredRow) error {
	return write(w, format, rows, false)
}

// WriteWithFiles is Write with one more column, FilesColumn: the names of
// the evidence files that travel beside the sheet.
func WriteWithFiles(w io.Writer, format string, rows []AnsweredRow) error {
	return write(w, format, rows, true)
}

func write(w io.Writer, format string, rows []AnsweredRow, files bool) error {
	header := Header
	if files {
		header = append(slices.Clone(Header), FilesColumn)
	}
	switch format {
	case FormatCSV:
		cw := csvsafe.NewWriter(w)
		if err := cw.Write(header); err != nil {
			return err
		}
		for _, r := range rows {
			if err := cw.Write(r.cells(files)); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case FormatXLSX:
		return writeXLSX(w, header, rows, files)
	}
	return fmt.Errorf("export format %q: want csv or xlsx", format)
}

// writeXLSX writes one sheet. Each cell is set as a string (never a
// formula) and passed through csvsafe.Cell as well, because a spreadsheet
// re-saved as CSV or pasted elsewhere would otherwise carry "=…" onwards.
func writeXLSX(w io.Writer, header []string, rows []AnsweredRow, files bool) error {
	f := excelize.NewFile()
	defer func() { _ = f.Close() }() // in memory
	const sheet = "Answers"
	if err := f.SetSheetName(f.GetSheetName(0), sheet); err != nil {
		return fmt.Errorf("name the sheet: %w", err)
	}
	put := func(row int, cells []string) error {
		for i, v := range cells {
			name, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				return err
			}
			if err := f.SetCellStr(sheet, name, csvsafe.Cell(v)); err != nil {
				return fmt.Errorf("write %s: %w", name, err)
			}
		}
		return nil
	}
	if err := put(1, header); err != nil {
		return err
	}
	for i, r := range rows {
		if err := put(i+2, r.cells(files)); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write the workbook: %w", err)
	}
	return nil
}
