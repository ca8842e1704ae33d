package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/internal/engagement"
	"github.com/steadfast-grc/steadfast/internal/evidencepack"
)

// newVendorsCmd is `starter vendors`: the engagement's third parties with
// what is on file for each and the scope risks each raises, and the
// complementary user-entity controls for the system description.
func newVendorsCmd() *cobra.Command {
	var format, asOf string
	cmd := &cobra.Command{
		Use:   "vendors ENGAGEMENT-SPEC-OR-ID [--format table|json|csv] [--as-of DATE]",
		Short: "List vendors and subservice organisations, their reports and scope risks",
		Long: `Lists every vendor in the spec: what it does, how a SOC 2 report treats it
(carve-out or inclusive), the newest report or certificate on file (type,
period, issue date, exceptions), the bridge letter, the controls that
monitor it, and the scope risks it raises (missing or out-of-date report, a
report ending before the window with no bridge letter, a carve-out nobody
monitors, an inclusive treatment with no agreement, a PCI service provider
without an AOC, contractor access to production no control covers).

The table and JSON also list the vendor work due (obtain the next report,
review the one on file, request a bridge letter: when each is asked of its
owner and when it is due; overdue work is asked for on --as-of, default today,
and due two weeks later) and the complementary user-entity controls (CUECs)
the client's customers must operate. The argument is a spec file or an
engagement ID (read from DATABASE_URL).`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec, err := specFromArg(cmd, args[0], "")
			if err != nil {
				return err
			}
			// Vendor rules do not depend on the phase plan; a fitting plan
			// keeps the audit-date rule out of the vendors' risks.
			items := compliance.VendorItems(spec, compliance.AssessScope(spec, compliance.Plan{Fits: true}))
			start := compliance.DateOf(time.Now())
			if asOf != "" {
				if start, err = compliance.ParseDate(asOf); err != nil {
					return fmt.Errorf("--as-of: %w", err)
				}
			}
			actions := compliance.VendorActions(spec, start)
			// By engagement ID, also where the work asked so far stands
			// (the same read model as status, gaps and the pack).
			var work []compliance.VendorWorkItem
			if st, err := os.Stat(args[0]); err != nil || st.IsDir() {
				svc, done, err := openService(cmd, needStore)
				if err != nil {
					return err
				}
				defer done()
				asOfTime := time.Now()
				if asOf != "" {
					asOfTime = time.Date(start.Year, start.Month, start.Day, 23, 59, 0, 0, time.UTC)
				}
				vs, err := svc.Vendors(cmd.Context(), engagement.VendorsRequest{EngagementID: args[0], AsOf: asOfTime})
				if err != nil {
					return err
				}
				work = vs.Work
			}
			w := cmd.OutOrStdout()
			switch format {
			case "table":
				if err := writeVendorsTable(w, items, actions, spec.CUECs()); err != nil {
					return err
				}
				writeVendorWork(w, work)
				return nil
			case "json":
				return writeJSON(w, struct {
					Vendors []compliance.VendorItem        `json:"vendors"`
					Actions []compliance.VendorAction      `json:"actions"`
					Work    []compliance.VendorWorkItem    `json:"work,omitempty"`
					CUECs   []compliance.UserEntityControl `json:"user_entity_controls"`
				}{items, actions, work, spec.CUECs()})
			case "csv":
				return evidencepack.WriteVendorsCSV(w, items)
			}
			return fmt.Errorf("--format %q is not supported (want table, json or csv)", format)
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "output format (table, json or csv)")
	cmd.Flags().StringVar(&asOf, "as-of", "", "date vendor work is reckoned from (YYYY-MM-DD; default today)")
	return cmd
}

// vendorCell shows an empty cell as "-" in the table.
func vendorCell(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// vendorReportLine says what is on file in one phrase: "soc2-type2 2026-04-01 →
// 2027-03-31, issued 2027-05-14".
func vendorReportLine(r *compliance.VendorReport) string {
	if r == nil {
		return "none on file"
	}
	var b strings.Builder
	b.WriteString(string(r.Type))
	if r.Period != nil {
		fmt.Fprintf(&b, " %s → %s", r.Period.Start, r.Period.End)
	}
	fmt.Fprintf(&b, ", issued %s", r.Issued)
	if r.Expires != nil {
		fmt.Fprintf(&b, ", expires %s", r.Expires)
	}
	return b.String()
}

func vendorDate(d *compliance.Date) string {
	if d == nil {
		return ""
	}
	return d.String()
}

func writeVendorsTable(w io.Writer, items []compliance.VendorItem, actions []compliance.VendorAction, cuecs []compliance.UserEntityControl) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "VENDOR\tKIND\tTREATMENT\tREPORT ON FILE\tBRIDGE LETTER\tMONITORED BY\tRISKS")
	for _, it := range items {
		v := it.Vendor
		var rules []string
		for _, r := range it.Risks {
			rules = append(rules, string(r.Severity)+":"+r.Rule)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", v.Name, v.Kind, vendorCell(string(v.Treatment)), vendorReportLine(it.Latest),
			vendorCell(vendorDate(v.BridgeLetter)), vendorCell(strings.Join(v.MonitoredBy, ",")), vendorCell(strings.Join(rules, " ")))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write vendors: %w", err)
	}
	for _, it := range items {
		for _, r := range it.Risks {
			fmt.Fprintf(w, "\n[%s] %s: %s", r.Severity, it.Vendor.Name, r.Message)
		}
		if it.Latest != nil && it.Latest.Exceptions != "" {
			fmt.Fprintf(w, "\n%s's %s notes exceptions: %s", it.Vendor.Name, it.Latest.Type, it.Latest.Exceptions)
		}
	}
	if len(actions) > 0 {
		fmt.Fprintln(w, "\n\nVendor work:")
		for _, a := range actions {
			fmt.Fprintf(w, "  ask %s, due %s  %-22s %-20s %s — %s\n", a.Ask, a.Due, a.Kind, a.Vendor, a.Owner, a.Why)
		}
	}
	if len(cuecs) > 0 {
		fmt.Fprintln(w, "\nComplementary user-entity controls (for the system description):")
		for _, c := range cuecs {
			fmt.Fprintf(w, "  %s  %s (supports %s)\n", c.ID, c.Description, strings.Join(c.Supports, ", "))
		}
	} else {
		fmt.Fprintln(w)
	}
	return nil
}

// writeVendorWork lists the vendor work asked so far and where it stands.
func writeVendorWork(w io.Writer, work []compliance.VendorWorkItem) {
	if len(work) == 0 {
		return
	}
	fmt.Fprintln(w, "\nVendor work asked so far:")
	for _, it := range work {
		answer := ""
		if it.Answer != "" {
			answer = fmt.Sprintf(" — %s by %s: %s", it.Answer, it.AnsweredBy, vendorCell(it.Note))
		}
		fmt.Fprintf(w, "  %-12s due %s  %-22s %-20s %s%s\n", it.State, it.Due, it.Kind, it.Vendor, it.Owner, answer)
	}
}

// writeVendorGaps is the vendor part of the gap register and the readiness
// review in a table: scope risks and vendor work left to close. JSON and
// CSV of the register keep their shape; `starter vendors --format json`
// holds the same items.
func writeVendorGaps(w io.Writer, engagementID string, gaps []compliance.VendorGap) {
	if len(gaps) == 0 {
		return
	}
	fmt.Fprintf(w, "\nVendor items (%d; `starter vendors %s`):\n", len(gaps), engagementID)
	for _, g := range gaps {
		due := ""
		if g.Due != nil {
			due = " due " + g.Due.String()
		}
		fmt.Fprintf(w, "  %-6s %s %s %s (%s%s): %s\n", strings.ToUpper(string(g.Severity)), g.Vendor, g.Source, g.Rule, vendorCell(g.Owner), due, g.Message)
	}
}
