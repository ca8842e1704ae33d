package auditreq

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a request list, located by line and named
// by the column the auditor's spreadsheet calls it.
type Problem struct {
	File string `json:"file"`
	// Line is the line the row starts on (1 is the header); 0 when the
	// request came from flags rather than a file.
	Line   int    `json:"line,omitempty"`
	Column string `json:"column,omitempty"`
	Msg    string `json:"message"`
}

func (p Problem) Error() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
	}
	if p.Column != "" {
		b.WriteString(p.Column)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in one list, in file order. Parsing never
// stops at the first one: the consultant goes back to the auditor once.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
