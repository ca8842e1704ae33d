package compliance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// TailoringChangeID names a tailoring by its content: the same change sent
// twice is one change, its prompt and assessment have stable workflow IDs,
// and whoever reads a stored spec can tell which change it carries (a gap
// assessment withdrawing a control records the change that removed it).
func TailoringChangeID(t Tailoring) string {
	// fmt prints maps in key order, so the text (and the ID) is stable.
	sum := sha256.Sum256([]byte(fmt.Sprintf("%+v", normalTailoring(t))))
	return "tailoring-" + hex.EncodeToString(sum[:6])
}

// normalTailoring treats an empty map or list like a missing one.
func normalTailoring(t Tailoring) Tailoring {
	if len(t.Controls) == 0 {
		t.Controls = nil
	}
	if len(t.Custom) == 0 {
		t.Custom = nil
	}
	return t
}
