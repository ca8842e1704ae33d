package catalog

import (
	"strings"
	"unicode"

	"github.com/steadfast-grc/steadfast/compliance"
)

// A rationale is one line, in our own words, saying why a control satisfies a
// requirement. "Names what it satisfies" is made checkable: the rationale
// either cites the requirement's ID or shares a significant word with the
// requirement's title (our own short label, compared by a five-letter stem so
// "reviewed" matches "review"). A rationale that only says "supports security"
// names nothing and fails.

// stemLen is how many leading letters of a word are compared; enough to tell
// "access" from "accounts", short enough that "encrypted" meets "encryption".
const stemLen = 5

// insignificant words never count as naming a requirement.
var insignificant = map[string]bool{
	"the": true, "and": true, "for": true, "with": true, "from": true, "are": true, "all": true,
	"not": true, "its": true, "per": true, "one": true, "two": true, "own": true, "any": true,
	"set": true, "kept": true, "only": true, "each": true, "used": true, "use": true, "what": true,
	"who": true, "how": true, "when": true, "that": true, "this": true, "into": true, "has": true,
	"have": true, "been": true, "where": true, "their": true, "other": true, "after": true,
	"before": true, "over": true, "whom": true, "than": true, "more": true, "less": true,
}

func stems(s string) map[string]bool {
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		if len([]rune(w)) < 3 || insignificant[w] {
			continue
		}
		if r := []rune(w); len(r) > stemLen {
			w = string(r[:stemLen])
		}
		out[w] = true
	}
	return out
}

// NamesRequirement reports whether a rationale names the requirement: it
// cites the ID or shares a significant word stem with the requirement's title.
func NamesRequirement(r *Requirement, why string) bool {
	if strings.TrimSpace(why) == "" {
		return false
	}
	if containsID(why, r.ID) {
		return true
	}
	ws := stems(why)
	for s := range stems(r.Title) {
		if ws[s] {
			return true
		}
	}
	return false
}

// containsID finds id as a whole token, so "CC6.1" is not found in "CC6.10"
// and "8.3" is not found in "8.3.6".
func containsID(s, id string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], id)
		if j < 0 {
			return false
		}
		end := i + j + len(id)
		rest := s[end:]
		continues := len(rest) > 0 && unicode.IsDigit(rune(rest[0])) ||
			len(rest) > 1 && rest[0] == '.' && unicode.IsDigit(rune(rest[1]))
		if !continues {
			return true
		}
		i = end
	}
}

// MissingRationales lists every mapping without a rationale, as
// "CONTROL framework:ID". The shipped library has none; a test enforces it.
func (l *Library) MissingRationales() []string {
	var out []string
	for _, c := range l.Controls {
		for _, fw := range compliance.FrameworkIDs {
			for _, id := range c.Maps[fw] {
				if strings.TrimSpace(c.Rationale(fw, id)) == "" {
					out = append(out, c.ID+" "+string(fw)+":"+id)
				}
			}
		}
	}
	return out
}

// UnnamedRequirements lists every requirement that controls map to but whose
// every mapping rationale fails NamesRequirement: it is covered only by
// controls that never say what they satisfy there.
func (l *Library) UnnamedRequirements() []string {
	var out []string
	for _, fc := range l.Frameworks {
		for _, r := range fc.Requirements {
			cs := l.ControlsFor(fc.ID, r.ID)
			if len(cs) == 0 {
				continue
			}
			named := false
			for _, c := range cs {
				if NamesRequirement(r, c.Rationale(fc.ID, r.ID)) {
					named = true
					break
				}
			}
			if !named {
				out = append(out, r.Ref())
			}
		}
	}
	return out
}
