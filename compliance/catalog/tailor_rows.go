package catalog

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TailoringRow is one departure of an engagement from the library, as the
// evidence pack's tailoring.csv lists it: what changed on which control,
// from what to what, and the client's justification.
type TailoringRow struct {
	ControlID     string `json:"control_id"`
	Title         string `json:"title"`
	Change        string `json:"change"`
	Library       string `json:"library"`
	Tailored      string `json:"tailored"`
	Justification string `json:"justification"`
}

// The changes a TailoringRow names.
const (
	ChangeOwner         = "owner"
	ChangeFrequency     = "frequency"
	ChangeEvidence      = "evidence"
	ChangeRisk          = "risk"
	ChangeNotApplicable = "not-applicable"
	ChangeInherited     = "inherited"
	ChangeCustom        = "custom-control"
)

// TailoringRows lists every override of the spec's tailoring, one row per
// changed field, by control ID; a custom control is one row naming its
// mappings. An ID the library does not know is skipped (the parser refuses
// it where it is written).
func (l *Library) TailoringRows(s *compliance.Spec) []TailoringRow {
	var out []TailoringRow
	for _, id := range slices.Sorted(maps.Keys(s.Tailoring.Controls)) {
		c := l.Control(id)
		if c == nil {
			continue
		}
		t := s.Tailoring.Controls[id]
		row := func(change, from, to string) {
			out = append(out, TailoringRow{ControlID: id, Title: c.Title, Change: change, Library: from, Tailored: to, Justification: t.Justification})
		}
		if t.NotApplicable {
			row(ChangeNotApplicable, "applicable", "not applicable")
		}
		if t.InheritedFrom != "" {
			row(ChangeInherited, "operated by the client", "performed by "+t.InheritedFrom)
		}
		if t.Owner != "" {
			row(ChangeOwner, s.OwnerOf(c.Domain).Email+" (owner of "+string(c.Domain)+")", t.Owner)
		}
		if t.Frequency != "" {
			row(ChangeFrequency, string(c.Frequency), string(t.Frequency))
		}
		if t.Evidence != "" {
			row(ChangeEvidence, c.Evidence, t.Evidence)
		}
		if t.Risk != "" {
			row(ChangeRisk, string(c.Risk.OrModerate()), string(t.Risk))
		}
	}
	custom := slices.Clone(s.Tailoring.Custom)
	slices.SortFunc(custom, func(a, b compliance.CustomControl) int { return strings.Compare(a.ID, b.ID) })
	for _, cc := range custom {
		c := l.customControl(cc)
		var mapped []string
		for _, fw := range compliance.FrameworkIDs {
			for _, id := range c.Maps[fw] {
				mapped = append(mapped, fmt.Sprintf("%s %s: %s", fw, id, c.Why[fw][id]))
			}
		}
		out = append(out, TailoringRow{ControlID: cc.ID, Title: cc.Title, Change: ChangeCustom, Library: "",
			Tailored:      fmt.Sprintf("%s, %s, owner %s", cc.Frequency, cc.Type, s.OwnerOfControl(cc.ID, cc.Domain).Email),
			Justification: strings.Join(mapped, "; ")})
	}
	return out
}
