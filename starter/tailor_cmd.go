package main

import (
	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// newTailorCmd changes an engagement's tailoring from a revised spec, in any
// phase after the scope is approved.
func newTailorCmd() *cobra.Command {
	var file, by, format string
	cmd := &cobra.Command{
		Use:   "tailor ENGAGEMENT -f SPEC.yaml --as EMAIL",
		Short: "Change an engagement's tailoring after its scope is approved (a scope change the lead approves)",
		Long: `Reads the revised spec (checked like 'engage': every error with file:line:column,
an unknown control ID with the closest one) and proposes its tailoring: section as
a scope change. It prints the controls the change affects and the requirements it
would leave without a control; the lead is asked to approve it, and only the
affected controls are assessed again (their owners are asked). The cadence follows
the new tailoring from its next batch. Only the tailoring is taken from the file.
It works from the approved scope on: before certification the engagement takes it,
after it the programme. During scoping, use 'scope revise'.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := catalog.LoadSpec(file)
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			ch, err := svc.ChangeTailoring(cmd.Context(), engagement.ChangeTailoringRequest{EngagementID: args[0],
				Tailoring: spec.Tailoring, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			return writeChange(cmd.OutOrStdout(), format, ch)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "the revised spec (YAML)")
	cmd.Flags().StringVar(&by, "as", "", "who proposes it (lead, lead delegate or consultant)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	_ = cmd.MarkFlagRequired("file")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
