package jiraemu

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// parseJQL understands the JQL Steadfast sends: clauses joined by AND,
// optionally grouped in parentheses (a consultant's population query is
// wrapped as "(…) AND resolved >= …"), each one of
//
//	labels = "x"    labels in ("a", "b")
//	key = A-1       key in (A-1, "A-2")     (issuekey is an alias)
//	project = SEC   project in (SEC, OPS)
//	issuetype = Change                      (type is an alias)
//	status = "In Progress"    resolution in (Done, "Won't Do")
//	created >= "2027-03-01"   resolved < "2027/04/01 09:30"   (updated too;
//	                          resolutiondate is an alias of resolved; >, <=)
//
// with an optional ORDER BY (ignored: results come oldest first). Values
// may be quoted ("…" or '…', with backslash escapes) or bare words. Dates
// are read in UTC, the emulated user's time zone; an issue with no
// resolution matches no comparison on resolved. OR, NOT and every other
// operator or field are errors, which the emulator answers with a 400 as
// Jira does for bad JQL.
func parseJQL(jql string) (func(*Issue) bool, error) {
	toks, err := tokenize(jql)
	if err != nil {
		return nil, err
	}
	p := &jqlParser{toks: toks}
	if p.done() || p.word("ORDER") {
		return func(*Issue) bool { return true }, nil
	}
	m, err := p.and()
	if err != nil {
		return nil, err
	}
	if !p.done() && !p.word("ORDER") {
		return nil, fmt.Errorf("expecting AND or ORDER BY but got %q", p.toks[p.i].s)
	}
	return m, nil
}

type jqlParser struct {
	toks []token
	i    int
}

func (p *jqlParser) done() bool { return p.i >= len(p.toks) }

// word reports whether the next token is the unquoted keyword w.
func (p *jqlParser) word(w string) bool {
	return !p.done() && !p.toks[p.i].quoted && strings.EqualFold(p.toks[p.i].s, w)
}

func (p *jqlParser) and() (func(*Issue) bool, error) {
	var preds []func(*Issue) bool
	for {
		m, err := p.term()
		if err != nil {
			return nil, err
		}
		preds = append(preds, m)
		if !p.word("AND") {
			return all(preds), nil
		}
		p.i++
	}
}

func (p *jqlParser) term() (func(*Issue) bool, error) {
	if !p.word("(") {
		return p.clause()
	}
	p.i++
	m, err := p.and()
	if err != nil {
		return nil, err
	}
	if !p.word(")") {
		return nil, errors.New("unclosed '('")
	}
	p.i++
	return m, nil
}

func (p *jqlParser) clause() (func(*Issue) bool, error) {
	toks := p.toks
	if p.i+2 >= len(toks) {
		return nil, errors.New("incomplete clause")
	}
	field := strings.ToLower(toks[p.i].s)
	op := strings.ToLower(toks[p.i+1].s)
	p.i += 2
	var values []string
	switch op {
	case "=":
		values = []string{toks[p.i].s}
		p.i++
	case ">=", ">", "<", "<=":
		p.i++
		return comparison(field, op, toks[p.i-1].s)
	case "in":
		if toks[p.i].s != "(" || toks[p.i].quoted {
			return nil, errors.New("expecting '(' after IN")
		}
		p.i++
		for {
			if p.i >= len(toks) {
				return nil, errors.New("unclosed '('")
			}
			values = append(values, toks[p.i].s)
			p.i++
			if p.i >= len(toks) {
				return nil, errors.New("unclosed '('")
			}
			if toks[p.i].s == ")" && !toks[p.i].quoted {
				p.i++
				break
			}
			if toks[p.i].s != "," || toks[p.i].quoted {
				return nil, fmt.Errorf("expecting ',' or ')' but got %q", toks[p.i].s)
			}
			p.i++
		}
	default:
		return nil, fmt.Errorf("operator %q is not supported by the emulator", op)
	}
	return predicate(field, values)
}

// comparison is a date clause: created, updated or resolved against a JQL
// date ("2027-03-01", "2027/03/01", optionally with " 15:04").
func comparison(field, op, value string) (func(*Issue) bool, error) {
	var get func(*Issue) time.Time
	switch field {
	case "created":
		get = func(is *Issue) time.Time { return is.Created }
	case "updated":
		get = func(is *Issue) time.Time { return is.Updated }
	case "resolved", "resolutiondate":
		get = func(is *Issue) time.Time { return is.Resolved }
	default:
		return nil, fmt.Errorf("field %q cannot be compared by the emulator", field)
	}
	var at time.Time
	var err error
	for _, layout := range []string{"2006-01-02 15:04", "2006/01/02 15:04", "2006-01-02", "2006/01/02"} {
		if at, err = time.Parse(layout, value); err == nil {
			break
		}
	}
	if err != nil {
		return nil, fmt.Errorf("date value %q for field %q is invalid", value, field)
	}
	return func(is *Issue) bool {
		t := get(is)
		if t.IsZero() {
			return false
		}
		switch op {
		case ">=":
			return !t.Before(at)
		case ">":
			return t.After(at)
		case "<":
			return t.Before(at)
		}
		return !t.After(at)
	}, nil
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
		return anyFold(values, func(is *Issue) string { return is.Project }), nil
	case "issuetype", "type":
		return anyFold(values, func(is *Issue) string { return is.Type }), nil
	case "status":
		return anyFold(values, func(is *Issue) string { return is.Status }), nil
	case "resolution":
		return func(is *Issue) bool {
			return is.Resolution != "" && slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, is.Resolution) })
		}, nil
	}
	return nil, fmt.Errorf("field %q is not supported by the emulator", field)
}

// anyFold matches issues whose field equals one of values, ignoring case as
// Jira does for names.
func anyFold(values []string, field func(*Issue) string) func(*Issue) bool {
	return func(is *Issue) bool {
		return slices.ContainsFunc(values, func(v string) bool { return strings.EqualFold(v, field(is)) })
	}
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
		case (c == '!' || c == '<' || c == '>') && i+1 < len(s) && s[i+1] == '=':
			out = append(out, token{s: s[i : i+2]})
			i += 2
		case c == '<' || c == '>':
			out = append(out, token{s: string(c)})
			i++
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
			for j < len(s) && !strings.ContainsRune(" \t\n\r(),=!<>\"'", rune(s[j])) {
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
