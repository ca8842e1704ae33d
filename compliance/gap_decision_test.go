package compliance

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckGapRank(t *testing.T) {
	assert.NoError(t, CheckGapRank(1, 56))
	assert.NoError(t, CheckGapRank(56, 56))
	assert.ErrorContains(t, CheckGapRank(999, 56), "give a rank from 1 to 56")
	assert.ErrorContains(t, CheckGapRank(0, 56), "give a rank from 1 to 56")
	assert.ErrorContains(t, CheckGapRank(1, 0), "no gap register")
}

func TestCheckIsGap(t *testing.T) {
	assert.NoError(t, CheckIsGap("OPS-15", true, true, "e"))
	assert.ErrorContains(t, CheckIsGap("ACC-01", true, false, "e"), "ACC-01 is not a gap in e")
	assert.ErrorContains(t, CheckIsGap("XYZ-01", false, false, "e"), "not in the gap register")
}
