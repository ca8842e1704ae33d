package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// registerThirdPartyCommands adds `starter vendors` and `starter catalog
// soa` (issue 16). They live in their own files so the catalog command's
// file is not edited for them; soa is attached to the catalog command here.
func registerThirdPartyCommands(root *cobra.Command) {
	root.AddCommand(newVendorsCmd())
	for _, c := range root.Commands() {
		if c.Name() == "catalog" {
			c.AddCommand(newCatalogSoACmd())
			return
		}
	}
	root.AddCommand(newCatalogSoACmd())
}

// specFromArg reads a spec from a file when arg names one, otherwise the
// current spec of the engagement with that ID from Postgres (DATABASE_URL).
// riskCSV, when given, replaces the spec's risk register with one exported
// from a spreadsheet.
func specFromArg(cmd *cobra.Command, arg, riskCSV string) (*compliance.Spec, error) {
	var spec *compliance.Spec
	if st, err := os.Stat(arg); err == nil && !st.IsDir() {
		if spec, err = catalog.LoadSpec(arg); err != nil {
			return nil, err
		}
	} else {
		store, err := openStore(cmd)
		if err != nil {
			return nil, fmt.Errorf("%s is not a spec file, and reading it as an engagement ID needs the database: %w", arg, err)
		}
		defer store.Close()
		s, _, err := store.SpecAndPlan(cmd.Context(), arg)
		if err != nil {
			return nil, err
		}
		spec = &s
	}
	if riskCSV != "" {
		data, err := os.ReadFile(riskCSV)
		if err != nil {
			return nil, fmt.Errorf("read risk register: %w", err)
		}
		risks, err := compliance.ParseRiskCSV(riskCSV, data)
		if err != nil {
			return nil, err
		}
		spec.Risks = risks
	}
	// The parser checks references by form; the library knows whether
	// they exist. A dangling one would make a line of the SoA lie.
	if probs := catalog.Default().CheckSpecRefs(spec); len(probs) > 0 {
		var es compliance.SpecErrors
		for _, p := range probs {
			es = append(es, compliance.SpecError{File: arg, Msg: p})
		}
		return nil, es
	}
	return spec, nil
}
