package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// newCustomerReviewReturnCmd is `customer-review return`: the lead sends
// an owner's answer back with a reason, and the owner is asked again.
func newCustomerReviewReturnCmd() *cobra.Command {
	var reason, by string
	cmd := &cobra.Command{
		Use:   "return ENGAGEMENT REVIEW QUESTION --reason TEXT --as EMAIL",
		Short: "The lead returns an owner's answer (not yet approved) to them with a reason; they are asked again",
		Long: `The lead, or a lead delegate, returns an owner's answer to a customer
question instead of approving it, saying why (--reason, required). The
question is "returned" until the owner answers again: they get a new
prompt, due as the first, whose question carries the reason and their
previous answer. Their new answer waits for the lead's approval as the
first did. An approved answer is not returned.`,
		Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal|needStore)
			if err != nil {
				return err
			}
			defer done()
			q, err := svc.ReturnAnswer(cmd.Context(), engagement.ReturnAnswerRequest{EngagementID: args[0], ReviewID: args[1],
				QuestionID: args[2], Reason: reason, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "The answer to %s by %s is returned to them by %s: %s\n%s is asked again (round %d).\n",
				q.ID, q.AnsweredBy, q.ReturnedBy, q.ReturnedReason, q.Owner, q.Returns+1)
			return nil
		},
	}
	cmd.Flags().StringVar(&reason, "reason", "", "why the answer goes back: the owner reads it with the question")
	cmd.Flags().StringVar(&by, "as", "", "the lead or a lead delegate")
	for _, f := range []string{"reason", "as"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}
