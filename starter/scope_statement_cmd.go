package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/postcert"
	"github.com/steadfast-grc/steadfast/compliance/report"
)

// newScopeStatementCmd prints the scope statement a customer can read.
func newScopeStatementCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "statement ENGAGEMENT-OR-SPEC [--format markdown|json]",
		Short: "What the report covers, worded for a customer's security team",
		Long: `Prints the scope statement: the frameworks and the period the report covers
(the issued report's period once it is recorded, else the planned window), the
trust services categories, the systems in scope, each exclusion with its
rationale and what it means for a customer's data, the subservice
organisations and how the report treats them, and the controls the customer
must operate (CUECs). It is generated from the engagement's records (or a spec
file), never edited by hand.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, certs, err := statementSources(cmd, args[0])
			if err != nil {
				return err
			}
			st := report.BuildScopeStatement(spec, certs)
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), st)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), st.Markdown())
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "markdown", "markdown or json")
	return cmd
}

// statementSources is a spec file alone, or an engagement's recorded spec
// and certifications.
func statementSources(cmd *cobra.Command, arg string) (*compliance.Spec, []postcert.Certification, error) {
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		spec, err := compliance.LoadSpec(arg)
		return spec, nil, err
	}
	store, err := openStore(cmd)
	if err != nil {
		return nil, nil, fmt.Errorf("%s is not a spec file, and reading it as an engagement ID needs the database: %w", arg, err)
	}
	defer store.Close()
	spec, _, err := store.SpecAndPlan(cmd.Context(), arg)
	if err != nil {
		return nil, nil, fmt.Errorf("scope statement of %s: %w", arg, err)
	}
	rows, err := store.Certifications(cmd.Context(), arg)
	if err != nil {
		return nil, nil, err
	}
	var certs []postcert.Certification
	for _, r := range rows {
		certs = append(certs, postcert.Certification{Framework: r.Framework, Date: r.CertifiedOn, ReportPeriod: r.ReportPeriod, Reference: r.Reference})
	}
	return &spec, certs, nil
}
