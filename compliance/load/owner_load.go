package load

import (
	"sort"
	"strings"
	"time"
)

// Minutes an owner spends, estimated (our own working assumptions, not
// measurements): finding and linking one period's evidence, confirming
// one control still operates as designed, and the switch into a question
// that arrives on its own (opening the message, finding the context). A
// batch is switched into once, whatever it holds.
const (
	EvidenceMinutes = 5
	ReviewMinutes   = 4
	SwitchMinutes   = 3
)

// OwnerMonth is one owner's load in one month (of the ask, in the
// client's zone).
type OwnerMonth struct {
	Owner string `json:"owner"`
	Month string `json:"month"`
	// Questions are the occurrences asked; Messages what arrives to be
	// answered (a question alone, or a batch).
	Questions int `json:"questions"`
	Messages  int `json:"messages"`
	Evidence  int `json:"evidence"`
	Reviews   int `json:"reviews"`
	Minutes   int `json:"minutes"`
}

// PerOwnerMonth sums the batches (a lone question is a batch of one) per
// owner and month of AskAt in loc, in owner then month order.
func PerOwnerMonth(batches []Batch, loc *time.Location) []OwnerMonth {
	type k struct{ owner, month string }
	sum := map[k]*OwnerMonth{}
	for _, b := range batches {
		key := k{strings.ToLower(b.Owner.Email), b.AskAt.In(loc).Format("2006-01")}
		m := sum[key]
		if m == nil {
			m = &OwnerMonth{Owner: key.owner, Month: key.month}
			sum[key] = m
		}
		m.Messages++
		m.Minutes += SwitchMinutes
		for _, q := range b.Items {
			m.Questions++
			if q.Review {
				m.Reviews++
				m.Minutes += ReviewMinutes
			} else {
				m.Evidence++
				m.Minutes += EvidenceMinutes
			}
		}
	}
	out := make([]OwnerMonth, 0, len(sum))
	for _, m := range sum {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Owner != out[j].Owner {
			return out[i].Owner < out[j].Owner
		}
		return out[i].Month < out[j].Month
	})
	return out
}

// Alone is the unbatched form: every question its own message.
func Alone(qs []Question) []Batch {
	out := make([]Batch, len(qs))
	for i, q := range qs {
		out[i] = Batch{Key: q.Key, Owner: q.Owner, AskAt: q.AskAt, Items: []Question{q}}
	}
	return out
}

// Engagement is an engagement's load both ways.
type Engagement struct {
	Before []OwnerMonth `json:"before"`
	After  []OwnerMonth `json:"after"`
}

// Totals sums owner-months into one row per owner (Month empty).
func Totals(ms []OwnerMonth) []OwnerMonth {
	by := map[string]*OwnerMonth{}
	var owners []string
	for _, m := range ms {
		t := by[m.Owner]
		if t == nil {
			t = &OwnerMonth{Owner: m.Owner}
			by[m.Owner] = t
			owners = append(owners, m.Owner)
		}
		t.Questions += m.Questions
		t.Messages += m.Messages
		t.Evidence += m.Evidence
		t.Reviews += m.Reviews
		t.Minutes += m.Minutes
	}
	sort.Strings(owners)
	out := make([]OwnerMonth, 0, len(owners))
	for _, o := range owners {
		out = append(out, *by[o])
	}
	return out
}
