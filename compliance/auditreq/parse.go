package auditreq

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Limits on one list. The CSV comes from outside (the auditor), so a
// malformed or hostile file costs bounded memory and a bounded report.
const (
	MaxBytes    = 8 << 20
	MaxRequests = 5000
	// MaxProblems stops the report of a file that is not a request list at
	// all (a spreadsheet of something else) before it is thousands of lines.
	MaxProblems = 200
)

// columns are the header's known columns; required ones must be present.
var columns = []struct {
	name     string
	required bool
}{
	{ColRequestID, true}, {ColControlID, false}, {ColDescription, true}, {ColOwner, false}, {ColDue, true},
}

// Header is the header line of a list with every column, for messages and
// for templates.
const Header = ColRequestID + "," + ColControlID + "," + ColDescription + "," + ColOwner + "," + ColDue

var errTooLarge = errors.New("too large")

// Parse reads an auditor's request list: a header line naming the columns
// request_id, control_id, description, owner and due (any order and case;
// control_id and owner may be left out; other columns are ignored), then one
// request per row. Every row is checked and every problem reported at once,
// as Problems located file:line; with any problem no request is returned.
// Rows whose every cell is blank are skipped (spreadsheets leave them).
func Parse(file string, r io.Reader, o Options) ([]Request, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	p := &parser{file: file, opts: o, seen: map[string]int{}}
	cr := csv.NewReader(&limitedReader{r: r, left: MaxBytes})
	cr.FieldsPerRecord = -1 // short rows are checked cell by cell, not refused whole
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	if err := p.header(cr); err != nil {
		return nil, err
	}
	if len(p.problems) == 0 {
		if err := p.rows(cr); err != nil {
			return nil, err
		}
	}
	if len(p.problems) > 0 {
		return nil, p.problems
	}
	return p.requests, nil
}

type parser struct {
	file     string
	opts     Options
	index    map[string]int // column name → field index
	seen     map[string]int // request ID → line
	requests []Request
	problems Problems
	line     int // where the last record read started
	count    int // rows with something in them
}

// add records a problem; false once there are too many to be worth more.
func (p *parser) add(line int, col, format string, args ...any) bool {
	if len(p.problems) >= MaxProblems {
		return false
	}
	p.problems = append(p.problems, Problem{File: p.file, Line: line, Column: col, Msg: fmt.Sprintf(format, args...)})
	if len(p.problems) == MaxProblems {
		p.problems = append(p.problems, Problem{File: p.file, Line: line, Msg: fmt.Sprintf("stopped after %d problems; is this the request list?", MaxProblems)})
		return false
	}
	return true
}

// read returns the next record, recording a malformed one as a problem
// (false, nil) and reporting the end or a read failure as an error.
func (p *parser) read(cr *csv.Reader) ([]string, int, error) {
	rec, err := cr.Read()
	var pe *csv.ParseError
	switch {
	case err == nil:
		p.line, _ = cr.FieldPos(0)
		return rec, p.line, nil
	case errors.As(err, &pe) && !errors.Is(err, errTooLarge):
		p.line = pe.Line
		p.add(pe.Line, "", "not valid CSV: %v (at character %d)", pe.Err, pe.Column)
		return nil, pe.Line, nil
	case errors.Is(err, errTooLarge):
		p.add(p.line+1, "", "the file is larger than %d MiB; split the list", MaxBytes>>20)
		return nil, 0, io.EOF
	}
	return nil, 0, err
}

func (p *parser) header(cr *csv.Reader) error {
	rec, line, err := p.read(cr)
	if errors.Is(err, io.EOF) {
		if len(p.problems) == 0 {
			p.add(1, "", "the file is empty: the first line must be the header (%s)", Header)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", p.file, err)
	}
	if rec == nil {
		return nil // malformed header, already reported
	}
	p.index = map[string]int{}
	for i, name := range rec {
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // Excel's byte-order mark
		}
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		if _, dup := p.index[name]; dup {
			p.add(line, name, "the header names this column twice")
			continue
		}
		p.index[name] = i
	}
	for _, c := range columns {
		if _, ok := p.index[c.name]; c.required && !ok {
			p.add(line, c.name, "the header has no such column; the first line must name the columns (%s)", Header)
		}
	}
	return nil
}

func (p *parser) rows(cr *csv.Reader) error {
	for {
		rec, line, err := p.read(cr)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read %s: %w", p.file, err)
		}
		if len(p.problems) > MaxProblems {
			return nil
		}
		if rec == nil || blank(rec) {
			continue
		}
		if p.count++; p.count > MaxRequests {
			p.add(line, "", "more than %d requests in one list; split it", MaxRequests)
			return nil
		}
		p.row(rec, line)
	}
}

func (p *parser) row(rec []string, line int) {
	cell := func(name string) string {
		if i, ok := p.index[name]; ok && i < len(rec) {
			return rec[i]
		}
		return ""
	}
	f := Fields{RequestID: cell(ColRequestID), ControlID: cell(ColControlID), Description: cell(ColDescription),
		Owner: cell(ColOwner), Due: cell(ColDue)}
	req, ps := p.opts.Check(f, line)
	id := strings.TrimSpace(f.RequestID)
	if first, dup := p.seen[id]; dup && id != "" {
		ps = append(ps, Problem{Line: line, Column: ColRequestID, Msg: fmt.Sprintf("%q is also on line %d; each request once", shorten(id, 20), first)})
	} else if id != "" {
		p.seen[id] = line
	}
	for _, pr := range ps {
		if !p.add(pr.Line, pr.Column, "%s", pr.Msg) {
			return
		}
	}
	if len(ps) == 0 {
		p.requests = append(p.requests, req)
	}
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// limitedReader fails with errTooLarge once more than left bytes would be
// read, rather than silently truncating the last row like io.LimitReader.
type limitedReader struct {
	r    io.Reader
	left int64
}

func (l *limitedReader) Read(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	if l.left <= 0 {
		// At the limit: only the end of the input is acceptable.
		var probe [1]byte
		n, err := l.r.Read(probe[:])
		if n > 0 {
			return 0, errTooLarge
		}
		return 0, err
	}
	if int64(len(b)) > l.left {
		b = b[:l.left]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	return n, err
}
