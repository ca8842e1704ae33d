package questionnaire

import (
	"fmt"
	"io"

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
}

// Header is the exported questionnaire's header row.
var Header = []string{"question_id", "question", "control", "mapped_controls", "answer", "owner", "evidence", "approved_by", "status"}

func (r AnsweredRow) cells() []string {
	return []string{r.QuestionID, r.Question, r.Ref, r.Controls, r.Answer, r.Owner, r.Evidence, r.ApprovedBy, r.Status}
}

// Write writes the answered questionnaire in format (csv or xlsx), every
// cell neutralised against formula injection.
func Write(w io.Writer, format string, rows []AnsweredRow) error {
	switch format {
	case FormatCSV:
		cw := csvsafe.NewWriter(w)
		if err := cw.Write(Header); err != nil {
			return err
		}
		for _, r := range rows {
			if err := cw.Write(r.cells()); err != nil {
				return err
			}
		}
		cw.Flush()
		return cw.Error()
	case FormatXLSX:
		return writeXLSX(w, rows)
	}
	return fmt.Errorf("export format %q: want csv or xlsx", format)
}

// writeXLSX writes one sheet. Each cell is set as a string (never a
// formula) and passed through csvsafe.Cell as well, because a spreadsheet
// re-saved as CSV or pasted elsewhere would otherwise carry "=…" onwards.
func writeXLSX(w io.Writer, rows []AnsweredRow) error {
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
	if err := put(1, Header); err != nil {
		return err
	}
	for i, r := range rows {
		if err := put(i+2, r.cells()); err != nil {
			return err
		}
	}
	if _, err := f.WriteTo(w); err != nil {
		return fmt.Errorf("write the workbook: %w", err)
	}
	return nil
}
