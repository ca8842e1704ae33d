package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/internal/answers"
	"github.com/steadfast-grc/steadfast/internal/identity"
	"github.com/steadfast-grc/steadfast/internal/testenv"
	"github.com/steadfast-grc/steadfast/workflows"
)

// assessGaps answers every control prompt of the gap assessment as the
// owners would (through the same answer path as the CLI and Slack): one
// control is missing, one is in place but its evidence has gaps, the rest
// are in place. It then checks the ranked register with `starter gaps` and
// records an override and an acceptance.
func assessGaps(t *testing.T, ctx context.Context, cli func(...string) (string, error), db testenv.Database, e *engagements, id string, spec *compliance.Spec, controls int) {
	t.Helper()
	svc := answers.Service{Temporal: e.tc}

	// Issue 15: status counted a control only once its owner had answered
	// all their questions. One answer shows as one answered.
	var first postgres.Prompt
	require.Eventually(t, func() bool {
		all, err := db.Store.Prompts(ctx, postgres.PromptFilter{EngagementID: id, Status: postgres.PromptOpen})
		for _, p := range all {
			if p.Kind == "control-status" {
				first = p
				return err == nil && len(all) >= controls
			}
		}
		return false
	}, time.Minute, 200*time.Millisecond, "no control prompt was opened")
	_, err := svc.Answer(ctx, first.ID, "test/"+first.ID, workflows.AnswerPromptRequest{Choice: workflows.AssessImplemented,
		Note: "exported monthly to the GRC drive by IT", Actor: identity.CLIActor(first.AddresseeEmail)})
	require.NoError(t, err)
	out, err := cli("status", id)
	require.NoError(t, err)
	assert.Contains(t, out, fmt.Sprintf("1 of %d controls answered, %d unanswered", controls, controls-1))
	controls--

	open := answerControls(t, ctx, db, svc, id, controls, func(i int, p postgres.Prompt) workflows.AnswerPromptRequest {
		switch i {
		case 0:
			return workflows.AnswerPromptRequest{Choice: workflows.AssessMissing, Actor: identity.CLIActor(p.AddresseeEmail)}
		case 1:
			return workflows.AnswerPromptRequest{Choice: workflows.AssessUnsampleable, Note: "done, but only some occurrences are minuted", Actor: identity.CLIActor(p.AddresseeEmail)}
		}
		return workflows.AnswerPromptRequest{Choice: workflows.AssessImplemented, Note: "exported monthly to the GRC drive by IT", Actor: identity.CLIActor(p.AddresseeEmail)}
	})
	missing, weak := open[0], open[1]
	require.Eventually(t, func() bool {
		st, err := e.status(ctx, id)
		return err == nil && st.GapsFound == 2
	}, time.Minute, 200*time.Millisecond, "the register was not built")

	out, err = cli("gaps", id, "--format", "json")
	require.NoError(t, err)
	var reg []postgres.GapEntry
	require.NoError(t, json.Unmarshal([]byte(out), &reg))
	require.Len(t, reg, 2, "one missing control and one that cannot be evidenced: %s", out)
	byControl := map[string]postgres.GapEntry{}
	for _, g := range reg {
		byControl[g.ControlID] = g
		assert.NotEmpty(t, g.Reasons, "every rank says why")
	}
	missingID := missing.Key[len("gap/"):]
	weakID := weak.Key[len("gap/"):]
	require.Contains(t, byControl, missingID)
	require.Contains(t, byControl, weakID)
	assert.Equal(t, "missing", byControl[missingID].Status)
	assert.Equal(t, "implemented", byControl[weakID].Status, "in place but not auditable is still a gap")

	all, err := cli("gaps", id, "--all", "--format", "csv")
	require.NoError(t, err)
	assert.Greater(t, len(all), 1000)

	_, err = cli("gaps", "accept", id, weakID, "--as", "leo@brightlane.io", "--reason", "x")
	require.ErrorContains(t, err, "only the lead")
	_, err = cli("gaps", "accept", id, weakID, "--as", "maya@brightlane.io", "--reason", "minutes kept from Q2; auditor agreed")
	require.NoError(t, err)
	// A rank is a place among the 2 gaps (issue 15: --rank 999 was taken).
	_, err = cli("gaps", "override", id, missingID, "--rank", "999", "--as", "priya@brightlane.io", "--reason", "compensating control in place")
	require.ErrorContains(t, err, "give a rank from 1 to 2 (there are 2 gaps)")
	_, err = cli("gaps", "override", id, missingID, "--rank", "2", "--as", "priya@brightlane.io", "--reason", "compensating control in place")
	require.NoError(t, err)
	table, err := cli("gaps", id)
	require.NoError(t, err)
	assert.Contains(t, table, "(accepted)")
	assert.Contains(t, table, "2 (was ")

	// Remediation: the missing control is fixed and closed with evidence;
	// the accepted one closes without being chased.
	require.Eventually(t, func() bool {
		items, err := db.Store.Items(ctx, id)
		return err == nil && len(items) == 2
	}, time.Minute, 200*time.Millisecond, "remediation items were not opened")
	_, err = cli("remediation", "done", id+"/"+missingID, "--as", "leo@brightlane.io", "--evidence", "not a link")
	require.Error(t, err)
	_, err = cli("remediation", "done", id+"/"+missingID, "--as", missing.AddresseeEmail, "--evidence", "https://drive.example/evidence/"+missingID)
	require.NoError(t, err)
	// Under -race on two busy cores the two closes can take a while;
	// say where each gap stands if they never do.
	got := map[string]string{}
	require.Eventually(t, func() bool {
		items, err := db.Store.Items(ctx, id)
		if err != nil || len(items) != 2 {
			return false
		}
		clear(got) // the same map the failure message prints
		for _, it := range items {
			got[it.ControlID] = it.Status
		}
		return got[missingID] == postgres.ItemVerified && got[weakID] == postgres.ItemAccepted
	}, 3*time.Minute, 200*time.Millisecond, "the gaps did not close: %v", got)
	listing, err := cli("remediation", id)
	require.NoError(t, err)
	assert.Contains(t, listing, "https://drive.example/evidence/"+missingID)
	_ = spec
}
