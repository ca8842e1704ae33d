package main

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
)

// TestAuditorInviteThroughTheEngagement: `auditor invite` is the
// engagement's invite-auditor update, so only the lead or a delegate may;
// the invited auditor then gets a sign-in link, and the engagement lets
// them add requests (`audit request --as` the auditor).
func TestAuditorInviteThroughTheEngagement(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal, Postgres and a worker")
	}
	f := newAuditFieldwork(t)
	t.Setenv("WEB_BASE_URL", "https://steadfast.example.com")
	until := compliance.DateOf(time.Now()).AddDays(30).String()

	_, err := f.cli("auditor", "invite", f.spec.ID, "auditor@cpa.example", "--until", until, "--as", "leo@brightlane.io")
	require.ErrorContains(t, err, "leo@brightlane.io may not invite auditors to brightlane: only the lead or a lead delegate may")
	_, err = f.cli("web-login", "auditor@cpa.example", "--engagement", f.spec.ID)
	require.Error(t, err, "no link before the invitation")
	_, err = f.cli("audit", "request", f.spec.ID, "--id", "PBC-20", "--due", "2099-01-01", "--description", "x", "--as", "auditor@cpa.example")
	require.ErrorContains(t, err, "auditor@cpa.example may not add the auditor's requests")

	out, err := f.cli("auditor", "invite", f.spec.ID, "auditor@cpa.example", "--until", until, "--as", "maya@brightlane.io")
	require.NoError(t, err)
	assert.Contains(t, out, "until the end of "+until)
	out, err = f.cli("web-login", "auditor@cpa.example", "--engagement", f.spec.ID)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(strings.TrimSpace(out), "https://steadfast.example.com/signin?token="), out)
	_, err = f.cli("audit", "request", f.spec.ID, "--id", "PBC-20", "--due", "2099-01-01", "--description", "The penetration test report", "--as", "auditor@cpa.example")
	require.NoError(t, err)
	assert.Equal(t, 1, f.count(t, `SELECT count(*) FROM audit_requests WHERE requested_by = 'auditor@cpa.example'`))
}
