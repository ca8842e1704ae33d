package compliance

import (
	"sort"
	"strings"
	"time"
)

// VendorPromptKind is the kind of a vendor-work prompt in the record (the
// workflows ask it; status, gaps, readiness and the pack read it back).
const VendorPromptKind = "vendor"

// Answers to vendor-work prompts. The ones in vendorLeavesWork say the work
// is answered but not done: someone must still act, and the item stays in
// the gap register and the readiness review until they have.
const (
	VendorAnswerReviewed = "reviewed" // obtained and/or reviewed: nothing needs action
	VendorAnswerAct      = "act"      // its exceptions or expected controls need action
	VendorAnswerNotYet   = "not-yet"  // the report is not available yet
	VendorAnswerReceived = "received" // the bridge letter is in
	VendorAnswerRefused  = "refused"  // the vendor will not give a bridge letter
)

var vendorLeavesWork = map[string]bool{VendorAnswerAct: true, VendorAnswerNotYet: true, VendorAnswerRefused: true}

// VendorWorkState is where one piece of vendor work stands.
type VendorWorkState string

const (
	// VendorWorkUpcoming: not asked yet, and not due.
	VendorWorkUpcoming VendorWorkState = "upcoming"
	// VendorWorkOpen: asked, not answered, not yet due.
	VendorWorkOpen VendorWorkState = "open"
	// VendorWorkOverdue: past due with no answer (asked or not: a vendor
	// workflow that has not run is no excuse), or the prompt expired.
	VendorWorkOverdue VendorWorkState = "overdue"
	// VendorWorkNeedsAction: answered, but the answer leaves work to do.
	VendorWorkNeedsAction VendorWorkState = "needs-action"
	// VendorWorkDone: answered and nothing left to do.
	VendorWorkDone VendorWorkState = "done"
)

// Open reports whether the state is one the gap register and the
// readiness review list: overdue, or answered with work left.
func (s VendorWorkState) Open() bool { return s == VendorWorkOverdue || s == VendorWorkNeedsAction }

// VendorWorkItem is one piece of vendor work with its prompt, if asked.
type VendorWorkItem struct {
	VendorAction
	State      VendorWorkState `json:"state"`
	PromptID   string          `json:"prompt_id,omitempty"`
	Answer     string          `json:"answer,omitempty"`
	Note       string          `json:"note,omitempty"`
	Link       string          `json:"link,omitempty"`
	AnsweredBy string          `json:"answered_by,omitempty"`
	AnsweredAt *time.Time      `json:"answered_at,omitempty"`
}

// VendorWork joins the vendor work the spec implies (VendorSchedule up to
// asOf, laid out from start) with the vendor prompts on record, matched by
// key, and says where each stands at asOf. A prompt on record whose work is
// no longer implied (the spec now has that report on file) is kept, with
// the vendor taken from its subject: what was asked stays visible.
func VendorWork(s *Spec, start Date, prompts []Prompt, asOf time.Time) []VendorWorkItem {
	today := DateOf(asOf)
	byKey := map[string]Prompt{}
	for _, p := range prompts {
		if p.Kind == VendorPromptKind {
			byKey[p.Key] = p
		}
	}
	var out []VendorWorkItem
	seen := map[string]bool{}
	for _, a := range VendorSchedule(s, start, today) {
		p, asked := byKey[a.Key]
		if !asked && today.Before(a.Ask) {
			continue // not due to be asked yet
		}
		seen[a.Key] = true
		out = append(out, vendorWorkItem(a, p, asked, today))
	}
	for _, p := range prompts {
		if p.Kind != VendorPromptKind || seen[p.Key] {
			continue
		}
		vendor, kind, _ := strings.Cut(p.Subject, ": ")
		a := VendorAction{Key: p.Key, Vendor: vendor, Kind: VendorActionKind(kind), Owner: p.AddresseeEmail,
			Ask: DateOf(p.CreatedAt), Due: DateOf(p.DueAt), Why: p.Question}
		out = append(out, vendorWorkItem(a, p, true, today))
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Due != out[j].Due {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].Key < out[j].Key
	})
	return out
}

func vendorWorkItem(a VendorAction, p Prompt, asked bool, today Date) VendorWorkItem {
	it := VendorWorkItem{VendorAction: a}
	if asked {
		it.Due = DateOf(p.DueAt) // the deadline the owner was given
		it.PromptID, it.Answer, it.Note, it.Link, it.AnsweredBy, it.AnsweredAt = p.ID, p.AnswerChoice, p.AnswerNote, p.AnswerLink, p.AnsweredBy, p.AnsweredAt
	}
	switch {
	case asked && p.Status == PromptAnswered && vendorLeavesWork[p.AnswerChoice]:
		it.State = VendorWorkNeedsAction
	case asked && p.Status == PromptAnswered:
		it.State = VendorWorkDone
	case asked && p.Status == PromptExpired, a.Due.Before(today):
		it.State = VendorWorkOverdue
	case asked && p.Status == PromptOpen:
		it.State = VendorWorkOpen
	default:
		it.State = VendorWorkUpcoming
	}
	return it
}

// VendorWorkCounts are the figures `status` shows.
type VendorWorkCounts struct {
	Vendors     int `json:"vendors"`
	ReliedOn    int `json:"relied_on"`
	Open        int `json:"open"`
	Overdue     int `json:"overdue"`
	NeedsAction int `json:"needs_action"`
	Done        int `json:"done"`
}

// CountVendorWork sums the items by state.
func CountVendorWork(s *Spec, items []VendorWorkItem) VendorWorkCounts {
	c := VendorWorkCounts{Vendors: len(s.Vendors)}
	for _, v := range s.Vendors {
		if v.ReliedOn() {
			c.ReliedOn++
		}
	}
	for _, it := range items {
		switch it.State {
		case VendorWorkOpen:
			c.Open++
		case VendorWorkOverdue:
			c.Overdue++
		case VendorWorkNeedsAction:
			c.NeedsAction++
		case VendorWorkDone:
			c.Done++
		}
	}
	return c
}

// VendorGap is one vendor item in the gap register and the readiness
// review: a vendor scope risk (a report missing or out of date, a carve-out
// nobody monitors...) or vendor work that is overdue or answered with work
// left. Severity ranks it beside the control gaps; Action says what to do.
type VendorGap struct {
	Vendor   string   `json:"vendor"`
	Source   string   `json:"source"` // "scope-risk" or "vendor-work"
	Rule     string   `json:"rule"`   // the scope rule, or the kind of work
	Severity Severity `json:"severity"`
	Owner    string   `json:"owner,omitempty"`
	Due      *Date    `json:"due,omitempty"`
	Message  string   `json:"message"`
	PromptID string   `json:"prompt_id,omitempty"`
}

// VendorGaps lists the vendor items a lead must close before the audit,
// high severity first. Overdue work is high when it is a report or a bridge
// letter the auditor will ask for, medium when it is a review; work
// answered with something left to do is medium (the answer says what).
func VendorGaps(items []VendorItem, work []VendorWorkItem) []VendorGap {
	var out []VendorGap
	for _, it := range items {
		for _, r := range it.Risks {
			out = append(out, VendorGap{Vendor: it.Vendor.Name, Source: "scope-risk", Rule: r.Rule, Severity: r.Severity,
				Owner: it.Vendor.Owner, Message: r.Message})
		}
	}
	for _, w := range work {
		if !w.State.Open() {
			continue
		}
		due := w.Due
		g := VendorGap{Vendor: w.Vendor, Source: "vendor-work", Rule: string(w.Kind), Severity: SeverityMedium,
			Owner: w.Owner, Due: &due, PromptID: w.PromptID}
		switch {
		case w.State == VendorWorkOverdue:
			if w.Kind != VendorReviewReport {
				g.Severity = SeverityHigh
			}
			g.Message = "overdue since " + w.Due.String() + ": " + w.Why
		default:
			g.Message = "answered " + w.Answer + " by " + w.AnsweredBy + ", work left: " + w.Note
		}
		out = append(out, g)
	}
	rank := map[Severity]int{SeverityHigh: 0, SeverityMedium: 1, SeverityLow: 2}
	sort.SliceStable(out, func(i, j int) bool { return rank[out[i].Severity] < rank[out[j].Severity] })
	return out
}
