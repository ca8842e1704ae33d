package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newEngageCmd() *cobra.Command {
	var file, by string
	cmd := &cobra.Command{
		Use:   "engage -f SPEC.yaml",
		Short: "Start an engagement from a spec file",
		Long: `Parses the spec (every problem is reported with file:line:column and field;
nothing starts if there is one), then starts the engagement workflow. Its first
phase, scoping, checks the scope for risks, plans back from the audit date and
waits for the lead to sign the scope off.`,
		Example: "  starter engage -f examples/saas-startup.yaml",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			spec, err := catalog.LoadSpec(file)
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Start(cmd.Context(), engagement.StartRequest{Spec: spec, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			run := res.Run
			out := cmd.OutOrStdout()
			// Return once `starter list` and the other record readers see
			// it, when this machine can read the record (starting needs only
			// Temporal).
			if store, err := openStore(cmd); err == nil {
				svc.Store = store // done() closes it with the rest
				if err := svc.AwaitRecorded(cmd.Context(), spec.ID, 15*time.Second); err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", userMessage(err))
				}
			}
			fmt.Fprintf(out, "Started engagement %s for %s\n  workflow %s (run %s)\n\n", spec.ID, spec.Client.Name, run.GetID(), run.GetRunID())
			fmt.Fprintf(out, "Next:\n  starter status %s\n", spec.ID)
			if res.Lead != "" {
				fmt.Fprintf(out, "  starter scope approve %s --as %s --reason \"scope reviewed\"\n", spec.ID, res.Lead)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "engagement spec (YAML)")
	cmd.Flags().StringVar(&by, "as", defaultUser(), "who is starting the engagement")
	_ = cmd.MarkFlagRequired("file")
	return cmd
}

func defaultUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	return "consultant"
}
