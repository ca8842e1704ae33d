package jira

import (
	"context"
	"fmt"
	"slices"
	"strings"

	gojira "github.com/andygrunwald/go-jira"
)

// preferredStatuses breaks ties when several transitions lead into the
// wanted category. Many workflows have two "done" statuses ("Done" and
// "Won't Do"): closing a remediation ticket must not mark it declined.
var preferredStatuses = map[string][]string{
	CategoryNew:           {"to do", "open", "reopened", "backlog"},
	CategoryIndeterminate: {"in progress"},
	CategoryDone:          {"done", "resolved", "closed", "complete", "completed"},
}

// TransitionToCategory moves key into a status of category ("new",
// "indeterminate" or "done"), whatever the client's workflow calls its
// statuses. It reads the transitions available now (with
// expand=transitions.fields) and takes one whose target status is in the
// category; transition IDs differ per workflow and are never hard-coded.
// If the ticket is already in the category it does nothing, so a retry is
// safe. If no transition leads there it returns ErrNoTransition (permanent),
// naming the transitions that exist.
func (c *Client) TransitionToCategory(ctx context.Context, key, category string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("move Jira ticket: %w", err)
	}
	if _, ok := preferredStatuses[category]; !ok {
		return fmt.Errorf("move Jira ticket %s: status category %q is not new, indeterminate or done: %w", key, category, ErrInvalidInput)
	}
	st, err := c.Status(ctx, key)
	if err != nil {
		return fmt.Errorf("move Jira ticket %s to %s: %w", key, category, err)
	}
	if st.Category == category {
		return nil
	}
	ts, resp, err := c.api.Issue.GetTransitionsWithContext(ctx, key)
	if err != nil {
		return fmt.Errorf("move Jira ticket %s to %s: list transitions: %w", key, category, apiError(resp, err))
	}
	tr, ok := pickTransition(ts, category)
	if !ok {
		return fmt.Errorf("move Jira ticket %s from %q to %s: available transitions: %s: %w",
			key, st.Name, category, describe(ts), ErrNoTransition)
	}
	resp, err = c.api.Issue.DoTransitionWithContext(ctx, key, tr.ID)
	if err != nil {
		return fmt.Errorf("move Jira ticket %s to %s by transition %q (%s): %w", key, category, tr.Name, tr.ID, apiError(resp, err))
	}
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return nil
}

// pickTransition ranks the transitions into category: those with no
// required fields (which a bot cannot fill in) first, then those whose
// target status has a conventional name for the category, then Jira's order.
func pickTransition(ts []gojira.Transition, category string) (gojira.Transition, bool) {
	var cands []gojira.Transition
	for _, t := range ts {
		if t.To.StatusCategory.Key == category {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		return gojira.Transition{}, false
	}
	rank := func(t gojira.Transition) int {
		r := 0
		for _, f := range t.Fields {
			if f.Required {
				r += 100
				break
			}
		}
		i := slices.Index(preferredStatuses[category], strings.ToLower(t.To.Name))
		if i < 0 {
			i = 50
		}
		return r + i
	}
	slices.SortStableFunc(cands, func(a, b gojira.Transition) int { return rank(a) - rank(b) })
	return cands[0], true
}

func describe(ts []gojira.Transition) string {
	if len(ts) == 0 {
		return "none"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%q (id %s) → %q [%s]", t.Name, t.ID, t.To.Name, t.To.StatusCategory.Key)
	}
	return strings.Join(parts, ", ")
}
