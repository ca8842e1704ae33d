package compliance_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/steadfast-grc/steadfast/compliance"
)

func TestBatchItemIDRoundTrip(t *testing.T) {
	id := compliance.BatchItemID("prompt/brightlane/batch/week-2027-W14/leo@brightlane.io", "evidence/ACC-08/2027-03")
	assert.Equal(t, "prompt/brightlane/batch/week-2027-W14/leo@brightlane.io/item/evidence/ACC-08/2027-03", id)
	wid, ok := compliance.BatchOfItem(id)
	assert.True(t, ok)
	assert.Equal(t, "prompt/brightlane/batch/week-2027-W14/leo@brightlane.io", wid)
	_, ok = compliance.BatchOfItem("prompt/brightlane/evidence/ACC-08/2027-03")
	assert.False(t, ok, "a prompt of its own")
	_, ok = compliance.BatchOfItem("/item/x")
	assert.False(t, ok, "no batch before the separator")
}

// FuzzBatchOfItem: a prompt ID from a Slack button, a form or the command
// line either names no batch or splits into a batch and a key that join
// back into the same ID.
func FuzzBatchOfItem(f *testing.F) {
	for _, s := range []string{"prompt/e/batch/week-2027-W14/a@b/item/evidence/A/2027-03", "prompt/e/k", "/item/", "a/item/b/item/c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		wid, ok := compliance.BatchOfItem(id)
		if !ok {
			return
		}
		if wid == "" || strings.Contains(wid, compliance.BatchItemSeparator) {
			t.Fatalf("%q: batch %q", id, wid)
		}
		key := strings.TrimPrefix(id, wid+compliance.BatchItemSeparator)
		if compliance.BatchItemID(wid, key) != id {
			t.Fatalf("%q does not round-trip", id)
		}
	})
}
