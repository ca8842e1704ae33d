package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/readiness"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/engagement"
)

func newReadinessCmd() *cobra.Command {
	var format, asOf string
	var seed uint64
	cmd := &cobra.Command{
		Use:   "readiness ENGAGEMENT [--as-of YYYY-MM-DD] [--seed N] [--format text|json|markdown]",
		Short: "Run a readiness review: sample and test the controls the way the auditor will",
		Long: `Runs the readiness review (a mock audit) over the operating window so far. For
each applicable control it draws the auditor's sample from the occurrences that
have fallen due (sizes by frequency, spread across the period, reproducible from
the seed) and tests each sampled occurrence: evidence present, on time, not
raised retrospectively, given by the owner or a delegate (the lead or a lead
delegate), within the window. Every failed test is a finding worded as an
auditor's exception; findings on controls customers rely on rank first, then
by how many requirements the control satisfies.

Formats: text (a table of ranked findings, the predicted exceptions per
criterion and what to do before fieldwork), json, and markdown (for the client).
--as-of reviews as of the end of that day in the client's time zone; default now.
--seed repeats a draw; without it the seed is derived from the engagement and
the as-of day, and is printed either way.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" && format != "markdown" {
				return fmt.Errorf("--format must be text, json or markdown, not %q", format)
			}
			rep, err := loadReadiness(cmd, args[0], asOf, seed, cmd.Flags().Changed("seed"))
			if err != nil {
				return err
			}
			if err := writeReadiness(cmd.OutOrStdout(), format, rep); err != nil {
				return err
			}
			if format == "json" {
				return nil
			}
			// The vendor items the auditor will ask about, as of the
			// same instant (the gap register lists the same ones).
			svc, done, err := openService(cmd, needStore)
			if err != nil {
				return err
			}
			defer done()
			vs, err := svc.Vendors(cmd.Context(), engagement.VendorsRequest{EngagementID: rep.EngagementID, AsOf: rep.AsOf})
			if err != nil {
				return err
			}
			writeVendorGaps(cmd.OutOrStdout(), rep.EngagementID, vs.Gaps)
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text, json or markdown")
	cmd.Flags().StringVar(&asOf, "as-of", "", "review as of the end of this day (YYYY-MM-DD, client's time zone); default now")
	cmd.Flags().Uint64Var(&seed, "seed", 0, "seed of the sample draw (printed with every review); default derived from the engagement and day")
	return cmd
}

// loadReadiness runs the review of an engagement now, or as of the end of
// the day asOf, with the given seed or (when seedSet is false) one derived
// from the engagement and the as-of day.
func loadReadiness(cmd *cobra.Command, id, asOf string, seed uint64, seedSet bool) (readiness.Report, error) {
	day, err := parseAsOf(asOf)
	if err != nil {
		return readiness.Report{}, err
	}
	svc, done, err := openService(cmd, needStore)
	if err != nil {
		return readiness.Report{}, err
	}
	defer done()
	return svc.Readiness(cmd.Context(), engagement.ReadinessRequest{EngagementID: id, AsOf: day, Seed: seed, SeedSet: seedSet})
}

// reviewAsOf runs the review on a store the caller holds (the evidence
// pack writes from the same connection).
func reviewAsOf(ctx context.Context, store *postgres.Store, id string, day compliance.Date, seed uint64, seedSet bool) (readiness.Report, error) {
	return engagement.ReviewAsOf(ctx, store, engagement.ReadinessRequest{EngagementID: id, AsOf: day, Seed: seed, SeedSet: seedSet}, time.Now())
}

func writeReadiness(w io.Writer, format string, rep readiness.Report) error {
	switch format {
	case "json":
		return writeJSON(w, rep)
	case "markdown":
		return readinessMarkdown(w, rep)
	case "text":
		return readinessText(w, rep)
	}
	return fmt.Errorf("--format must be text, json or markdown, not %q", format)
}

func readinessHeader(rep readiness.Report) string {
	return fmt.Sprintf("%s: readiness review of the operating window %s as of %s; %d controls tested, %d occurrences sampled, %d findings; seed %d (repeat with --seed %d)",
		rep.EngagementID, rep.Window, rep.AsOf.Format("2006-01-02 15:04 MST"), rep.Tested, rep.Sampled, len(rep.Findings), rep.Seed, rep.Seed)
}

func readinessText(out io.Writer, rep readiness.Report) error {
	var b strings.Builder
	fmt.Fprintln(&b, readinessHeader(rep))
	if n := fewerThanFullSample(rep); n > 0 {
		fmt.Fprintf(&b, "%d controls were tested on every occurrence fallen due so far, fewer than the planned sample `gaps` shows; the auditor's sample at fieldwork will be larger.\n", n)
	}
	fmt.Fprintln(&b)
	if rep.Sampled == 0 && len(rep.Findings) == 0 {
		fmt.Fprintln(&b, "Nothing was tested: no occurrence has fallen due in the window yet, so this review says nothing about readiness.")
		fmt.Fprintf(&b, "Run it again once evidence has fallen due (`starter coverage %s` shows what is due when).\n", rep.EngagementID)
	} else if len(rep.Findings) == 0 {
		fmt.Fprintln(&b, "No findings: every sampled occurrence passed every test.")
	} else {
		fmt.Fprintln(&b, "Findings, ranked (customer-relied controls first):")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "RANK\tCONTROL\tOCCURRENCE\tTEST\tSEVERITY\tCUSTOMER\tOWNER\tEVIDENCE")
		for _, f := range rep.Findings {
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Rank, f.ControlID, f.OccurrenceKey, f.Test, f.Severity,
				yesNo(f.CustomerRelied), f.Owner, evidenceText(f.Evidence))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, "Exceptions as an auditor would write them:")
		for _, f := range rep.Findings {
			fmt.Fprintf(&b, "  %d. %s: %s\n", f.Rank, f.ControlID, f.Exception)
		}
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, "Predicted exceptions per criterion:")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "FRAMEWORK\tREQUIREMENT\tFINDINGS\tCONTROLS")
		for _, c := range rep.Criteria {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", c.Framework, c.Requirement, c.Findings, strings.Join(c.Controls, ", "))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(&b)
		fmt.Fprintln(&b, "Before fieldwork:")
		for _, a := range rep.BeforeFieldwork {
			fmt.Fprintf(&b, "  - %s (owner %s)\n", a.Text, a.Owner)
		}
	}
	writeSampleSizes(&b, rep)
	_, err := io.WriteString(out, b.String())
	return err
}

// writeSampleSizes prints each control's population, sample and why the
// sample is that size, or why nothing of it was tested.
func writeSampleSizes(b *strings.Builder, rep readiness.Report) {
	fmt.Fprintln(b)
	fmt.Fprintln(b, "Samples, and why each is that size:")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CONTROL\tFREQUENCY\tPOPULATION\tSAMPLED OF PLANNED\tWHY")
	for _, c := range rep.Controls {
		why := c.SizeWhy
		if c.NotTested != "" {
			why = c.NotTested
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d of %d\t%s\n", c.ID, c.Frequency, len(c.Population), len(c.Sample), c.PlannedSize, why)
	}
	_ = tw.Flush()
}

func readinessMarkdown(out io.Writer, rep readiness.Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "# Readiness review: %s\n\n", rep.EngagementID)
	fmt.Fprintf(&b, "- Operating window: %s\n- As of: %s\n- Controls tested: %d; occurrences sampled: %d; findings: %d\n",
		rep.Window, rep.AsOf.Format("2006-01-02 15:04 MST"), rep.Tested, rep.Sampled, len(rep.Findings))
	fmt.Fprintf(&b, "- Sample seed: `%d` (the draw can be repeated with `starter readiness %s --as-of %s --seed %d`)\n\n",
		rep.Seed, rep.EngagementID, rep.AsOf.Format("2006-01-02"), rep.Seed)
	b.WriteString("Each control was tested the way the auditor will test it: a sample of the occurrences that have fallen due, " +
		"spread across the period, each checked for evidence that is present, on time, not raised retrospectively, " +
		"given by the owner or an authorised delegate, and within the window.\n\n")
	if rep.Sampled == 0 && len(rep.Findings) == 0 {
		b.WriteString("**Nothing was tested.** No occurrence has fallen due in the window yet, so this review says nothing about readiness.\n")
		_, err := io.WriteString(out, b.String())
		return err
	}
	if len(rep.Findings) == 0 {
		b.WriteString("**No findings.** Every sampled occurrence passed every test.\n")
		_, err := io.WriteString(out, b.String())
		return err
	}
	b.WriteString("## Findings\n\nRanked: controls customers rely on first, then by the number of requirements affected.\n\n")
	b.WriteString("| # | Control | Occurrence | Test | Severity | Customer-relied | Exception |\n|---|---|---|---|---|---|---|\n")
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "| %d | %s %s | %s | %s | %s | %s | %s |\n", f.Rank, f.ControlID, mdEscape(f.Title), f.OccurrenceKey,
			f.Test, f.Severity, yesNo(f.CustomerRelied), mdEscape(f.Exception))
	}
	b.WriteString("\n## Predicted exceptions per criterion\n\n| Framework | Requirement | Findings | Controls |\n|---|---|---|---|\n")
	for _, c := range rep.Criteria {
		fmt.Fprintf(&b, "| %s | %s | %d | %s |\n", c.Framework, c.Requirement, c.Findings, strings.Join(c.Controls, ", "))
	}
	b.WriteString("\n## Before fieldwork\n\n")
	for _, a := range rep.BeforeFieldwork {
		fmt.Fprintf(&b, "- [ ] %s (owner: %s)\n", mdEscape(a.Text), a.Owner)
	}
	_, err := io.WriteString(out, b.String())
	return err
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func evidenceText(e *readiness.EvidenceRef) string {
	if e == nil {
		return "none"
	}
	h := e.ValueSHA256
	if len(h) > 12 {
		h = h[:12]
	}
	return fmt.Sprintf("#%d sha256:%s by %s", e.ID, h, e.SubmittedBy)
}

// parseAsOf reads --as-of (empty: zero, meaning now).
func parseAsOf(asOf string) (compliance.Date, error) {
	if asOf == "" {
		return compliance.Date{}, nil
	}
	d, err := compliance.ParseDate(asOf)
	if err != nil {
		return compliance.Date{}, fmt.Errorf("--as-of: %w", err)
	}
	return d, nil
}

// fewerThanFullSample counts the controls sampled below their planned
// full-period sample (the figure the gap register shows) because fewer
// occurrences have fallen due: the reason the two differ.
func fewerThanFullSample(rep readiness.Report) int {
	n := 0
	for _, c := range rep.Controls {
		if c.SampleSize > 0 && c.SampleSize < c.PlannedSize {
			n++
		}
	}
	return n
}
