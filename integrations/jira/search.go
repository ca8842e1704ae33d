package jira

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	gojira "github.com/andygrunwald/go-jira"
)

const (
	// pageSize is the maxResults asked of /search/jql. Jira may return fewer
	// per page; nextPageToken says whether more follow.
	pageSize = 100
	// maxPages bounds one search (100 × 100 issues): an engagement has a few
	// hundred tickets at most, so hitting it means the JQL is wrong, and
	// looping on a misbehaving server must not run forever.
	maxPages = 100
	// jqlBatch is how many keys or labels go into one "in (...)" clause,
	// keeping the URL well under proxies' limits.
	jqlBatch = 50
)

// quoteJQL quotes s as a JQL string literal. Labels and keys are validated
// before they get here; quoting is still done properly so that no input can
// change the shape of the query.
func quoteJQL(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func inClause(field string, values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = quoteJQL(v)
	}
	return field + " in (" + strings.Join(q, ", ") + ")"
}

// searchAll runs jql through go-jira's SearchV2JQL (GET /rest/api/2/search/jql),
// following nextPageToken. reconcile lists issue IDs Jira must include even if
// its index has not caught up with them (read-after-write for our own
// creates; the endpoint accepts up to 50).
func (c *Client) searchAll(ctx context.Context, jql string, fields []string, reconcile []int) ([]gojira.Issue, error) {
	opts := &gojira.SearchOptionsV2{MaxResults: pageSize, Fields: fields, ReconcileIssues: reconcile}
	var all []gojira.Issue
	for range maxPages {
		page, resp, err := c.api.Issue.SearchV2JQLWithContext(ctx, jql, opts)
		if err != nil {
			return nil, apiError(resp, err)
		}
		all = append(all, page...)
		if resp == nil || resp.NextPageToken == "" || resp.NextPageToken == opts.NextPageToken {
			return all, nil
		}
		opts.NextPageToken = resp.NextPageToken
	}
	return nil, fmt.Errorf("search %q: more than %d pages of results", jql, maxPages)
}

// Search runs a JQL query and returns the status of every matching issue,
// oldest first. It is the polling fallback's one call for many tickets;
// remember that search trails writes by a few seconds.
func (c *Client) Search(ctx context.Context, jql string) ([]Status, error) {
	if strings.TrimSpace(jql) == "" {
		return nil, fmt.Errorf("search Jira: empty JQL: %w", ErrInvalidInput)
	}
	issues, err := c.searchAll(ctx, jql, statusFields, nil)
	if err != nil {
		return nil, fmt.Errorf("search Jira for %q: %w", jql, err)
	}
	out := make([]Status, len(issues))
	for i, is := range issues {
		out[i] = statusOf(is)
	}
	sortOldestFirst(out)
	return out, nil
}

// StatusesByKey returns the status of each of keys that search can see,
// keyed by issue key, in one search per 50 keys. A key missing from the map
// was deleted, moved out of reach, or (for a ticket seconds old) not yet
// indexed; use Status for a strongly consistent read of one ticket.
func (c *Client) StatusesByKey(ctx context.Context, keys []string) (map[string]Status, error) {
	for _, k := range keys {
		if err := checkKey(k); err != nil {
			return nil, fmt.Errorf("read Jira ticket statuses: %w", err)
		}
	}
	out := make(map[string]Status, len(keys))
	for batch := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(keys))), jqlBatch) {
		st, err := c.Search(ctx, inClause("key", batch)+" ORDER BY key")
		if err != nil {
			return nil, fmt.Errorf("read Jira ticket statuses: %w", err)
		}
		for _, s := range st {
			out[s.Key] = s
		}
	}
	return out, nil
}

// StatusesByLabel returns, for each of labels that search can see, the status
// of the oldest ticket carrying it: the same ticket FindOrCreate returns for
// that label, so the polling fallback and ticket creation agree even if a
// duplicate ever slipped through.
func (c *Client) StatusesByLabel(ctx context.Context, labels []string) (map[string]Status, error) {
	for _, l := range labels {
		if err := checkLabel(l); err != nil {
			return nil, fmt.Errorf("read Jira ticket statuses: %w", err)
		}
	}
	want := map[string]bool{}
	for _, l := range labels {
		want[l] = true
	}
	out := make(map[string]Status, len(labels))
	for batch := range slices.Chunk(slices.Compact(slices.Sorted(slices.Values(labels))), jqlBatch) {
		st, err := c.Search(ctx, inClause("labels", batch))
		if err != nil {
			return nil, fmt.Errorf("read Jira ticket statuses: %w", err)
		}
		for _, s := range st { // oldest first: the first seen per label wins
			for _, l := range s.Labels {
				if _, seen := out[l]; want[l] && !seen {
					out[l] = s
				}
			}
		}
	}
	return out, nil
}

// issueID is Jira's numeric issue ID; IDs grow with creation, so the lowest
// is the oldest. Unparseable IDs sort last.
func issueID(id string) int64 {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		return 1<<63 - 1
	}
	return n
}

func sortOldestFirst(s []Status) {
	slices.SortStableFunc(s, func(a, b Status) int {
		if d := issueID(a.ID) - issueID(b.ID); d != 0 {
			if d < 0 {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
}
