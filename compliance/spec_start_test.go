package compliance

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// startable is minimal with a control owner: a spec an engagement can start from.
var startable = strings.Replace(minimal, "    roles: [lead]\n", "    roles: [lead, control-owner]\n    owns: [access]\n", 1)

func TestCheckStart(t *testing.T) {
	today := Date{Year: 2026, Month: 12, Day: 4}
	parse := func(src string) *Spec {
		s, err := ParseSpec("acme.yaml", []byte(src))
		require.NoError(t, err)
		return s
	}
	require.NoError(t, parse(startable).CheckStart(today))

	cases := []struct{ name, old, new, want string }{
		{"audit date in the past", "audit_date: 2028-02-01", "audit_date: 2026-11-01", "audit_date: 2026-11-01 is not after today (2026-12-04)"},
		{"audit date today", "audit_date: 2028-02-01", "audit_date: 2026-12-04", "is not after today"},
		{"no systems in scope", "    scope: in\n", "    scope: excluded\n    rationale: out\n", "systems: no system is in scope"},
		{"no control owners", "    roles: [lead, control-owner]\n    owns: [access]\n", "    roles: [lead]\n", "people: no one has the control-owner role"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(startable, tc.old, tc.new, 1)
			require.NotEqual(t, startable, src, "the case must change the spec")
			if strings.Contains(tc.name, "audit date") {
				// The window must end before the audit for the parser.
				src = strings.Replace(src, "window: {start: 2027-01-01, end: 2027-12-31}", "window: {start: 2026-01-01, end: 2026-06-30}", 1)
			}
			err := parse(src).CheckStart(today)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A spec with no systems at all is refused too.
	s := parse(startable)
	s.Systems = nil
	assert.ErrorContains(t, s.CheckStart(today), "no system is in scope")
}
