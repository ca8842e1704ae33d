package reports

import (
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/cadence"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
	"github.com/steadfast-grc/steadfast/compliance/drift"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
)

// Assigned reads, from the prompts as they stand, who each occurrence's
// evidence prompt is addressed to now: when the lead reassigned it, the
// person it was reassigned to. Keyed by occurrence key (an evidence
// prompt's key is "evidence/<occurrence>"; a review prompt's is the
// occurrence's own).
func Assigned(prompts []postgres.Prompt) map[string]string {
	out := map[string]string{}
	for _, p := range prompts {
		if p.AddresseeEmail == "" {
			continue
		}
		out[strings.TrimPrefix(p.Key, "evidence/")] = strings.ToLower(p.AddresseeEmail)
	}
	return out
}

// leads are the lead and lead delegates, whose evidence counts for every
// control.
func leads(spec *compliance.Spec) []string {
	var out []string
	for _, p := range spec.People {
		if p.HasRole(compliance.RoleLead) || p.HasRole(compliance.RoleLeadDelegate) {
			out = append(out, strings.ToLower(p.Email))
		}
	}
	return out
}

// authorityOf is whose evidence counts for a control of the spec.
func authorityOf(spec *compliance.Spec, controlID string, assigned map[string]string) drift.Authority {
	a := drift.Authority{Others: leads(spec), Assigned: assigned}
	if p, ok := catalog.Default().ControlOwner(spec, controlID); ok {
		a.Owner = strings.ToLower(p.Email)
	}
	return a
}

// JudgedSubmissions is Submissions with each submission's performance date
// and whether its giver may give it (against the spec and the prompts'
// reassignments), so coverage and drift judge exactly as the readiness
// review does.
func JudgedSubmissions(spec *compliance.Spec, evidence []postgres.Evidence, assigned map[string]string) []drift.Submission {
	out := make([]drift.Submission, 0, len(evidence))
	byControl := map[string]drift.Authority{}
	days := DayRecords(evidence)
	for _, e := range evidence {
		if e.Corrects != nil || e.OccurrenceKey == "" || e.SubmittedAt.IsZero() {
			continue
		}
		if control, _, err := cadence.ParseKey(e.OccurrenceKey); err != nil || control != e.ControlID {
			continue
		}
		a, ok := byControl[e.ControlID]
		if !ok {
			a = authorityOf(spec, e.ControlID, assigned)
			byControl[e.ControlID] = a
		}
		s := drift.Submission{OccurrenceKey: e.OccurrenceKey, At: e.SubmittedAt, By: e.SubmittedBy,
			Unauthorised: !a.Allows(e.OccurrenceKey, e.SubmittedBy)}
		if e.PerformedAt != nil {
			s.PerformedAt = *e.PerformedAt
		}
		if covers, ok := days[e.OccurrenceKey]; ok {
			s.MissingDays = drift.UncoveredDays(compliance.Span{Start: compliance.DateOf(e.PeriodStart), End: compliance.DateOf(e.PeriodEnd)}, covers)
		}
		out = append(out, s)
	}
	return out
}

// DayRecords gathers, per occurrence of a daily control, the days its
// per-day records cover (a batch answered one record per day carries each
// day as the period it covers). Occurrences whose batch was attested whole,
// with no covered period, are absent.
func DayRecords(evidence []postgres.Evidence) map[string][]compliance.Span {
	out := map[string][]compliance.Span{}
	for _, e := range evidence {
		if e.Corrects != nil || e.CoversStart == nil || e.CoversEnd == nil {
			continue
		}
		if c := catalog.Default().Control(e.ControlID); c == nil || c.Frequency != compliance.FreqDaily {
			continue
		}
		out[e.OccurrenceKey] = append(out[e.OccurrenceKey], compliance.Span{Start: compliance.DateOf(*e.CoversStart), End: compliance.DateOf(*e.CoversEnd)})
	}
	return out
}
