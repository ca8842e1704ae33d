package main

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

func newEvidenceCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "evidence", Short: "Record evidence outside a prompt, or correct what was given"}
	cmd.AddCommand(newEvidenceAddCmd())
	return cmd
}

func newEvidenceAddCmd() *cobra.Command {
	var by, link, note string
	var corrects int64
	cmd := &cobra.Command{
		Use:   "add ENGAGEMENT OCCURRENCE (--link URL | --note TEXT) --as EMAIL [--corrects ID]",
		Short: "Add evidence for one occurrence of a control (e.g. ACC-08/2027-03)",
		Long: `Appends evidence for an occurrence, stamped with now. Evidence given after the
occurrence's grace period is counted as raised retrospectively — that is what an
auditor sees, and it is recorded as such; a missed occurrence stays missed in the
on-time record. --corrects ID adds a correction that points at an earlier row
(nothing is ever overwritten). Only the control's owner, the lead or a lead
delegate may add evidence.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, key := args[0], args[1]
			value, kind := strings.TrimSpace(link), "link"
			if value == "" {
				value, kind = strings.TrimSpace(note), "attestation"
			} else if u, err := url.Parse(value); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				return fmt.Errorf("--link %q is not an http(s) link", link)
			}
			if value == "" {
				return errors.New("give the evidence: --link URL or --note TEXT")
			}
			controlID, _, err := cadence.ParseKey(key)
			if err != nil {
				return fmt.Errorf("occurrence %q: %w (see `starter coverage %s`)", key, err, eng)
			}
			store, err := openStore(cmd)
			if err != nil {
				return err
			}
			defer store.Close()
			spec, plan, err := store.SpecAndPlan(cmd.Context(), eng)
			if err != nil {
				return err
			}
			occ, cal, window, err := findOccurrence(&spec, plan, controlID, key)
			if err != nil {
				return err
			}
			if err := mayGiveEvidence(&spec, controlID, by); err != nil {
				return err
			}
			now := time.Now()
			e := postgres.Evidence{
				EngagementID: eng, ControlID: controlID, OccurrenceKey: key,
				PeriodStart: occ.Period.Start.In(cal.Location), PeriodEnd: occ.Period.End.In(cal.Location), DueAt: occ.Due,
				SubmittedAt: now, SubmittedBy: by, Channel: postgres.ChannelCLI, Kind: kind, Value: value,
				SubmissionKey: fmt.Sprintf("cli/%s/%s/%s/%s", key, strings.ToLower(by), postgres.HashValue(value)[:16], now.Format(time.RFC3339)),
			}
			if corrects > 0 {
				e.Corrects = &corrects
			}
			id, err := store.AddEvidence(cmd.Context(), e)
			if err != nil {
				return err
			}
			status := drift.Classify(occ, &drift.Submission{OccurrenceKey: key, At: now, By: by}, now, window)
			fmt.Fprintf(cmd.OutOrStdout(), "Recorded evidence %d for %s (%s, due %s): %s\n", id, key, kind, occ.Due.In(cal.Location).Format("2006-01-02 15:04 MST"), status)
			return nil
		},
	}
	cmd.Flags().StringVar(&by, "as", "", "your email")
	cmd.Flags().StringVar(&link, "link", "", "link to the evidence")
	cmd.Flags().StringVar(&note, "note", "", "an attestation, when there is no link")
	cmd.Flags().Int64Var(&corrects, "corrects", 0, "the evidence ID this corrects")
	_ = cmd.MarkFlagRequired("as")
	return cmd
}

func findOccurrence(spec *compliance.Spec, plan compliance.Plan, controlID, key string) (cadence.Occurrence, *compliance.Calendar, compliance.Span, error) {
	var none cadence.Occurrence
	cal, err := compliance.NewCalendar(spec.Reminders)
	if err != nil {
		return none, nil, compliance.Span{}, err
	}
	window, err := cadence.Window(spec, plan)
	if err != nil {
		return none, nil, compliance.Span{}, err
	}
	app, err := catalog.Default().ForSpec(spec)
	if err != nil {
		return none, nil, compliance.Span{}, err
	}
	ac := app.Control(controlID)
	if ac == nil {
		return none, nil, compliance.Span{}, fmt.Errorf("control %s does not apply to %s", controlID, spec.ID)
	}
	occs, err := cadence.Schedule(cadence.ScheduleInput{ControlID: controlID, Frequency: ac.Control.Frequency, Window: window, Calendar: cal})
	if err != nil {
		return none, nil, compliance.Span{}, err
	}
	i := slices.IndexFunc(occs, func(o cadence.Occurrence) bool { return o.Key() == key })
	if i < 0 {
		return none, nil, compliance.Span{}, fmt.Errorf("%s has no occurrence %s in the window %s", controlID, key, window)
	}
	return occs[i], cal, window, nil
}

func mayGiveEvidence(spec *compliance.Spec, controlID, by string) error {
	ac := catalog.Default().Control(controlID)
	p := spec.Person(by)
	switch {
	case p == nil:
		return fmt.Errorf("%s is not named in engagement %s", by, spec.ID)
	case p.HasRole(compliance.RoleLead), p.HasRole(compliance.RoleLeadDelegate):
		return nil
	case ac != nil && strings.EqualFold(spec.OwnerOf(ac.Domain).Email, by):
		return nil
	}
	return fmt.Errorf("%s may not give evidence for %s: its owner, the lead or a lead delegate may", by, controlID)
}
