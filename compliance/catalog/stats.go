package catalog

import "github.com/steadfast-grc/steadfast/compliance"

// Stats measures how much the library's controls are shared: the numbers
// that show whether one control set really serves three frameworks.
type Stats struct {
	Controls   int             `json:"controls"`
	Frameworks []FrameworkStat `json:"frameworks"`
	// RequirementsPerControl counts, for each control, the requirements it
	// maps to across all frameworks.
	RequirementsPerControl Spread `json:"requirements_per_control"`
	// ByFrameworkCount[n] is the number of controls serving n frameworks.
	ByFrameworkCount [4]int `json:"by_framework_count"`
	// ShareTwoOrMore and ShareThree are fractions of all controls.
	ShareTwoOrMore float64 `json:"share_two_or_more"`
	ShareThree     float64 `json:"share_three"`
}

// FrameworkStat is one framework's coverage figures.
type FrameworkStat struct {
	Framework compliance.FrameworkID `json:"framework"`
	// Requirements is the number of assessable requirements.
	Requirements int `json:"requirements"`
	// ControlsPerRequirement counts the controls mapped directly to each
	// assessable requirement.
	ControlsPerRequirement Spread `json:"controls_per_requirement"`
	// RequirementsPerControl counts, over controls mapping this framework,
	// how many of its requirements each maps.
	RequirementsPerControl Spread `json:"requirements_per_control"`
}

// Spread is a mean and a maximum, with the ID holding the maximum.
type Spread struct {
	Mean  float64 `json:"mean"`
	Max   int     `json:"max"`
	MaxID string  `json:"max_id"`
}

type spreadAcc struct {
	sum, n int
	s      Spread
}

func (a *spreadAcc) add(id string, v int) {
	a.sum += v
	a.n++
	if v > a.s.Max {
		a.s.Max, a.s.MaxID = v, id
	}
}

func (a *spreadAcc) done() Spread {
	if a.n > 0 {
		a.s.Mean = float64(a.sum) / float64(a.n)
	}
	return a.s
}

// Stats computes the library's sharing measurements.
func (l *Library) Stats() Stats {
	st := Stats{Controls: len(l.Controls)}
	for _, fc := range l.Frameworks {
		fs := FrameworkStat{Framework: fc.ID}
		var cpr, rpc spreadAcc
		for _, r := range fc.Requirements {
			if !r.Assessable() {
				continue
			}
			fs.Requirements++
			cpr.add(r.ID, len(l.ControlsFor(fc.ID, r.ID)))
		}
		for _, c := range l.Controls {
			if n := len(c.Maps[fc.ID]); n > 0 {
				rpc.add(c.ID, n)
			}
		}
		fs.ControlsPerRequirement, fs.RequirementsPerControl = cpr.done(), rpc.done()
		st.Frameworks = append(st.Frameworks, fs)
	}
	var all spreadAcc
	for _, c := range l.Controls {
		all.add(c.ID, c.MappedCount())
		st.ByFrameworkCount[len(c.Frameworks())]++
	}
	st.RequirementsPerControl = all.done()
	if n := float64(len(l.Controls)); n > 0 {
		st.ShareTwoOrMore = float64(st.ByFrameworkCount[2]+st.ByFrameworkCount[3]) / n
		st.ShareThree = float64(st.ByFrameworkCount[3]) / n
	}
	return st
}
