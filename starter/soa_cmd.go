package main

import (
	"fmt"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
	"io"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// newCatalogSoACmd is `starter catalog soa`: the ISO 27001 Statement of
// Applicability of one engagement, each Annex A control included with the
// risks and requirements that justify it or excluded with its justification.
func newCatalogSoACmd() *cobra.Command {
	var format, risks string
	cmd := &cobra.Command{
		Use:   "soa ENGAGEMENT-SPEC-OR-ID --format csv|markdown",
		Short: "Export the ISO 27001 Statement of Applicability",
		Long: `Writes the Statement of Applicability: every Annex A control, whether it is
included, the risks in the register that rely on it, the SOC 2 and PCI DSS
requirements its implementing controls also satisfy, the library controls
that implement it, and the reason in words. Exclusions come from the spec's
iso27001 framework entry (exclusions: control + justification).

The argument is a spec file or an engagement ID (read from DATABASE_URL).
--risks reads the risk register from a CSV file (columns id, title, owner,
treatment, controls) instead of the spec's risks section; bad rows are
reported by line.

A risk that relies on an excluded control is listed after the table
(markdown) and makes the command exit non-zero: the SoA contradicts the
register.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "csv" && format != "markdown" {
				return fmt.Errorf("--format %q is not supported (want csv or markdown)", format)
			}
			spec, err := specFromArg(cmd, args[0], risks)
			if err != nil {
				return err
			}
			if !spec.HasFramework(compliance.ISO27001) {
				return fmt.Errorf("engagement %s does not include iso27001; it has no Statement of Applicability", spec.ID)
			}
			a, err := catalog.Default().ForSpec(spec)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			if format == "csv" {
				err = writeSoACSV(w, a.SoA)
			} else {
				err = writeSoAMarkdown(w, spec, a)
			}
			if err != nil {
				return err
			}
			if needed := a.SoAExcludedNeeded(); len(needed) > 0 {
				return fmt.Errorf("the Statement of Applicability excludes controls the risk register relies on: %s", strings.Join(needed, "; "))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "markdown", "output format (csv or markdown)")
	cmd.Flags().StringVar(&risks, "risks", "", "risk register CSV to use instead of the spec's risks")
	return cmd
}

var soaColumns = []string{"annex_a", "title", "theme", "included", "risks", "requirements", "controls", "reason"}

func writeSoACSV(w io.Writer, soa []catalog.SoAEntry) error {
	// People type vendor names, exceptions and justifications: neutralise formulas.
	cw := csvsafe.NewWriter(w)
	if err := cw.Write(soaColumns); err != nil {
		return fmt.Errorf("write soa: %w", err)
	}
	for _, e := range soa {
		rec := []string{e.ID, e.Title, string(e.Theme), strconv.FormatBool(e.Included),
			strings.Join(e.Risks, " "), strings.Join(e.Requirements, " "), strings.Join(e.Controls, " "), e.Reason}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write soa: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

// soaCell keeps a value inside one Markdown table cell.
func soaCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\r", " ", "\n", " ").Replace(s)
}

func writeSoAMarkdown(w io.Writer, spec *compliance.Spec, a *catalog.Applicability) error {
	in := 0
	for _, e := range a.SoA {
		if e.Included {
			in++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "# Statement of Applicability — %s\n\n", soaCell(spec.Client.Name))
	fmt.Fprintf(&b, "ISO/IEC 27001:2022 Annex A: %d of %d controls included; %d risks in the register.\n\n", in, len(a.SoA), len(spec.Risks))
	b.WriteString("| Annex A | Control | Included | Risks | Implemented by | Justification |\n|---|---|---|---|---|---|\n")
	for _, e := range a.SoA {
		inc := "yes"
		if !e.Included {
			inc = "no"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s |\n", e.ID, soaCell(e.Title), inc,
			strings.Join(e.Risks, ", "), strings.Join(e.Controls, ", "), soaCell(e.Reason))
	}
	if len(spec.Risks) > 0 {
		b.WriteString("\n## Risk register\n\n| Risk | Title | Owner | Treatment | Annex A |\n|---|---|---|---|---|\n")
		for _, r := range spec.Risks {
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", soaCell(r.ID), soaCell(r.Title), soaCell(r.Owner), r.Treatment, strings.Join(r.Controls, ", "))
		}
	}
	if needed := a.SoAExcludedNeeded(); len(needed) > 0 {
		b.WriteString("\n## Contradictions\n\n")
		for _, n := range needed {
			fmt.Fprintf(&b, "- %s, which is excluded\n", n)
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write soa: %w", err)
	}
	return nil
}
