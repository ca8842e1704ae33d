package compliance

import (
	"fmt"
	"sort"
	"time"
)

// VendorActionKind is one recurring piece of vendor work.
type VendorActionKind string

const (
	// VendorObtainReport asks the vendor's owner to obtain its next (or
	// first) report or certificate, and to review it on arrival: its
	// exceptions, and the user-entity controls it expects of the client.
	VendorObtainReport VendorActionKind = "obtain-report"
	// VendorReviewReport asks the owner to review a report already on
	// file: its exceptions, and the user-entity controls it expects.
	VendorReviewReport VendorActionKind = "review-report"
	// VendorRequestBridge asks for a bridge letter once the client's period
	// runs past the end of the vendor's report.
	VendorRequestBridge VendorActionKind = "request-bridge-letter"
)

// Typical lead times, in days: a Type II report is issued about two months
// after its period ends; a certificate is renewed before it lapses; a report
// on file is reviewed within a month of arriving; the owner is asked a month
// before a report is due, so there is time to chase the vendor; work that is
// already overdue gets two weeks; a bridge letter is asked for a month
// before the client's period ends (it must cover up to that end, so it
// cannot be given much earlier) and is due when the period ends.
const (
	reportIssueLagDays    = 60
	renewBeforeExpiryDays = 30
	reviewWithinDays      = 30
	askBeforeDueDays      = 30
	overdueGraceDays      = 14
	bridgeAskBeforeDays   = 30
)

// VendorAction is one piece of vendor work with its owner and dates: the
// prompt goes out on Ask and is due on Due. Key is stable for the same piece
// of work across runs and spec revisions, so a prompt raised for it is
// raised once.
type VendorAction struct {
	Key    string           `json:"key"`
	Vendor string           `json:"vendor"`
	Kind   VendorActionKind `json:"kind"`
	Owner  string           `json:"owner"`
	Ask    Date             `json:"ask"`
	Due    Date             `json:"due"`
	Why    string           `json:"why"`
}

// VendorActions lists the vendor work the spec implies for one cycle, by
// due date then key: for every vendor the client relies on, obtain the
// first or next report, review the one on file, and request a bridge letter
// when the report ends before the client's period does. start is when work
// without a natural date (a report never obtained) is asked for, and the
// earliest any work is asked for.
func VendorActions(s *Spec, start Date) []VendorAction {
	return VendorSchedule(s, start, Date{})
}

// VendorSchedule is VendorActions carried on year by year until until (a
// zero until: one cycle). The reports that will arrive are not in the spec
// yet, so each later year's work is one prompt to obtain the year's report
// and review it, a year after the last one; its key is anchored on the
// report it asks for, so it stays the same however often the schedule is
// recomputed. This is the domain half of vendor work in the cadence; the
// workflows raise the prompts (workflows/vendor_work.go).
func VendorSchedule(s *Spec, start, until Date) []VendorAction {
	var out []VendorAction
	end := periodEnd(s)
	for _, v := range s.Vendors {
		if !v.ReliedOn() {
			continue
		}
		owner := v.Owner
		if owner == "" {
			owner = s.OwnerOf(DomainVendor).Email
		}
		add := func(kind VendorActionKind, anchor string, ask, due Date, why string) {
			if ask.Before(start) {
				ask = start
			}
			if due.Before(ask) {
				due = ask.AddDays(overdueGraceDays) // overdue work is due soon, not in the past
			}
			out = append(out, VendorAction{
				Key:    fmt.Sprintf("vendor/%s/%s/%s", Slug(v.Name), kind, anchor),
				Vendor: v.Name, Kind: kind, Owner: owner, Ask: ask, Due: due, Why: why,
			})
		}
		// obtain adds the obtain-report work for a report due at due
		// (anchored on anchor), then the same a year later, until until.
		obtain := func(anchor, due Date, why func(anchor Date) string) {
			for {
				add(VendorObtainReport, anchor.String(), due.AddDays(-askBeforeDueDays), due, why(anchor))
				anchor, due = addMonths(anchor, 12), addMonths(due, 12)
				if until.IsZero() || until.Before(due.AddDays(-askBeforeDueDays)) {
					return
				}
			}
		}
		latest := v.Latest()
		if latest == nil {
			add(VendorObtainReport, "first", start, start.AddDays(overdueGraceDays),
				fmt.Sprintf("no report or certificate is on file for %s", v.Name))
			continue
		}
		add(VendorReviewReport, latest.Issued.String(), latest.Issued, latest.Issued.AddDays(reviewWithinDays),
			fmt.Sprintf("review %s's %s issued %s: its exceptions and the controls it expects of you", v.Name, latest.Type, latest.Issued))
		switch {
		case latest.Expires != nil:
			obtain(*latest.Expires, latest.Expires.AddDays(-renewBeforeExpiryDays), func(a Date) string {
				return fmt.Sprintf("%s's %s expires %s: obtain the renewal and review it", v.Name, latest.Type, a)
			})
		case latest.Period != nil:
			next := addMonths(latest.Period.End, 12)
			obtain(next, next.AddDays(reportIssueLagDays), func(a Date) string {
				return fmt.Sprintf("%s's next %s should cover the year to %s: obtain it and review its exceptions and the controls it expects of you", v.Name, latest.Type, a)
			})
		default:
			next := addMonths(latest.Issued, 12)
			obtain(next, next, func(a Date) string {
				return fmt.Sprintf("%s's %s is a year old on %s: obtain a current one and review it", v.Name, latest.Type, a)
			})
		}
		if typeII := v.Latest(ReportSOC2Type2, ReportSOC1Type2); typeII != nil && typeII.Period != nil &&
			typeII.Period.End.Before(end) && v.BridgeLetter == nil {
			ask := end.AddDays(-bridgeAskBeforeDays)
			if gap := typeII.Period.End.AddDays(1); ask.Before(gap) {
				ask = gap // the gap opens the day after the report's period
			}
			add(VendorRequestBridge, typeII.Period.End.String(), ask, end,
				fmt.Sprintf("%s's report ends %s, before your period ends %s: ask for a bridge letter covering the gap", v.Name, typeII.Period.End, end))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Ask != out[j].Ask {
			return out[i].Ask.Before(out[j].Ask)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func addMonths(d Date, n int) Date {
	return DateOf(d.In(time.UTC).AddDate(0, n, 0))
}
