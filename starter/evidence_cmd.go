package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newEvidenceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Record evidence outside a prompt, or correct what was given"}
	cmd.AddCommand(newEvidenceAddCmd())
	return cmd
}

func newEvidenceAddCmd() *cobra.Command {
	var by, link, note, file, performed, covers string
	var corrects int64
	cmd := &cobra.Command{
		Use:   "add ENGAGEMENT OCCURRENCE (--file PATH | --link URL | --note TEXT) --as EMAIL [--performed DATE] [--covers FROM..TO] [--corrects ID]",
		Short: "Add evidence for one occurrence of a control (e.g. ACC-08/2027-03)",
		Long: `Appends evidence for an occurrence, recorded now. --performed says when the
control was performed (default: now); timeliness is judged on that date, so a
review done on time and uploaded a week later is on time. Evidence performed
after the occurrence's grace period, or recorded long after it was performed, is
raised retrospectively; evidence performed before the occurrence's period (or the
audit window) opened does not evidence it. Both are recorded as given and shown
as such. --covers FROM..TO is the period a review covers. --file stores the file
in the evidence store (content-addressed by its SHA-256). Evidence for a period
that has not begun is refused. --corrects ID adds a correction of an earlier
row of the same occurrence (nothing is ever overwritten). Only the control's
owner, the lead or a lead delegate may add evidence.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			req := engagement.AddEvidenceRequest{EngagementID: args[0], OccurrenceKey: args[1],
				Link: link, Note: note, Corrects: corrects, Actor: cliActor(by)}
			if performed != "" {
				// A date is a day in the client's zone (the service knows it).
				if d, err := compliance.ParseDate(strings.TrimSpace(performed)); err == nil {
					req.PerformedOn = d
				} else if req.PerformedAt, err = engagement.ParseWhen(performed, time.UTC); err != nil {
					return fmt.Errorf("--performed: %w", err)
				}
			}
			if covers != "" {
				from, to, ok := strings.Cut(covers, "..")
				a, errA := compliance.ParseDate(strings.TrimSpace(from))
				b, errB := compliance.ParseDate(strings.TrimSpace(to))
				if !ok || errA != nil || errB != nil {
					return fmt.Errorf("--covers %q is not FROM..TO with two dates (2027-01-01..2027-03-31)", covers)
				}
				req.Covers = compliance.Span{Start: a, End: b}
			}
			if file != "" {
				if link != "" || note != "" {
					return fmt.Errorf("give one kind of evidence: --file, --link or --note")
				}
				f, err := os.Open(file)
				if err != nil {
					return fmt.Errorf("--file: %w", err)
				}
				defer func() { _ = f.Close() }()
				req.File = &engagement.FileUpload{Name: file, Body: f}
			}
			res, err := svc.AddEvidence(cmd.Context(), req)
			if err != nil {
				return err
			}
			what := res.Kind
			if res.Artifact != nil {
				what = fmt.Sprintf("file %s, %d bytes, %s, sha256 %s", res.Artifact.Filename, res.Artifact.Size, res.Artifact.ContentType, res.Artifact.SHA256)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Recorded evidence %d for %s (%s, due %s): %s\n", res.ID, args[1], what, res.Due.Format("2006-01-02 15:04 MST"), res.Status)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email")
	cmd.Flags().StringVar(&link, "link", "", "link to the evidence")
	cmd.Flags().StringVar(&note, "note", "", "an attestation, when there is no link")
	cmd.Flags().StringVar(&file, "file", "", "a file to keep as the evidence")
	cmd.Flags().StringVar(&performed, "performed", "", "when the control was performed (YYYY-MM-DD or RFC 3339; default now)")
	cmd.Flags().StringVar(&covers, "covers", "", "the period a review covers, FROM..TO")
	cmd.Flags().Int64Var(&corrects, "corrects", 0, "the evidence ID this corrects")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}
