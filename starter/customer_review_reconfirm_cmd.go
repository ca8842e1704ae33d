package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// writeUnsettled lists the approved answers out of the library until
// re-confirmed, under the reviews; nothing when there are none.
func writeUnsettled(w io.Writer, us []postgres.UnsettledAnswer) error {
	if len(us) == 0 {
		return nil
	}
	fmt.Fprintf(w, "\n%d approved answer(s) are not offered again until re-confirmed:\n", len(us))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "REVIEW\tQUESTION\tCONTROLS\tOWNER\tWAITS ON\tSINCE\tWHY")
	for _, u := range us {
		since := "-"
		if u.ReconfirmSince != nil {
			since = u.ReconfirmSince.UTC().Format("2006-01-02")
		}
		who := u.Owner
		if u.Reconfirm().WaitsOn() == "lead" {
			who = "the lead (re-confirmed by " + u.ReconfirmedBy + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", u.ReviewID, u.QuestionID, orDash(strings.Join(u.Controls, " ")), orDash(u.Owner), who, since, u.ReconfirmWhy)
	}
	return tw.Flush()
}

// newCustomerReviewReconfirmCmd is the owner re-confirming (or rewriting)
// an approved answer that new evidence or a new report unsettled.
func newCustomerReviewReconfirmCmd() *cobra.Command {
	var answer, evidence, by string
	cmd := &cobra.Command{
		Use:   "reconfirm ENGAGEMENT REVIEW QUESTION [--answer TEXT] [--evidence REF] --as OWNER",
		Short: "The owner re-confirms (or rewrites) an approved answer that new evidence or a new report unsettled; the lead then approves it",
		Args:  cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal|needStore)
			if err != nil {
				return err
			}
			defer done()
			q, err := svc.Reconfirm(cmd.Context(), engagement.ReconfirmRequest{EngagementID: args[0], ReviewID: args[1], QuestionID: args[2],
				Answer: answer, Evidence: evidence, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s re-confirmed the answer to %s; it returns to the library once the lead approves it:\n"+
				"  starter customer-review approve %s %s %s --as LEAD\n", q.ReconfirmedBy, q.QuestionID, args[0], args[1], args[2])
			return nil
		},
	}
	cmd.Flags().StringVar(&answer, "answer", "", "the answer in new words (default: the approved words stand)")
	cmd.Flags().StringVar(&evidence, "evidence", "", "the evidence it now rests on (default: unchanged)")
	cmd.Flags().StringVar(&by, "as", "", "the answer's owner")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
