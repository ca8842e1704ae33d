package main

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"
)

// parsePages parses each page with the shared layout, once.
func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"join": strings.Join,
		"dict": func(kv ...any) map[string]any {
			m := map[string]any{}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		},
		"day":  func(t time.Time) string { return t.Format("2006-01-02") },
		"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"pct": func(p *float64) string {
			if p == nil {
				return "n/a"
			}
			return fmt.Sprintf("%.0f%%", *p*100)
		},
		"rate": func(f float64) string { return fmt.Sprintf("%.0f%%", f*100) },
		"deref": func(t *time.Time) time.Time {
			if t == nil {
				return time.Time{}
			}
			return *t
		},
	}
	pages := map[string]*template.Template{}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		panic(err) // the pattern is a constant
	}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		pages[base] = template.Must(template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", n))
	}
	return pages
}

// render executes a page into a buffer first, so a template error is a
// clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, page string, status int, data map[string]any) {
	t, ok := s.pages[page]
	if !ok {
		s.fail(w, r, fmt.Errorf("no page %s", page))
		return
	}
	if data == nil {
		data = map[string]any{}
	}
	data["LivePoll"] = s.LivePoll.Milliseconds()
	data["LiveVersion"] = liveVersionOf(r)
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", data); err != nil {
		s.fail(w, r, fmt.Errorf("render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// readForm bounds a request's body to limit bytes and parses its form, so
// no client can make a handler read more than its form needs; on failure
// it has answered 400 and returns false.
func readForm(w http.ResponseWriter, r *http.Request, limit int64) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form is too large or malformed", http.StatusBadRequest)
		return false
	}
	return true
}
