package main

import (
	"fmt"
	"iter"
	"os"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/internal/engagement"
)

// newAuditAnswerCmd answers an auditor's request from the command line,
// with files: the CLI's side of the owner's answer form in the web.
func newAuditAnswerCmd() *cobra.Command {
	var by string
	var paths []string
	var req engagement.AuditAnswerRequest
	cmd := &cobra.Command{
		Use:   "answer ENGAGEMENT REQUEST --choice provided|cannot-provide --as EMAIL [--file PATH]... [--evidence ID]... [--link URL] [--note TEXT]",
		Short: "Answer an auditor's request, with the files it asks for",
		Long: `Answers request REQUEST (the auditor's reference, e.g. PBC-7) as EMAIL: its
owner, or the lead or a delegate. "provided" needs a link, a file or an
evidence row; "cannot-provide" needs a note saying why. Each --file is stored
in the evidence store (the same size limit and type sniffing as evidence, named
by SHA-256); each --evidence attaches a file already recorded as evidence of
this engagement. The auditor downloads them in the auditor's room, and the
evidence pack carries them with their hashes signed. A request is answered
once.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			svc, done, err := openService(cmd, needStore|needTemporal)
			if err != nil {
				return err
			}
			defer done()
			req.EngagementID, req.RequestID, req.Actor = args[0], args[1], cliActor(by)
			req.Files = openFiles(paths)
			res, err := svc.AnswerAuditRequest(cmd.Context(), req)
			if err != nil {
				return err
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "Recorded %q for audit request %s by %s at %s\n", res.Answer.Choice, res.RequestID, res.Answer.By,
				res.Answer.At.Format("2006-01-02 15:04 MST"))
			for _, f := range res.Files {
				from := "uploaded"
				if f.EvidenceID != nil {
					from = fmt.Sprintf("evidence %d", *f.EvidenceID)
				}
				fmt.Fprintf(w, "  file %d: %s (%d bytes, %s, sha256 %s; %s)\n", f.Seq, f.Filename, f.Size, f.ContentType, f.SHA256, from)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&req.Choice, "choice", "", "provided or cannot-provide")
	cmd.Flags().StringVar(&by, "as", "", "your email: the request's owner, or the lead or a delegate")
	cmd.Flags().StringVar(&req.Note, "note", "", "a note (required for cannot-provide)")
	cmd.Flags().StringVar(&req.Link, "link", "", "a link to what you provide")
	cmd.Flags().StringArrayVar(&paths, "file", nil, "a file to give the auditor (repeat for several)")
	cmd.Flags().Int64SliceVar(&req.EvidenceIDs, "evidence", nil, "an evidence row of this engagement that holds a file (repeat, or comma-separate)")
	_ = cmd.MarkFlagRequired("choice")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

// openFiles yields each path opened in turn, closing it once the service
// has stored it; nothing is opened until the service asks (after its
// checks).
func openFiles(paths []string) iter.Seq2[engagement.FileUpload, error] {
	if len(paths) == 0 {
		return nil
	}
	return func(yield func(engagement.FileUpload, error) bool) {
		for _, p := range paths {
			f, err := os.Open(p)
			if err != nil {
				yield(engagement.FileUpload{}, fmt.Errorf("--file: %w", err))
				return
			}
			more := yield(engagement.FileUpload{Name: p, Body: f}, nil)
			_ = f.Close() // read only
			if !more {
				return
			}
		}
	}
}
