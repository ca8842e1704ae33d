package main

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newListCmd() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every engagement (from the Postgres record)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.List(cmd.Context(), engagement.ListRequest{})
			if err != nil {
				return err
			}
			list := res.Engagements
			out := cmd.OutOrStdout()
			switch format {
			case "json":
				return writeJSON(out, list)
			case "text":
				if len(list) == 0 {
					fmt.Fprintln(out, "No engagements yet. Start one with: starter engage -f examples/saas-startup.yaml")
					return nil
				}
				tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ENGAGEMENT\tCLIENT\tPHASE\tREV\tFRAMEWORKS\tAUDIT DATE\tUPDATED")
				for _, e := range list {
					fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", e.ID, e.Client, e.Phase, e.Revision,
						strings.Join(e.Frameworks, ","), e.AuditDate, e.UpdatedAt.Format("2006-01-02 15:04"))
				}
				return tw.Flush()
			}
			return fmt.Errorf("--format must be text or json, not %q", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}
