package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// newCatalogCmd is `starter catalog`: the control library and the three
// framework catalogs, read-only and offline (no Temporal, no Postgres).
func newCatalogCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "catalog",
		Short: "Explore the control library and the SOC 2, ISO 27001 and PCI DSS catalogs",
		Long: `The catalog is Steadfast's one library of controls, each mapped to the SOC 2
criteria, ISO/IEC 27001:2022 clauses and Annex A controls, and PCI DSS v4.0.1
requirements it satisfies. These commands work offline: they need no Temporal
and no database.`,
	}
	cmd.AddCommand(newCatalogExportCmd(), newCatalogShowCmd(), newCatalogApplicabilityCmd(), newCatalogDeltaCmd(), newCatalogStatsCmd())
	cmd.AddCommand(newCatalogCrosswalkCmd())
	return cmd
}

func newCatalogExportCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "export --format json",
		Short: "Write the whole catalog and control library as JSON",
		Long: `Writes every framework's requirements and every control with its mappings as
one JSON document:

  {"frameworks":[{"id":"soc2","version":"...","requirements":[{"id":"CC6.1","title":"...","kind":"criterion"}]}, ...],
   "controls":[{"id":"ACC-04","title":"...","frequency":"quarterly","maps":{"soc2":[...],"iso27001":[...],"pci-dss":[...]}}, ...]}

Other tools read this shape; extra fields may be added but the named ones stay.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "json" {
				return fmt.Errorf("--format %q is not supported (want json)", format)
			}
			return writeJSON(cmd.OutOrStdout(), catalog.Default().Export())
		},
	}
	cmd.Flags().StringVar(&format, "format", "json", "output format (json)")
	return cmd
}

func newCatalogShowCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Explain a control or a requirement and what maps to it",
		Long: `Shows a control (e.g. ACC-04) with what it means, how it is tested and every
requirement it satisfies, or a requirement (e.g. CC6.1, A.8.32, 8.3.6) with the
controls that satisfy it. IDs are case-insensitive. Some IDs exist in two
frameworks (A1.1 in SOC 2 and PCI DSS, 8.1 in ISO 27001 and PCI DSS): both are
shown unless you prefix the framework, as in pci-dss:A1.1.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			lib := catalog.Default()
			ms := lib.Find(args[0])
			if len(ms) == 0 {
				return fmt.Errorf("no control or requirement has ID %q (try a control like ACC-04, or CC6.1, A.8.32, 8.3.6)", args[0])
			}
			w := cmd.OutOrStdout()
			for i, m := range ms {
				if i > 0 {
					fmt.Fprintln(w)
				}
				if m.Control != nil {
					showControl(w, lib, m.Control)
				} else {
					showRequirement(w, lib, m.Requirement)
				}
			}
			return nil
		},
	}
	return cmd
}

func showControl(w io.Writer, lib *catalog.Library, c *catalog.Control) {
	fmt.Fprintf(w, "%s  %s\n", c.ID, c.Title)
	fmt.Fprintf(w, "  domain %s · type %s · %s · owner %s · evidence %s\n", c.Domain, c.Type, c.Frequency, c.Owner, catalogAutomation(c.Automated))
	if c.When != "" {
		fmt.Fprintf(w, "  applies only when: %s\n", c.When)
	}
	fmt.Fprintf(w, "\n%s\n\nEvidence sampled: %s\n\nSatisfies:\n", catalogWrap(c.Description, 88, ""), c.Evidence)
	var rows [][]string
	var why []string
	for _, fw := range compliance.FrameworkIDs {
		for _, id := range c.Maps[fw] {
			rows = append(rows, []string{string(fw), id, lib.Requirement(fw, id).Title})
			why = append(why, c.Rationale(fw, id))
		}
	}
	writeNotedRows(w, "  ", 2, rows, why)
}

func showRequirement(w io.Writer, lib *catalog.Library, r *catalog.Requirement) {
	fc := lib.Framework(r.Framework)
	fmt.Fprintf(w, "%s %s  %s\n", fc.Name, r.ID, r.Title)
	var facts []string
	facts = append(facts, string(r.Kind))
	if r.Category != "" {
		facts = append(facts, "category "+string(r.Category))
	}
	if r.Theme != "" {
		facts = append(facts, "theme "+string(r.Theme))
	}
	if r.Parent != "" {
		facts = append(facts, "part of "+r.Parent)
	}
	if r.FutureDated {
		facts = append(facts, "future-dated in v4.0, mandatory since 31 March 2025")
	}
	if len(r.SAQ) > 0 {
		facts = append(facts, "in SAQ "+catalogJoin(r.SAQ)+" (and D)")
	}
	if r.When != "" {
		facts = append(facts, "applies only when: "+string(r.When))
	}
	fmt.Fprintf(w, "  %s\n", strings.Join(facts, " · "))
	if kids := lib.Children(r.Framework, r.ID); len(kids) > 0 {
		fmt.Fprintf(w, "\nContains:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, k := range kids {
			fmt.Fprintf(tw, "  %s\t%s\t%d control(s)\n", k.ID, k.Title, len(lib.ControlsFor(r.Framework, k.ID)))
		}
		tw.Flush()
	}
	cs := lib.ControlsFor(r.Framework, r.ID)
	switch {
	case len(cs) > 0:
		fmt.Fprintf(w, "\nSatisfied by:\n")
		var rows [][]string
		var why []string
		for _, c := range cs {
			rows = append(rows, []string{c.ID, c.Title, string(c.Frequency), c.Owner})
			why = append(why, c.Rationale(r.Framework, r.ID))
		}
		writeNotedRows(w, "  ", 1, rows, why)
	case lib.Covered(r):
		fmt.Fprintf(w, "\nSatisfied through the requirements it contains.\n")
	default:
		fmt.Fprintf(w, "\nNo control satisfies it directly.\n")
	}
}

func newCatalogApplicabilityCmd() *cobra.Command {
	var file, format string
	cmd := &cobra.Command{
		Use:   "applicability -f SPEC.yaml",
		Short: "List the controls an engagement needs and its ISO 27001 Statement of Applicability",
		Long: `Reads an engagement spec and prints the controls that apply to it - chosen by
its frameworks, SOC 2 categories, PCI DSS entity type and SAQ or ROC, and the
kinds of systems in scope - with the requirements each satisfies per framework,
the controls left out and why, and, when ISO 27001 is in scope, the Statement of
Applicability (every Annex A control, included or excluded, with the reason).
--format json prints the same as JSON.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := catalog.LoadSpec(file)
			if err != nil {
				return err
			}
			a, err := catalog.Default().ForSpec(spec)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			switch format {
			case "text":
				printApplicability(cmd.OutOrStdout(), a)
				return nil
			case "json":
				return writeJSON(cmd.OutOrStdout(), applicabilityJSON(a))
			}
			return fmt.Errorf("--format %q is not supported (want text or json)", format)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "engagement spec (YAML)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func printApplicability(w io.Writer, a *catalog.Applicability) {
	fmt.Fprintf(w, "Frameworks: %s\n", catalogJoin(a.Scope.FrameworkIDs()))
	for _, fw := range a.Scope.FrameworkIDs() {
		n, assess := 0, 0
		for _, rs := range a.Requirements[fw] {
			if rs.Requirement.Assessable() {
				assess++
				if rs.Applies {
					n++
				}
			}
		}
		fmt.Fprintf(w, "  %-9s %d of %d requirements apply\n", fw, n, assess)
	}
	fmt.Fprintf(w, "\nApplicable controls (%d):\n", len(a.Controls))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "  ID\tTITLE\tFREQUENCY\tOWNER\tSATISFIES\n")
	for _, ac := range a.Controls {
		var parts []string
		for _, fw := range a.Scope.FrameworkIDs() {
			if ids := ac.Covers[fw]; len(ids) > 0 {
				parts = append(parts, fmt.Sprintf("%s %s", fw, strings.Join(ids, " ")))
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", ac.Control.ID, ac.Control.Title, ac.Control.Frequency, ac.Control.Owner, strings.Join(parts, "; "))
	}
	tw.Flush()
	if len(a.Inherited) > 0 {
		fmt.Fprintf(w, "\nInherited controls, performed by a vendor (%d):\n", len(a.Inherited))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, ic := range a.Inherited {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", ic.Control.ID, ic.Control.Title, ic.Vendor, ic.Justification)
		}
		tw.Flush()
	}
	fmt.Fprintf(w, "\nControls not needed (%d):\n", len(a.Excluded))
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, ex := range a.Excluded {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", ex.Control.ID, ex.Control.Title, ex.Reason)
	}
	tw.Flush()
	if u := a.Unsatisfied(); len(u) > 0 {
		fmt.Fprintf(w, "\nApplicable requirements no control satisfies: %s\n", strings.Join(u, ", "))
	}
	if a.SoA != nil {
		in := 0
		for _, e := range a.SoA {
			if e.Included {
				in++
			}
		}
		fmt.Fprintf(w, "\nISO 27001 Statement of Applicability (%d of %d Annex A controls included):\n", in, len(a.SoA))
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, e := range a.SoA {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", e.ID, e.Title, catalogYesNo(e.Included, "included", "excluded"), e.Reason)
		}
		tw.Flush()
	}
}

// applicabilityJSON flattens Applicability for JSON readers.
func applicabilityJSON(a *catalog.Applicability) any {
	type control struct {
		ID        string              `json:"id"`
		Title     string              `json:"title"`
		Frequency string              `json:"frequency"`
		Owner     string              `json:"owner"`
		Covers    map[string][]string `json:"covers"`
	}
	type excluded struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
	}
	type inherited struct {
		ID            string `json:"id"`
		Vendor        string `json:"vendor"`
		Justification string `json:"justification"`
	}
	type requirement struct {
		ID       string   `json:"id"`
		Applies  bool     `json:"applies"`
		Reason   string   `json:"reason,omitempty"`
		Controls []string `json:"controls,omitempty"`
	}
	out := struct {
		Frameworks   []compliance.FrameworkID `json:"frameworks"`
		Controls     []control                `json:"controls"`
		Excluded     []excluded               `json:"excluded"`
		Inherited    []inherited              `json:"inherited,omitempty"`
		Requirements map[string][]requirement `json:"requirements"`
		SoA          []catalog.SoAEntry       `json:"statement_of_applicability,omitempty"`
	}{Frameworks: a.Scope.FrameworkIDs(), Requirements: map[string][]requirement{}, SoA: a.SoA}
	for _, ac := range a.Controls {
		cov := map[string][]string{}
		for fw, ids := range ac.Covers {
			cov[string(fw)] = ids
		}
		out.Controls = append(out.Controls, control{ac.Control.ID, ac.Control.Title, string(ac.Control.Frequency), ac.Control.Owner, cov})
	}
	for _, ex := range a.Excluded {
		out.Excluded = append(out.Excluded, excluded{ex.Control.ID, ex.Reason})
	}
	for _, ic := range a.Inherited {
		out.Inherited = append(out.Inherited, inherited{ic.Control.ID, ic.Vendor, ic.Justification})
	}
	for fw, rs := range a.Requirements {
		for _, r := range rs {
			out.Requirements[string(fw)] = append(out.Requirements[string(fw)], requirement{r.Requirement.ID, r.Applies, r.Reason, r.Controls})
		}
	}
	return out
}

func newCatalogDeltaCmd() *cobra.Command {
	var file, add, entity, assessment, saq string
	var categories []string
	cmd := &cobra.Command{
		Use:   "delta -f SPEC.yaml --add FRAMEWORK",
		Short: "Show what adding a framework to a running programme reuses and what it adds",
		Long: `For the programme described by the spec, shows what adding another framework
(soc2, iso27001 or pci-dss) means: its requirements already satisfied by controls
the programme runs, those satisfied only in part, those needing new controls, and
the new controls to build - so nothing is built twice.

For pci-dss, --entity (merchant or service-provider), --assessment (roc or saq)
and --saq (e.g. A, D-Merchant) describe the validation; for soc2, --categories
adds categories beyond security.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fw, err := parseAddedFramework(add, entity, assessment, saq, categories)
			if err != nil {
				return err
			}
			spec, err := catalog.LoadSpec(file)
			if err != nil {
				return err
			}
			d, err := catalog.Default().Delta(catalog.ScopeOf(spec), fw)
			if err != nil {
				return fmt.Errorf("%s: %w", file, err)
			}
			printDelta(cmd.OutOrStdout(), catalog.Default(), d)
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "engagement spec (YAML) of the running programme")
	cmd.Flags().StringVar(&add, "add", "", "framework to add: soc2, iso27001 or pci-dss")
	cmd.Flags().StringVar(&entity, "entity", string(compliance.Merchant), "pci-dss: merchant or service-provider")
	cmd.Flags().StringVar(&assessment, "assessment", string(compliance.ROC), "pci-dss: roc or saq")
	cmd.Flags().StringVar(&saq, "saq", "", "pci-dss with --assessment saq: the SAQ type (A, A-EP, B, B-IP, C, C-VT, P2PE, SPoC, D-Merchant, D-SP)")
	cmd.Flags().StringSliceVar(&categories, "categories", nil, "soc2: categories beyond security (availability, confidentiality, processing-integrity, privacy)")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("add")
	return cmd
}

// parseAddedFramework checks the --add options against the vocabulary and
// names the flag at fault.
func parseAddedFramework(add, entity, assessment, saq string, categories []string) (compliance.Framework, error) {
	fw := compliance.Framework{ID: compliance.FrameworkID(strings.ToLower(strings.TrimSpace(add)))}
	if !slices.Contains(compliance.FrameworkIDs, fw.ID) {
		return fw, fmt.Errorf("--add %q is not one of %s", add, catalogJoin(compliance.FrameworkIDs))
	}
	switch fw.ID {
	case compliance.PCIDSS:
		fw.Entity, fw.Assessment, fw.SAQ = compliance.PCIEntity(entity), compliance.PCIAssessment(assessment), compliance.SAQType(saq)
		if !slices.Contains(compliance.PCIEntities, fw.Entity) {
			return fw, fmt.Errorf("--entity %q is not one of %s", entity, catalogJoin(compliance.PCIEntities))
		}
		if !slices.Contains(compliance.PCIAssessments, fw.Assessment) {
			return fw, fmt.Errorf("--assessment %q is not one of %s", assessment, catalogJoin(compliance.PCIAssessments))
		}
		if fw.Assessment == compliance.SAQ && !slices.Contains(compliance.SAQTypes, fw.SAQ) {
			return fw, fmt.Errorf("--saq %q is not one of %s", saq, catalogJoin(compliance.SAQTypes))
		}
	case compliance.SOC2:
		fw.Categories = []compliance.TSCCategory{compliance.CategorySecurity}
		for _, c := range categories {
			cat := compliance.TSCCategory(strings.TrimSpace(c))
			if !slices.Contains(compliance.TSCCategories, cat) {
				return fw, fmt.Errorf("--categories: %q is not one of %s", c, catalogJoin(compliance.TSCCategories))
			}
			if !slices.Contains(fw.Categories, cat) {
				fw.Categories = append(fw.Categories, cat)
			}
		}
	}
	return fw, nil
}

func printDelta(w io.Writer, lib *catalog.Library, d *catalog.Delta) {
	total := len(d.Satisfied) + len(d.Partial) + len(d.Uncovered)
	fmt.Fprintf(w, "Adding %s to a programme running %s\n", d.Added, catalogJoin(d.Existing))
	fmt.Fprintf(w, "  %d applicable requirements (%d not applicable)\n", total, d.NotApplicable)
	fmt.Fprintf(w, "  %d already satisfied by existing controls\n", len(d.Satisfied))
	fmt.Fprintf(w, "  %d satisfied in part (existing controls plus new ones)\n", len(d.Partial))
	fmt.Fprintf(w, "  %d needing new controls only\n", len(d.Uncovered))
	fmt.Fprintf(w, "  %d existing controls reused, %d new controls to build\n", len(d.Reused), len(d.NewControls))

	section := func(title string, rs []catalog.DeltaRequirement) {
		if len(rs) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, r := range rs {
			var by []string
			if len(r.Existing) > 0 {
				by = append(by, "existing "+strings.Join(r.Existing, " "))
			}
			if len(r.New) > 0 {
				by = append(by, "new "+strings.Join(r.New, " "))
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.Requirement.ID, r.Requirement.Title, strings.Join(by, "; "))
		}
		tw.Flush()
	}
	section("Already satisfied", d.Satisfied)
	section("Satisfied in part", d.Partial)
	section("Needing new controls", d.Uncovered)
	if len(d.NewControls) > 0 {
		fmt.Fprintf(w, "\nNew controls to build:\n")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range d.NewControls {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", c.ID, c.Title, c.Frequency, c.Owner)
		}
		tw.Flush()
	}
}

func newCatalogStatsCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Measure how much the controls are shared across frameworks",
		Long: `Prints controls per framework requirement and requirements per control (mean
and maximum), and the share of controls that serve two or three frameworks.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			printStats(cmd.OutOrStdout(), catalog.Default().Stats())
			return nil
		},
	}
}

func printStats(w io.Writer, st catalog.Stats) {
	fmt.Fprintf(w, "%d controls\n", st.Controls)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "FRAMEWORK\tREQUIREMENTS\tCONTROLS/REQ MEAN\tMAX\tREQS/CONTROL MEAN\tMAX\n")
	for _, f := range st.Frameworks {
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%d (%s)\t%.2f\t%d (%s)\n", f.Framework, f.Requirements,
			f.ControlsPerRequirement.Mean, f.ControlsPerRequirement.Max, f.ControlsPerRequirement.MaxID,
			f.RequirementsPerControl.Mean, f.RequirementsPerControl.Max, f.RequirementsPerControl.MaxID)
	}
	tw.Flush()
	fmt.Fprintf(w, "requirements per control, all frameworks: mean %.2f, max %d (%s)\n",
		st.RequirementsPerControl.Mean, st.RequirementsPerControl.Max, st.RequirementsPerControl.MaxID)
	fmt.Fprintf(w, "controls serving 1 / 2 / 3 frameworks: %d / %d / %d (two or more %.0f%%, all three %.0f%%)\n",
		st.ByFrameworkCount[1], st.ByFrameworkCount[2], st.ByFrameworkCount[3], 100*st.ShareTwoOrMore, 100*st.ShareThree)
}

func catalogAutomation(auto bool) string {
	return catalogYesNo(auto, "collected automatically", "produced by hand")
}

func catalogYesNo(b bool, yes, no string) string {
	if b {
		return yes
	}
	return no
}

func catalogJoin[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// catalogWrap folds text at width columns, prefixing each line.
func catalogWrap(text string, width int, prefix string) string {
	var b strings.Builder
	line := 0
	for _, word := range strings.Fields(text) {
		if line > 0 && line+1+len(word) > width {
			b.WriteString("\n")
			line = 0
		}
		if line == 0 {
			b.WriteString(prefix)
			line = len(prefix)
		} else {
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += len(word)
	}
	return b.String()
}
