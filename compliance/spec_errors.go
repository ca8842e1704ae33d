package compliance

import (
	"fmt"
	"sort"
	"strings"

	"github.com/agnivade/levenshtein"
)

// SpecError is one problem in a spec file, located by line and column and
// named by the field path a consultant would look for (systems[2].data).
type SpecError struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Field  string `json:"field"`
	Msg    string `json:"message"`
}

func (e SpecError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Column)
	}
	b.WriteString(": ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// SpecErrors is every problem found in one spec, in file order. Parsing never
// stops at the first problem: a consultant fixes them all in one pass.
type SpecErrors []SpecError

func (es SpecErrors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es SpecErrors) sorted() SpecErrors {
	sort.SliceStable(es, func(i, j int) bool {
		if es[i].Line != es[j].Line {
			return es[i].Line < es[j].Line
		}
		return es[i].Column < es[j].Column
	})
	return es
}

// suggest returns ` (did you mean "x"?)` when one candidate is close to got,
// or the list of valid values when none is.
func suggest(got string, candidates []string) string {
	if best := closest(got, candidates); best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return fmt.Sprintf(" (one of: %s)", strings.Join(candidates, ", "))
}

// closest returns the candidate nearest to got by edit distance, or "" when
// none is near enough to be what was meant.
func closest(got string, candidates []string) string {
	best, bestDist := "", len(got)/2+2
	lg := strings.ToLower(got)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		d := levenshtein.ComputeDistance(lg, lc)
		if d == 0 {
			return c // the same but for case (acc-04 for ACC-04)
		}
		if strings.HasPrefix(lc, lg) && lg != "" {
			d = 1 // a truncated value ("cardholder") is the commonest slip
		}
		if d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}
