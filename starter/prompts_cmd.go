package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newPromptsCmd() *cobra.Command {
	var forEmail, engagementID, status, format string
	var wide bool
	cmd := &cobra.Command{
		Use:   "prompts [--for EMAIL]",
		Short: "List the questions Steadfast is waiting for people to answer",
		Long: `Lists prompts from the Postgres record: open ones by default, with who is
asked, the choices, the due time and how far up the escalation ladder each
has gone. Each question is a block that fits 100 columns, due times in the
addressee's own time zone, and the choices are explained once under the list
(which need a note or a link). --wide prints one row per prompt instead.
Answer one with: starter answer PROMPT --choice C --as EMAIL`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if format != "text" && format != "json" {
				return fmt.Errorf("--format must be text or json, not %q", format)
			}
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.Prompts(cmd.Context(), engagement.PromptsRequest{EngagementID: engagementID, Addressee: forEmail, Status: status})
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			switch {
			case format == "json":
				return writeJSON(out, res.Prompts)
			case len(res.Prompts) == 0:
				fmt.Fprintln(out, nothingWaiting(status))
				return nil
			case wide:
				return writePromptsWide(out, res)
			}
			return writePrompts(out, res)
		},
	}
	cmd.Flags().StringVar(&forEmail, "for", "", "only prompts addressed to this email")
	cmd.Flags().StringVar(&engagementID, "engagement", "", "only this engagement")
	cmd.Flags().StringVar(&status, "status", compliance.PromptOpen, "open, answered, expired, withdrawn or all")
	cmd.Flags().BoolVar(&wide, "wide", false, "one row per prompt with every column and the whole question")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

func newAnswerCmd() *cobra.Command {
	var req engagement.AnswerRequest
	var by, days string
	cmd := &cobra.Command{
		Use:   "answer PROMPT --choice CHOICE --as EMAIL [--note TEXT] [--link URL] [--days DAY,DAY,...]",
		Short: "Answer a question Steadfast asked you",
		Long: `Records your answer, with the same checks as a Slack click: only the person
asked (or a delegate) may answer, the choice must be one offered, a note or
link must be given where the question needs one, and a question is answered
once. Running the same command twice records one answer. A daily control's
weekly batch takes --days, the days it was performed (default: every day of
the batch); each day gets its own record and a day left out is reported.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal)
			if err != nil {
				return err
			}
			defer done()
			req.PromptID, req.Actor = args[0], cliActor(by)
			if req.Days, err = parseDays(days); err != nil {
				return err
			}
			ans, err := svc.Answer(cmd.Context(), req)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Recorded %q for %s by %s at %s\n", ans.Choice, args[0], ans.By, ans.At.Format("2006-01-02 15:04 MST"))
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Choice, "choice", "", "your answer (one of the prompt's choices)")
	cmd.Flags().StringVar(&by, "as", "", "your email, as the engagement knows it")
	cmd.Flags().StringVar(&req.Note, "note", "", "a note (required for some answers)")
	cmd.Flags().StringVar(&req.Link, "link", "", "a link to the evidence")
	cmd.Flags().StringVar(&days, "days", "", "a daily batch's days performed, comma-separated (2027-03-01,2027-03-02)")
	_ = cmd.MarkFlagRequired("choice")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

// nothingWaiting says that no prompt has the status asked for.
func nothingWaiting(status string) string {
	switch status {
	case compliance.PromptOpen:
		return "Nothing is waiting for an answer."
	case "all", "":
		return "No questions have been asked yet."
	}
	return fmt.Sprintf("No prompts are %s.", status)
}

// parseDays reads --days: comma-separated dates (empty: none given).
func parseDays(s string) ([]compliance.Date, error) {
	var out []compliance.Date
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		d, err := compliance.ParseDate(f)
		if err != nil {
			return nil, fmt.Errorf("--days: %q is not a date (2027-03-01): %w", f, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// shorten keeps a table row on one line.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
