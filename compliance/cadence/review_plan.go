package cadence

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/steadfast-grc/steadfast/compliance"
)

// ShortQuarterDays: a first quarter with fewer days than this inside the
// window is reviewed together with the next one. A window opening on 15
// February otherwise touches five quarters and asks five reviews in a
// year, the first of them six weeks after the window opened.
const ShortQuarterDays = 46

// PlanReviews aligns a control's quarterly reviews (from Reviews) to the
// window and thins them to one every `every` quarters (1 or 2, see
// compliance.Spec.ReviewEveryQuarters). Reviews are kept counting back
// from the window's last, so the end of the window is always reviewed;
// each kept review's Period grows back to the day after the previous kept
// one, so together they still cover the whole window. A kept review keeps
// its quarter's key, ask day and deadline.
func PlanReviews(reviews []Review, every int) []Review {
	if every < 1 {
		every = 1
	}
	if len(reviews) == 0 {
		return nil
	}
	rs := append([]Review(nil), reviews...)
	if len(rs) > 1 && rs[0].Period.Start.DaysUntil(rs[0].Period.End)+1 < ShortQuarterDays {
		start := rs[0].Period.Start
		rs = rs[1:]
		rs[0].Period.Start = start
	}
	var kept []Review
	for i := len(rs) - 1; i >= 0; i -= every {
		kept = append(kept, rs[i])
	}
	// Back in window order, each period reaching back to the last one kept.
	for i, j := 0, len(kept)-1; i < j; i, j = i+1, j-1 {
		kept[i], kept[j] = kept[j], kept[i]
	}
	start := rs[0].Period.Start
	for i := range kept {
		kept[i].Period.Start = start
		start = kept[i].Period.End.AddDays(1)
	}
	return kept
}

// Batch kinds: one checklist of an owner's reviews per quarter; one batch
// of an owner's evidence requests per week they fall due in.
const (
	BatchChecklist = "checklist"
	BatchWeek      = "week"
)

// ChecklistKey names an owner's review checklist for a quarter (the
// quarter of Review.Quarter), e.g. checklist-2027-Q1/priya@brightlane.io.
func ChecklistKey(owner, quarter string) string {
	return BatchChecklist + "-" + quarter + "/" + ownerKey(owner)
}

// WeekBatchKey names an owner's batch of evidence requests falling due in
// the ISO week (in the client's zone) of due, e.g.
// week-2027-W14/priya@brightlane.io.
func WeekBatchKey(owner string, due time.Time, loc *time.Location) string {
	y, w := compliance.DateOf(due.In(loc)).In(time.UTC).ISOWeek()
	return fmt.Sprintf("%s-%04d-W%02d/%s", BatchWeek, y, w, ownerKey(owner))
}

// maxOwnerKey keeps a batch item's prompt ID within what Slack carries in
// a block or action ID (slack.ValidatePromptID, 246 bytes) however long
// the owner's address.
const maxOwnerKey = 48

// ownerKey names the owner in a batch key: the address, or for a long one
// its start and a hash of the whole, still one key per owner.
func ownerKey(email string) string {
	e := strings.ToLower(strings.TrimSpace(email))
	if len(e) <= maxOwnerKey {
		return e
	}
	sum := sha256.Sum256([]byte(e))
	return e[:maxOwnerKey-9] + "-" + hex.EncodeToString(sum[:4])
}
