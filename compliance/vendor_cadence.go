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
	// first) report or certificate.
	VendorObtainReport VendorActionKind = "obtain-report"
	// VendorReviewReport asks the owner to review a report on file: its
	// exceptions, and the user-entity controls it expects of the client.
	VendorReviewReport VendorActionKind = "review-report"
	// VendorRequestBridge asks for a bridge letter once the client's period
	// runs past the end of the vendor's report.
	VendorRequestBridge VendorActionKind = "request-bridge-letter"
)

// Typical lead times, in days: a Type II report is issued about two months
// after its period ends; a certificate is renewed before it lapses; a report
// on file is reviewed within a month of arriving.
const (
	reportIssueLagDays    = 60
	renewBeforeExpiryDays = 30
	reviewWithinDays      = 30
)

// VendorAction is one piece of vendor work with its owner and due date.
// Key is stable for the same piece of work across runs and spec revisions,
// so a prompt raised for it is raised once.
type VendorAction struct {
	Key    string           `json:"key"`
	Vendor string           `json:"vendor"`
	Kind   VendorActionKind `json:"kind"`
	Owner  string           `json:"owner"`
	Due    Date             `json:"due"`
	Why    string           `json:"why"`
}

// VendorActions lists the vendor work the spec implies, by due date then
// key: for every vendor the client relies on, obtain the first or next
// report, review the one on file, and request a bridge letter when the
// report ends before the client's period does. start is when work without
// a natural date (a report never obtained) is due, and the earliest any
// work is due. It is the domain half of
// vendor work in the cadence; raising the prompts is the workflows' job.
func VendorActions(s *Spec, start Date) []VendorAction {
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
		add := func(kind VendorActionKind, anchor string, due Date, why string) {
			if due.Before(start) {
				due = start // overdue work is due now, not in the past
			}
			out = append(out, VendorAction{
				Key:    fmt.Sprintf("vendor/%s/%s/%s", Slug(v.Name), kind, anchor),
				Vendor: v.Name, Kind: kind, Owner: owner, Due: due, Why: why,
			})
		}
		latest := v.Latest()
		if latest == nil {
			add(VendorObtainReport, "first", start, fmt.Sprintf("no report or certificate is on file for %s", v.Name))
			continue
		}
		add(VendorReviewReport, latest.Issued.String(), latest.Issued.AddDays(reviewWithinDays),
			fmt.Sprintf("review %s's %s issued %s: its exceptions and the controls it expects of you", v.Name, latest.Type, latest.Issued))
		switch {
		case latest.Expires != nil:
			add(VendorObtainReport, latest.Expires.String(), latest.Expires.AddDays(-renewBeforeExpiryDays),
				fmt.Sprintf("%s's %s expires %s", v.Name, latest.Type, latest.Expires))
		case latest.Period != nil:
			next := addMonths(latest.Period.End, 12)
			add(VendorObtainReport, next.String(), next.AddDays(reportIssueLagDays),
				fmt.Sprintf("%s's next %s should cover the year to %s", v.Name, latest.Type, next))
		default:
			next := addMonths(latest.Issued, 12)
			add(VendorObtainReport, next.String(), next, fmt.Sprintf("%s's %s is a year old on %s", v.Name, latest.Type, next))
		}
		if typeII := v.Latest(ReportSOC2Type2, ReportSOC1Type2); typeII != nil && typeII.Period != nil &&
			typeII.Period.End.Before(end) && v.BridgeLetter == nil {
			add(VendorRequestBridge, typeII.Period.End.String(), end,
				fmt.Sprintf("%s's report ends %s, before your period ends %s", v.Name, typeII.Period.End, end))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Due != out[j].Due {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func addMonths(d Date, n int) Date {
	return DateOf(d.In(time.UTC).AddDate(0, n, 0))
}
