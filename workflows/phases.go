package workflows

import "github.com/steadfast-grc/steadfast/compliance"

// The resting points between the working phases, under the names the
// workflows have always used; the type and its order live in compliance.
const (
	PhaseScoped     = compliance.PhaseScoped
	PhaseAssessed   = compliance.PhaseAssessed
	PhaseRemediated = compliance.PhaseRemediated
	PhaseOperated   = compliance.PhaseOperated
	PhaseReviewed   = compliance.PhaseReviewed
	PhaseProgramme  = compliance.PhaseProgramme
)
