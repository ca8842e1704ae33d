package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/steadfast-grc/steadfast/compliance"
)

// A crosswalk pairs the requirements of two frameworks through the controls
// that satisfy both: SOC 2 CC6.1 and ISO A.8.5 are a pair because ACC-17 maps
// to each. A pair is only as good as its controls' rationales, so every link
// carries the control's rationale on both sides; a consultant reads them to
// defend (or question) the pair.

// CrosswalkLink is one control linking a pair, with its rationale for each side.
type CrosswalkLink struct {
	Control string `json:"control"`
	Title   string `json:"title"`
	FromWhy string `json:"from_why"`
	ToWhy   string `json:"to_why"`
}

// CrosswalkPair is one requirement of the source framework paired with one of
// the target framework.
type CrosswalkPair struct {
	From      string          `json:"from"`
	FromTitle string          `json:"from_title"`
	To        string          `json:"to"`
	ToTitle   string          `json:"to_title"`
	Links     []CrosswalkLink `json:"links"`
}

// Crosswalk is every pair between two frameworks.
type Crosswalk struct {
	LibraryVersion string                 `json:"library_version"`
	From           compliance.FrameworkID `json:"from"`
	To             compliance.FrameworkID `json:"to"`
	Pairs          []CrosswalkPair        `json:"pairs"`
}

// Crosswalk pairs from's requirements with to's through shared controls.
// The order is fixed: source requirements in catalog order, then target
// requirements in catalog order, then linking controls by ID, so the output
// is identical on every run and diffs cleanly between library versions.
func (l *Library) Crosswalk(from, to compliance.FrameworkID) (*Crosswalk, error) {
	ffc, tfc := l.Framework(from), l.Framework(to)
	if ffc == nil || tfc == nil {
		return nil, fmt.Errorf("crosswalk %s to %s: frameworks are %v", from, to, compliance.FrameworkIDs)
	}
	if from == to {
		return nil, fmt.Errorf("crosswalk %s to itself: choose two different frameworks", from)
	}
	pos := map[string]int{}
	for i, r := range tfc.Requirements {
		pos[r.ID] = i
	}
	xw := &Crosswalk{LibraryVersion: LibraryVersion, From: from, To: to}
	for _, fr := range ffc.Requirements {
		byTo := map[string][]CrosswalkLink{}
		for _, c := range l.ControlsFor(from, fr.ID) {
			for _, tid := range c.Maps[to] {
				byTo[tid] = append(byTo[tid], CrosswalkLink{
					Control: c.ID, Title: c.Title,
					FromWhy: c.Rationale(from, fr.ID), ToWhy: c.Rationale(to, tid),
				})
			}
		}
		tids := make([]string, 0, len(byTo))
		for tid := range byTo {
			tids = append(tids, tid)
		}
		slices.SortFunc(tids, func(a, b string) int { return pos[a] - pos[b] })
		for _, tid := range tids {
			links := byTo[tid]
			slices.SortFunc(links, func(a, b CrosswalkLink) int { return strings.Compare(a.Control, b.Control) })
			xw.Pairs = append(xw.Pairs, CrosswalkPair{
				From: fr.ID, FromTitle: fr.Title, To: tid, ToTitle: l.Requirement(to, tid).Title, Links: links,
			})
		}
	}
	return xw, nil
}
