package compliance

import "time"

// When a gap a tailoring change's round found is due, once the engagement's
// own remediation has ended (the operating period and after). The plan's
// remediation date has then passed in substance — remediation completed —
// so it cannot be the due date; a fix left open until fieldwork would be an
// exception the auditor finds, so the due date also keeps a margin before
// the audit.
const (
	// ChangeGapFixDays is the time a change's gap gets to be fixed: the
	// same order as the plan's remediation phase (weeks 2–4).
	ChangeGapFixDays = 30
	// ChangeGapAuditMarginDays: the fix is due this long before the audit
	// date, so its evidence exists before the readiness review samples it.
	ChangeGapAuditMarginDays = 14
	// ChangeGapMinDays is the least an owner is given, even when the audit
	// is near: a due date already past would only start the escalation.
	ChangeGapMinDays = 7
)

// ChangeGapDue is the due date of a gap a change's round found at found:
// ChangeGapFixDays later, or ChangeGapAuditMarginDays before the audit date
// if that is sooner, but never sooner than ChangeGapMinDays after found.
func ChangeGapDue(found time.Time, audit Date) time.Time {
	day := 24 * time.Hour
	due := found.Add(ChangeGapFixDays * day)
	if !audit.IsZero() {
		if latest := audit.In(found.Location()).Add(-ChangeGapAuditMarginDays * day); latest.Before(due) {
			due = latest
		}
	}
	if least := found.Add(ChangeGapMinDays * day); due.Before(least) {
		due = least
	}
	return due
}
