package activities

import (
	"fmt"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/catalog"
)

// assessTailoringChange applies a new tailoring to the spec: the scope
// risks it raises (a requirement left without a control) and the controls
// to assess again (catalog.TailoringDelta) — only those, not the whole
// library.
func assessTailoringChange(spec compliance.Spec, t compliance.Tailoring) (AssessScopeChangeResult, error) {
	after := spec
	after.Tailoring = t
	if err := after.CheckTailoring(catalog.Default()); err != nil {
		return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("tailoring of %s: %w", spec.ID, err))
	}
	affected, err := catalog.Default().TailoringDelta(&spec, &after)
	if err != nil {
		return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("tailoring of %s: %w", spec.ID, err))
	}
	risks, err := catalog.Default().TailoringRisks(&after)
	if err != nil {
		return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("tailoring of %s: %w", spec.ID, err))
	}
	removed, err := catalog.Default().TailoringRemovals(&spec, &after)
	if err != nil {
		return AssessScopeChangeResult{}, nonRetryable(ErrTypeBadInput, fmt.Errorf("tailoring of %s: %w", spec.ID, err))
	}
	return AssessScopeChangeResult{Risks: risks, NewControls: affected, Removed: removed, Spec: after}, nil
}
