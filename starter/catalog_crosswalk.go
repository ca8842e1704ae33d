package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/csvsafe"
)

// crosswalkCSVHeader is the CSV shape of `catalog crosswalk --format csv`: one
// row per control linking a pair, so a spreadsheet filter on either ID shows
// every reason the pair holds.
var crosswalkCSVHeader = []string{
	"from_framework", "from_id", "from_title", "to_framework", "to_id", "to_title",
	"control", "control_title", "from_rationale", "to_rationale",
}

func newCatalogCrosswalkCmd() *cobra.Command {
	var from, to, format, only string
	cmd := &cobra.Command{
		Use:   "crosswalk --from soc2 --to iso27001 [--format text|csv|json]",
		Short: "Pair two frameworks' requirements through the controls that satisfy both, with rationales",
		Long: `Lists every pair of requirements, one from each framework, that some control
satisfies in both, with the controls that link them and each control's
rationale for either side. A pair holds only as well as its rationales: read
them to defend a pair to an auditor, or to see why two requirements are not
paired (no control states a reason for both).

Pairs are ordered by the source framework's catalog order, then the target's,
then control ID, so the output is the same on every run and diffs cleanly
between library versions. --requirement narrows the list to pairs with that ID
on either side.

Frameworks: soc2, iso27001, pci-dss.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lib := catalog.Default()
			f, err := crosswalkFramework(from)
			if err != nil {
				return fmt.Errorf("--from: %w", err)
			}
			t, err := crosswalkFramework(to)
			if err != nil {
				return fmt.Errorf("--to: %w", err)
			}
			xw, err := lib.Crosswalk(f, t)
			if err != nil {
				return err
			}
			if only != "" {
				xw = filterCrosswalk(xw, only)
				if len(xw.Pairs) == 0 {
					return fmt.Errorf("no %s-%s pair involves %q", f, t, only)
				}
			}
			return writeCrosswalk(cmd.OutOrStdout(), lib, xw, format)
		},
	}
	cmd.Flags().StringVar(&from, "from", string(compliance.SOC2), "source framework (soc2, iso27001, pci-dss)")
	cmd.Flags().StringVar(&to, "to", string(compliance.ISO27001), "target framework (soc2, iso27001, pci-dss)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, csv or json")
	cmd.Flags().StringVar(&only, "requirement", "", "only pairs with this requirement ID on either side")
	return cmd
}

func crosswalkFramework(s string) (compliance.FrameworkID, error) {
	id := compliance.FrameworkID(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(compliance.FrameworkIDs, id) {
		return "", fmt.Errorf("framework %q is not one of %v", s, compliance.FrameworkIDs)
	}
	return id, nil
}

// filterCrosswalk keeps the pairs with id (case-insensitive) on either side.
func filterCrosswalk(xw *catalog.Crosswalk, id string) *catalog.Crosswalk {
	out := *xw
	out.Pairs = nil
	for _, p := range xw.Pairs {
		if strings.EqualFold(p.From, id) || strings.EqualFold(p.To, id) {
			out.Pairs = append(out.Pairs, p)
		}
	}
	return &out
}

// writeCrosswalk renders a crosswalk; lib supplies the frameworks' names.
func writeCrosswalk(w io.Writer, lib *catalog.Library, xw *catalog.Crosswalk, format string) error {
	switch format {
	case "json":
		if xw.Pairs == nil {
			xw.Pairs = []catalog.CrosswalkPair{}
		}
		return writeJSON(w, xw)
	case "csv":
		cw := csvsafe.NewWriter(w)
		rows := [][]string{crosswalkCSVHeader}
		for _, p := range xw.Pairs {
			for _, k := range p.Links {
				rows = append(rows, []string{
					string(xw.From), p.From, p.FromTitle, string(xw.To), p.To, p.ToTitle,
					k.Control, k.Title, k.FromWhy, k.ToWhy,
				})
			}
		}
		return cw.WriteAll(rows)
	case "text":
		return writeCrosswalkText(w, lib, xw)
	}
	return fmt.Errorf("--format %q is not supported (want text, csv or json)", format)
}

func writeCrosswalkText(w io.Writer, lib *catalog.Library, xw *catalog.Crosswalk) error {
	fromName, toName := lib.Framework(xw.From).Name, lib.Framework(xw.To).Name
	controls := map[string]bool{}
	for _, p := range xw.Pairs {
		for _, k := range p.Links {
			controls[k.Control] = true
		}
	}
	fmt.Fprintf(w, "%s to %s crosswalk, library %s: %d pairs through %d controls\n",
		fromName, toName, xw.LibraryVersion, len(xw.Pairs), len(controls))
	label := max(utf8.RuneCountInString(string(xw.From)), utf8.RuneCountInString(string(xw.To))) + 1
	last := ""
	for _, p := range xw.Pairs {
		if p.From != last {
			fmt.Fprintf(w, "\n%s %s  %s\n", fromName, p.From, p.FromTitle)
			last = p.From
		}
		fmt.Fprintf(w, "  <-> %s %s  %s\n", toName, p.To, p.ToTitle)
		for _, k := range p.Links {
			fmt.Fprintf(w, "      %s  %s\n", k.Control, k.Title)
			fmt.Fprintf(w, "        %-*s %s\n", label, string(xw.From)+":", k.FromWhy)
			fmt.Fprintf(w, "        %-*s %s\n", label, string(xw.To)+":", k.ToWhy)
		}
	}
	return nil
}

// writeNotedRows aligns rows in columns and prints each row's note, when it
// has one, on the line below it, indented under column noteCol. Long
// rationales stay readable without stretching every row of the table.
func writeNotedRows(w io.Writer, indent string, noteCol int, rows [][]string, notes []string) {
	var widths []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	noteAt := len(indent)
	for _, wd := range widths[:min(noteCol, len(widths))] {
		noteAt += wd + 2
	}
	for i, r := range rows {
		var b strings.Builder
		b.WriteString(indent)
		for j, c := range r {
			b.WriteString(c)
			if j < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)+2))
			}
		}
		fmt.Fprintln(w, b.String())
		if i < len(notes) && notes[i] != "" {
			fmt.Fprintf(w, "%swhy: %s\n", strings.Repeat(" ", noteAt), notes[i])
		}
	}
}
