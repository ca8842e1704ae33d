package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/steadfast-grc/steadfast/compliance"
	"github.com/steadfast-grc/steadfast/compliance/custreview"
	"github.com/steadfast-grc/steadfast/integrations/postgres"
	"github.com/steadfast-grc/steadfast/workflows"
)

// TestCustomerReviewReturnCLI: the lead returns an owner's answer from the
// CLI (an owner is refused with the validator's sentence, a missing
// --reason by the flag); list and status show it returned with its
// reason; the owner answers the second prompt, and the lead approves the
// new answer.
func TestCustomerReviewReturnCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts Temporal and Postgres")
	}
	ctx := context.Background()
	db, spec, plan, cli := operatingFixture(t)
	runningEngagement(t, db, spec, plan, nil)
	const lead, why = "maya@brightlane.io", "Say how often, and link the last review."
	due := compliance.DateOf(time.Now()).AddDays(20)
	file := filepath.Join(t.TempDir(), "acme.csv")
	require.NoError(t, os.WriteFile(file, []byte("question_id,question,control\nQ1,Do you review access quarterly?,ACC-04\n"), 0o600))
	_, _, err := cli("customer-review", "import", spec.ID, file, "--customer", "Acme Bank", "--due", due.String(), "--as", lead)
	require.NoError(t, err)
	rid := custreview.ReviewID("Acme Bank", due)
	prompt := func(key string) postgres.Prompt {
		pid := workflows.PromptWorkflowID(spec.ID, key)
		var found postgres.Prompt
		require.Eventually(t, func() bool {
			ps, err := db.Store.Prompts(ctx, compliance.PromptFilter{EngagementID: spec.ID, Status: "open"})
			require.NoError(t, err)
			for _, p := range ps {
				if p.ID == pid {
					found = p
				}
			}
			return found.ID != ""
		}, time.Minute, 200*time.Millisecond, "prompt %s", pid)
		return found
	}
	first := prompt("customer-review/" + rid + "/Q1")
	owner := first.AddresseeEmail
	_, _, err = cli("answer", first.ID, "--choice", workflows.ChoiceAnswer, "--note", "We do.", "--as", owner)
	require.NoError(t, err)

	_, _, err = cli("customer-review", "return", spec.ID, rid, "Q1", "--as", lead)
	require.ErrorContains(t, err, `"reason" not set`)
	_, _, err = cli("customer-review", "return", spec.ID, rid, "Q1", "--reason", why, "--as", "leo@brightlane.io")
	require.Error(t, err)
	assert.Contains(t, userMessage(err), "leo@brightlane.io may not return customer answers: only the lead or a lead delegate")
	var out string
	require.Eventually(t, func() bool { // once the review has recorded the answer
		out, _, err = cli("customer-review", "return", spec.ID, rid, "Q1", "--reason", why, "--as", lead)
		return err == nil
	}, time.Minute, 300*time.Millisecond, "the lead returns the answer: %v", err)
	assert.Contains(t, out, "The answer to Q1 by "+owner+" is returned to them by "+lead+": "+why)
	assert.Contains(t, out, "is asked again (round 2)")

	list, _, err := cli("customer-review", "list", spec.ID, rid)
	require.NoError(t, err)
	assert.Regexp(t, `Q1\s.*\sreturned\s+We do\.\s.*by `+lead+`: Say how often`, list)
	status, _, err := cli("status", spec.ID)
	require.NoError(t, err)
	assert.Contains(t, status, "1 waiting on owners (1 returned by the lead)")

	second := prompt("customer-review/" + rid + "/Q1/round-2")
	assert.Contains(t, second.Question, why)
	_, _, err = cli("answer", second.ID, "--choice", workflows.ChoiceAnswer, "--note", "Quarterly; the Q3 review is linked.", "--as", owner)
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		_, _, err = cli("customer-review", "approve", spec.ID, rid, "Q1", "--as", lead)
		return err == nil
	}, time.Minute, 300*time.Millisecond, "approve the new answer: %v", err)
	list, _, err = cli("customer-review", "list", spec.ID, rid)
	require.NoError(t, err)
	assert.Regexp(t, `Q1\s.*\sapproved\s+Quarterly; the Q3 review is linked\.`, list)
}
