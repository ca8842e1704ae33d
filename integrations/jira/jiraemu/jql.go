package jiraemu

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// parseJQL understands the JQL Steadfast sends: clauses joined by AND, each
// one of
//
//	labels = "x"    labels in ("a", "b")
//	key = A-1       key in (A-1, "A-2")     (issuekey is an alias)
//	project = SEC   project in (SEC, OPS)
//
// with an optional ORDER BY (ignored: results come oldest first). Values
// may be quoted ("…" or '…', with backslash escapes) or bare words.
// Anything else is an error, which the emulator answers with a 400 as Jira
// does for bad JQL.
func parseJQL(jql string) (func(*Issue) bool, error) {
	toks, err := tokenize(jql)
	if err != nil {
		return nil, err
	}
	var preds []func(*Issue) bool
	i := 0
	for i < len(toks) {
		if len(preds) > 0 {
			switch {
			case strings.EqualFold(toks[i].s, "AND") && !toks[i].quoted:
				i++
			case strings.EqualFold(toks[i].s, "ORDER") && !toks[i].quoted:
				return all(preds), nil
			default:
				return nil, fmt.Errorf("expecting AND or ORDER BY but got %q", toks[i].s)
			}
		} else if strings.EqualFold(toks[i].s, "ORDER") && !toks[i].quoted {
			return func(*Issue) bool { return true }, nil
		}
		if i+2 >= len(toks) {
			return nil, errors.New("incomplete clause")
		}
		field := strings.ToLower(toks[i].s)
		op := strings.ToLower(toks[i+1].s)
		i += 2
		var values []string
		switch op {
		case "=":
			values = []string{toks[i].s}
			i++
		case "in":
			if toks[i].s != "(" || toks[i].quoted {
				return nil, errors.New("expecting '(' after IN")
			}
			i++
			for {
				if i >= len(toks) {
					return nil, errors.New("unclosed '('")
				}
				values = append(values, toks[i].s)
				i++
				if i >= len(toks) {
					return nil, errors.New("unclosed '('")
				}
				if toks[i].s == ")" && !toks[i].quoted {
					i++
					break
				}
				if toks[i].s != "," || toks[i].quoted {
					return nil, fmt.Errorf("expecting ',' or ')' but got %q", toks[i].s)
				}
				i++
			}
		default:
			return nil, fmt.Errorf("operator %q is not supported by the emulator", op)
		}
		p, err := predicate(field, values)
		if err != nil {
			return nil, err
		}
		preds = append(preds, p)
	}
	if len(preds) == 0 {
		return func(*Issue) bool { return true }, nil
	}
	return all(preds), nil
}

func all(preds []func(*Issue) bool) func(*Issue) bool {
	return func(is *Issue) bool {
		for _, p := range preds {
			if !p(is) {
				return false
			}
		}
		return true
	}
}

func predicate(field string, values []string) (func(*Issue) bool, error) {
	switch field {
	case "labels":
		return func(is *Issue) bool {
			return slices.ContainsFunc(is.Labels, func(l string) bool { return slices.Contains(values, l) })
		}, nil
	case "key", "issuekey":
		return func(is *Issue) bool { return slices.Contains(values, is.Key) }, nil
	case "project":
		return func(is *Issue) bool {
			return slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, is.Project) })
		}, nil
	}
	return nil, fmt.Errorf("field %q is not supported by the emulator", field)
}

type token struct {
	s      string
	quoted bool
}

func tokenize(s string) ([]token, error) {
	var out []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '(' || c == ')' || c == ',' || c == '=':
			out = append(out, token{s: string(c)})
			i++
		case c == '!' && i+1 < len(s) && s[i+1] == '=':
			out = append(out, token{s: "!="})
			i += 2
		case c == '"' || c == '\'':
			var b strings.Builder
			j := i + 1
			for ; j < len(s) && s[j] != c; j++ {
				if s[j] == '\\' && j+1 < len(s) {
					j++
				}
				b.WriteByte(s[j])
			}
			if j >= len(s) {
				return nil, errors.New("unterminated string")
			}
			out = append(out, token{s: b.String(), quoted: true})
			i = j + 1
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n\r(),=!\"'", rune(s[j])) {
				j++
			}
			if j == i {
				return nil, fmt.Errorf("unexpected character %q", c)
			}
			out = append(out, token{s: s[i:j]})
			i = j
		}
	}
	return out, nil
}
