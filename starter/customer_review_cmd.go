package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/questionnaire"
)

// newCustomerReviewCmd groups the customer security review commands.
func newCustomerReviewCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "customer-review",
		Short: "A customer's security questionnaire: import, route to owners, triage, approve or return, export",
		Long: `A customer's security review of the client. 'import' reads a questionnaire
(CSV or XLSX: question_id, question, and optionally control, criterion or
section); every bad row is reported with its line or cell and nothing is
imported. Each question goes to the owner of the controls it maps to, as a
prompt on the usual reminder ladder (answer it with 'starter answer'); the
rest wait on the lead's triage list ('list --unmapped', then 'map'). The lead
approves each answer ('approve') before 'export' releases it, or returns it
to its owner with a reason ('return'; they are asked again), in the format
the questionnaire came in, with references to the evidence; with
'--with-files' it writes a zip holding the files too, only for a review the
lead allowed files for ('allow-files'). Approved answers are offered to later questions on
the same controls until new evidence of a control or a new report unsettles
them: 'list' shows those, their owner re-confirms or rewrites each
('reconfirm') and the lead approves it back ('approve').`,
	}
	cmd.AddCommand(newCustomerReviewImportCmd(), newCustomerReviewListCmd(), newCustomerReviewDecideCmd(true),
		newCustomerReviewDecideCmd(false), newCustomerReviewReturnCmd(), newCustomerReviewExportCmd(), newCustomerReviewReconfirmCmd(),
		newCustomerReviewAllowFilesCmd())
	return cmd
}

func newCustomerReviewImportCmd() *cobra.Command {
	var customer, due, by, format string
	cmd := &cobra.Command{
		Use:   "import ENGAGEMENT FILE.csv|FILE.xlsx --customer NAME --due YYYY-MM-DD --as EMAIL",
		Short: "Import a customer's questionnaire and route its questions",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			d, err := compliance.ParseDate(due)
			if err != nil {
				return fmt.Errorf("--due: %w", err)
			}
			data, err := readBounded(args[1], questionnaire.MaxFile)
			if err != nil {
				return err
			}
			svc, done, err := openService(cmd, needTemporal|needStore)
			if err != nil {
				return err
			}
			defer done()
			res, err := svc.ImportCustomerReview(cmd.Context(), engagement.ImportCustomerReviewRequest{EngagementID: args[0], Customer: customer,
				Due: d, FileName: args[1], Data: data, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSON(cmd.OutOrStdout(), res)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Review %s: %d question(s) routed to their owners, %d wait on the lead's triage.\n",
				res.ReviewID, res.Routed, len(res.Unmapped))
			if len(res.Unmapped) > 0 {
				fmt.Fprintf(cmd.OutOrStdout(), "Unmapped: %s\nMap each: starter customer-review map %s %s QUESTION --control ID --as LEAD\n",
					strings.Join(res.Unmapped, ", "), args[0], res.ReviewID)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&customer, "customer", "", "the customer asking")
	cmd.Flags().StringVar(&due, "due", "", "when the answers are due (YYYY-MM-DD)")
	cmd.Flags().StringVar(&by, "as", "", "who imports it (lead, lead delegate or consultant)")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	for _, f := range []string{"customer", "due", "as"} {
		_ = cmd.MarkFlagRequired(f)
	}
	return cmd
}

func newCustomerReviewListCmd() *cobra.Command {
	var format string
	var unmapped bool
	cmd := &cobra.Command{
		Use:   "list ENGAGEMENT [REVIEW] [--unmapped] [--format text|json]",
		Short: "The customer reviews, or one review's questions (--unmapped: the lead's triage list)",
		Args:  cobra.RangeArgs(1, 2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				reviews, err := svc.CustomerReviews(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				if format == "json" {
					return writeJSON(out, reviews)
				}
				tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "REVIEW\tCUSTOMER\tDUE\tFORMAT\tUNMAPPED\tROUTED\tANSWERED\tRETURNED\tAPPROVED\tUNANSWERED")
				for _, r := range reviews {
					c := r.Counts
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\n", r.ReviewID, r.Customer, r.Due, r.Format,
						c[custreview.StatusUnmapped], c[custreview.StatusRouted], c[custreview.StatusAnswered], c[custreview.StatusReturned],
						c[custreview.StatusApproved], c[custreview.StatusUnanswered])
				}
				if err := tw.Flush(); err != nil {
					return err
				}
				unsettled, err := svc.Unsettled(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return writeUnsettled(out, unsettled)
			}
			_, qs, err := svc.CustomerQuestions(cmd.Context(), args[0], args[1])
			if err != nil {
				return err
			}
			if unmapped {
				kept := qs[:0]
				for _, q := range qs {
					if q.Status == custreview.StatusUnmapped {
						kept = append(kept, q)
					}
				}
				qs = kept
			}
			if format == "json" {
				return writeJSON(out, qs)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "QUESTION\tCITES\tCONTROLS\tOWNER\tSTATUS\tANSWER\tEVIDENCE\tAPPROVED BY\tRETURNED\tRE-CONFIRM")
			for _, q := range qs {
				reconfirm := "-"
				if w := q.Reconfirm().WaitsOn(); w != "" {
					reconfirm = "waits on " + w
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", q.QuestionID, orDash(q.Ref), orDash(strings.Join(q.Controls, " ")),
					orDash(q.Owner), q.Status, orDash(clip(q.Answer, 50)), orDash(q.Evidence), orDash(q.ApprovedBy), returnedLine(q), reconfirm)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().BoolVar(&unmapped, "unmapped", false, "only the questions waiting on the lead's triage")
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	return cmd
}

// returnedLine is the lead's latest return of a question's answer: who,
// why, and how often it went back ("-" if never).
func returnedLine(q postgres.CustomerQuestion) string {
	if q.Returns == 0 {
		return "-"
	}
	s := fmt.Sprintf("by %s: %s", q.ReturnedBy, clip(q.ReturnedReason, 60))
	if q.Returns > 1 {
		s += fmt.Sprintf(" (%d times)", q.Returns)
	}
	return s
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	return s[:n-1] + "…"
}

// newCustomerReviewDecideCmd is `map` (mapping true) or `approve`.
func newCustomerReviewDecideCmd(mapping bool) *cobra.Command {
	var ref, by string
	use, short := "approve ENGAGEMENT REVIEW QUESTION --as EMAIL", "The lead approves an owner's answer for release"
	if mapping {
		use, short = "map ENGAGEMENT REVIEW QUESTION --control ID --as EMAIL", "The lead maps an unmapped question to a control or criterion; its owner is asked"
	}
	cmd := &cobra.Command{
		Use: use, Short: short, Args: cobra.ExactArgs(3),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal|needStore)
			if err != nil {
				return err
			}
			defer done()
			q, err := svc.DecideQuestion(cmd.Context(), engagement.ReviewDecisionRequest{EngagementID: args[0], ReviewID: args[1],
				QuestionID: args[2], Ref: ref, Actor: cliActor(by)})
			if err != nil {
				return err
			}
			if mapping {
				fmt.Fprintf(cmd.OutOrStdout(), "Question %s maps to %s; %s is asked.\n", q.ID, strings.Join(q.Controls, ", "), q.Owner)
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "The answer to %s by %s is approved by %s and will be exported.\n", q.ID, q.AnsweredBy, q.ApprovedBy)
			}
			return nil
		},
	}
	if mapping {
		cmd.Flags().StringVar(&ref, "control", "", "the control or criterion the question is about")
		_ = cmd.MarkFlagRequired("control")
	}
	cmd.Flags().StringVar(&by, "as", "", "the lead or a lead delegate")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func newCustomerReviewExportCmd() *cobra.Command {
	var out string
	var withFiles bool
	cmd := &cobra.Command{
		Use:   "export ENGAGEMENT REVIEW --out FILE [--with-files]",
		Short: "Write the answered questionnaire in the format it came in (approved answers only); --with-files: a zip with the evidence files, if the lead allowed them",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			if withFiles {
				return exportWithFiles(cmd, svc, args[0], args[1], out)
			}
			var b bytes.Buffer
			format, err := svc.ExportCustomerReview(cmd.Context(), args[0], args[1], &b)
			if err != nil {
				return err
			}
			if ext := strings.TrimPrefix(strings.ToLower(filepath.Ext(out)), "."); ext != format {
				return fmt.Errorf("--out %s: the questionnaire came as %s; name the file .%s", out, format, format)
			}
			// O_EXCL: an export never overwrites a file, nor follows a link.
			f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if err != nil {
				return err
			}
			if _, err := f.Write(b.Bytes()); err != nil {
				_ = f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Wrote %s (%s).\n", out, format)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "the file to write (.csv or .xlsx, as the questionnaire came; .zip with --with-files)")
	cmd.Flags().BoolVar(&withFiles, "with-files", false, "a zip with the evidence files beside the sheet (only if the lead allowed files for this review)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// exportWithFiles writes the zip to out, created new; a refusal or a
// failure part-way leaves no file behind.
func exportWithFiles(cmd *cobra.Command, svc *engagement.Service, id, review, out string) error {
	if ext := strings.ToLower(filepath.Ext(out)); ext != ".zip" {
		return fmt.Errorf("--out %s: an export with files is a zip; name the file .zip", out)
	}
	// Refused before the file exists when the lead has not allowed files.
	r, _, err := svc.CustomerQuestions(cmd.Context(), id, review)
	if err != nil {
		return err
	}
	if err := custreview.CheckExportWithFiles(review, r.Files); err != nil {
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	res, err := svc.ExportCustomerReviewWithFiles(cmd.Context(), id, review, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(out)
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "Wrote %s: %s and %d evidence file(s), allowed by %s.\n", out, res.Questionnaire, res.Files, r.Files.By)
	return nil
}

func newCustomerReviewAllowFilesCmd() *cobra.Command {
	var by string
	cmd := &cobra.Command{
		Use:   "allow-files ENGAGEMENT REVIEW --as EMAIL",
		Short: "The lead lets this review's export carry the evidence files, not only references (recorded once)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needTemporal|needStore)
			if err != nil {
				return err
			}
			defer done()
			f, err := svc.AllowReviewFiles(cmd.Context(), engagement.AllowReviewFilesRequest{EngagementID: args[0], ReviewID: args[1], Actor: cliActor(by)})
			if err != nil {
				return err
			}
			at := ""
			if f.At != nil {
				at = " on " + f.At.UTC().Format("2006-01-02 15:04 UTC")
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Review %s's export may carry the evidence files: allowed by %s%s.\n"+
				"Export it: starter customer-review export %s %s --with-files --out %s.zip\n", args[1], f.By, at, args[0], args[1], args[1])
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "the lead or a lead delegate")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
