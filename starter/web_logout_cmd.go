package main

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newWebLogoutCmd signs a person out of the web in every browser: an
// operator's answer to a lost laptop or a person who left.
func newWebLogoutCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "web-logout EMAIL",
		Short: "Sign a person out of the web in every browser; their open pages stop updating within seconds",
		Long: `web-logout ends every web session of EMAIL. Their next request goes to the sign-in
page, and the web closes their open live pages within seconds (Postgres notifies the
web of the sign-out), so a page left open on a lost laptop stops showing changes.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, closeSvc, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer closeSvc()
			n, err := svc.EndWebSessionsOf(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "signed %s out of %d web session(s)\n", args[0], n)
			return nil
		},
	}
}
