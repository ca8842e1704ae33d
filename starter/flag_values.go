package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// outputFormats are the values any command's --format may take; each
// command's flag usage names the ones it offers.
var outputFormats = []string{"text", "table", "json", "csv", "markdown"}

// checkFormat refuses a --format the command does not offer, naming the
// ones it does, before the command connects to anything: every command,
// not only those that remembered to check.
func checkFormat(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags().Lookup("format")
	if f == nil {
		return nil
	}
	var offered []string
	for _, w := range strings.FieldsFunc(f.Usage, func(r rune) bool { return !('a' <= r && r <= 'z') }) {
		if slices.Contains(outputFormats, w) && !slices.Contains(offered, w) {
			offered = append(offered, w)
		}
	}
	if len(offered) == 0 || slices.Contains(offered, f.Value.String()) {
		return nil
	}
	return fmt.Errorf("--format must be %s, not %q", orList(offered), f.Value.String())
}

// orList is "a", "a or b", "a, b or c".
func orList(vs []string) string {
	if len(vs) == 1 {
		return vs[0]
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}
