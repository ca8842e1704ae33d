package report

import (
	"fmt"
	"strings"
)

// Markdown renders the statement for a customer's security team. Every
// sentence is built from the statement's fields; nothing is hand-edited.
func (st ScopeStatement) Markdown() string {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# What %s's report covers\n\n", mdText(st.Client))
	p("This statement is generated from the engagement's records. It says what the report or certificate covers, " +
		"what it leaves out and why, and what your organisation must do for the controls to work.\n\n")

	p("## Frameworks and period\n\n")
	for _, f := range st.Frameworks {
		p("- **%s**", mdText(f.What))
		if f.Version != "" {
			p(", version %s", mdText(f.Version))
		}
		if !f.Issued.IsZero() {
			p(", issued %s", f.Issued)
		}
		p(".")
		if !f.Period.Start.IsZero() {
			p(" Period: %s to %s (%s).", f.Period.Start, f.Period.End, f.PeriodFrom)
		}
		if len(f.Categories) > 0 {
			p(" Trust services categories: %s.", strings.Join(f.Categories, ", "))
		}
		p("\n")
	}

	p("\n## Systems in scope\n\n")
	if len(st.InScope) == 0 {
		p("None.\n")
	} else {
		p("| system | kind | environment | data it holds |\n| --- | --- | --- | --- |\n")
		for _, s := range st.InScope {
			p("| %s | %s | %s | %s |\n", mdCell(s.Name), mdCell(s.Kind), mdCell(s.Environment), mdCell(orNone(s.Data)))
		}
	}

	p("\n## What the report leaves out\n\n")
	if len(st.Excluded) == 0 && len(st.AnnexAExcluded) == 0 {
		p("No system of the client is left out.\n")
	}
	for _, s := range st.Excluded {
		p("- **%s** (%s; data: %s). Why: %s %s\n", mdText(s.Name), mdText(s.Kind), mdText(orNone(s.Data)),
			mdText(orDefault(s.Rationale, "no rationale is recorded.")), mdText(s.Meaning))
	}
	if len(st.AnnexAExcluded) > 0 {
		p("\nISO/IEC 27001 Annex A controls excluded from the Statement of Applicability:\n\n")
		for _, e := range st.AnnexAExcluded {
			p("- **%s**: %s\n", mdText(e.Control), mdText(e.Justification))
		}
	}

	if len(st.Subservice) > 0 {
		p("\n## Subservice organisations\n\n")
		for _, o := range st.Subservice {
			p("- **%s** (%s). %s", mdText(o.Name), mdText(o.Service), mdText(o.Meaning))
			if len(o.Systems) > 0 {
				p(" It runs: %s.", mdText(strings.Join(o.Systems, ", ")))
			}
			p("\n")
			for _, r := range o.Relied {
				p("  - The client relies on it for: %s\n", mdText(r))
			}
		}
	}

	p("\n## Controls your organisation must operate\n\n")
	if len(st.CUECs) == 0 {
		p("The records name no complementary user entity controls.\n")
	} else {
		p("The client's controls assume that you operate these:\n\n")
		for _, c := range st.CUECs {
			id := c.ID
			if id != "" {
				id = "**" + mdText(id) + "** "
			}
			p("- %s%s", id, mdText(c.Description))
			if len(c.Supports) > 0 {
				p(" (supports %s)", mdText(strings.Join(c.Supports, ", ")))
			}
			p("\n")
		}
	}
	return b.String()
}

func orNone(ds []string) string {
	if len(ds) == 0 {
		return "no customer data"
	}
	return strings.Join(ds, ", ")
}

func orDefault(s, d string) string {
	if strings.TrimSpace(s) == "" {
		return d
	}
	return s
}

// mdText keeps spec text from becoming markup: a name cannot open a link,
// an image or an HTML tag in the customer's viewer.
var mdEscaper = strings.NewReplacer("\\", "\\\\", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "<", "&lt;", ">", "&gt;", "`", "\\`", "\n", " ")

func mdText(s string) string { return mdEscaper.Replace(s) }

func mdCell(s string) string { return strings.ReplaceAll(mdText(s), "|", "\\|") }
