package compliance

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPhasesAreOrderedAndNeverGoBack(t *testing.T) {
	all := Phases()
	require.Len(t, all, 12)
	for i, p := range all {
		assert.Equal(t, i, p.Order(), "%s", p)
		assert.True(t, p.Valid())
		if i > 0 {
			assert.True(t, all[i-1].Before(p), "%s before %s", all[i-1], p)
			assert.False(t, p.Before(all[i-1]), "%s not before %s", p, all[i-1])
		}
		assert.False(t, p.Before(p))
	}
	assert.True(t, PhaseReadiness.Before(PhaseReviewed))
	assert.True(t, PhaseReviewed.Before(PhaseFieldwork))
	assert.True(t, PhaseFieldwork.Before(PhaseProgramme))
	assert.Equal(t, -1, Phase("closing").Order())
	assert.True(t, Phase("closing").Before(PhaseScoping), "an unknown phase never moves an engagement")
}

func TestPhaseJSONIsItsName(t *testing.T) {
	// Histories written before the type existed carry the bare string.
	b, err := json.Marshal(struct{ Phase Phase }{PhaseGapAssessment})
	require.NoError(t, err)
	assert.JSONEq(t, `{"Phase":"gap-assessment"}`, string(b))
	var back struct{ Phase Phase }
	require.NoError(t, json.Unmarshal([]byte(`{"Phase":"programme"}`), &back))
	assert.Equal(t, PhaseProgramme, back.Phase)
}
