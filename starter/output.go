package main

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/config"
)

// writeJSON writes v indented, for --format json.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// openStore connects to the Postgres record (DATABASE_URL).
func openStore(cmd *cobra.Command) (*postgres.Store, error) {
	return postgres.Open(cmd.Context(), config.FromEnv().DatabaseURL)
}
