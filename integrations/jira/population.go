package jira

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	gojira "github.com/andygrunwald/go-jira"
)

// PopulationQuery asks for one per-event control's events in a period: the
// issues JQL matches that were resolved in [From, To).
type PopulationQuery struct {
	// JQL is the consultant's search (from the spec). An ORDER BY in it is
	// dropped; the period's bounds are added to it.
	JQL      string
	From, To time.Time
	// ApprovedStatus, when set, is the status whose first entry in an
	// issue's changelog is its approval: who moved it there, and when.
	ApprovedStatus string
}

// PopulationEvent is one resolved issue: one event of the control.
type PopulationEvent struct {
	Key     string
	Summary string
	Created time.Time
	// Resolved is when the issue was done: the time the event occurred (a
	// change is in the population once it is released).
	Resolved time.Time
	// Assignee, ApprovedBy: the person's email when Jira shows it, else the
	// account ID (Cloud hides emails by default) or user name.
	Assignee   string
	ApprovedBy string
	// Reporter is who raised the issue: the change's author or requester.
	Reporter   string
	ApprovedAt time.Time // zero when no approval was found
	// URL is the issue's browse link, where the auditor finds the record.
	URL string
}

// populationFields are the fields a population search asks for.
var populationFields = []string{"summary", "created", "resolutiondate", "assignee", "reporter", "status"}

// Population runs a population search through SearchV2JQL, following
// nextPageToken, and returns the issues resolved in [q.From, q.To), oldest
// resolution first. Unresolved issues are not events yet. A search that
// returns issues with malformed keys skips them (they cannot be recorded
// or linked); everything else malformed is an error.
//
// Search trails writes by a few seconds, so an issue resolved moments ago
// may appear only in the next import; imports are idempotent, so that costs
// nothing. On Jira Cloud a changelog in search results holds an issue's
// latest 100 changes at most: an approval older than that on a long-lived
// ticket is not seen and the event reads as unapproved, which the readiness
// review then reports rather than hides.
func (c *Client) Population(ctx context.Context, q PopulationQuery) ([]PopulationEvent, error) {
	jql, err := populationJQL(q.JQL, q.From, q.To)
	if err != nil {
		return nil, fmt.Errorf("population search: %w", err)
	}
	opts := &gojira.SearchOptionsV2{MaxResults: pageSize, Fields: populationFields}
	if q.ApprovedStatus != "" {
		opts.Expand = "changelog"
	}
	base := c.api.GetBaseURL()
	browse := strings.TrimSuffix(base.String(), "/") + "/browse/"
	var out []PopulationEvent
	for range maxPages {
		page, resp, err := c.api.Issue.SearchV2JQLWithContext(ctx, jql, opts)
		if err != nil {
			return nil, fmt.Errorf("population search %q: %w", jql, apiError(resp, err))
		}
		for _, is := range page {
			ev, ok := populationEvent(is, browse, q.ApprovedStatus)
			if !ok {
				if is.Key != "" && !validKey(is.Key) {
					c.log.Warn("jira population: skipped an issue with a malformed key", "key", is.Key)
				}
				continue
			}
			// JQL dates are read in the Jira user's zone, so the search
			// was widened by a day each side; the exact bounds apply here.
			if ev.Resolved.Before(q.From) || !ev.Resolved.Before(q.To) {
				continue
			}
			out = append(out, ev)
		}
		if resp == nil || resp.NextPageToken == "" || resp.NextPageToken == opts.NextPageToken {
			slices.SortStableFunc(out, func(a, b PopulationEvent) int {
				if d := a.Resolved.Compare(b.Resolved); d != 0 {
					return d
				}
				return strings.Compare(a.Key, b.Key)
			})
			return out, nil
		}
		opts.NextPageToken = resp.NextPageToken
	}
	return nil, fmt.Errorf("population search %q: more than %d pages of results", jql, maxPages)
}

// populationJQL wraps the consultant's JQL and bounds it by resolution
// date: (JQL) AND resolved >= "from-1d" AND resolved < "to+1d". JQL has no
// time zone in its dates (Jira reads them in the searching user's zone, up
// to 14 hours from UTC), so the bounds are a day wider than asked and the
// caller applies the exact instants. The JQL's own ORDER BY is dropped: it
// cannot sit inside parentheses. Unbalanced parentheses are refused, since
// they would let the wrapped query escape its bounds.
func populationJQL(jql string, from, to time.Time) (string, error) {
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return "", fmt.Errorf("period %s to %s is empty: %w", from.Format(time.RFC3339), to.Format(time.RFC3339), ErrInvalidInput)
	}
	base, err := stripOrderBy(jql)
	if err != nil {
		return "", err
	}
	if base == "" {
		return "", fmt.Errorf("JQL %q selects nothing to bound: give a query such as `project = CHG`: %w", jql, ErrInvalidInput)
	}
	const day = "2006-01-02"
	return fmt.Sprintf(`(%s) AND resolved >= "%s" AND resolved < "%s" ORDER BY resolved ASC`,
		base, from.UTC().AddDate(0, 0, -1).Format(day), to.UTC().AddDate(0, 0, 1).Format(day)), nil
}

// stripOrderBy returns jql without its trailing ORDER BY clause, trimmed,
// checking that quotes close and parentheses balance outside quotes.
func stripOrderBy(jql string) (string, error) {
	// Trim first, with Go's notion of space, so that what is left after the
	// cut is never a clause the scan below did not see the end of (a
	// trailing "\v" once hid an ORDER BY, found by FuzzPopulationJQL).
	jql = strings.TrimSpace(jql)
	depth, cut := 0, len(jql)
	var quote byte
	for i := 0; i < len(jql); i++ {
		c := jql[i]
		switch {
		case quote != 0:
			if c == '\\' {
				i++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '(':
			depth++
		case c == ')':
			depth--
			if depth < 0 {
				return "", fmt.Errorf("JQL %q closes a parenthesis it never opened: %w", jql, ErrInvalidInput)
			}
		case depth == 0 && orderByAt(jql, i):
			cut = i
			i = len(jql)
		}
	}
	switch {
	case quote != 0:
		return "", fmt.Errorf("JQL %q has an unclosed quote: %w", jql, ErrInvalidInput)
	case depth != 0:
		return "", fmt.Errorf("JQL %q leaves a parenthesis open: %w", jql, ErrInvalidInput)
	}
	return strings.TrimSpace(jql[:cut]), nil
}

// orderByAt reports whether the words ORDER BY (any case, any whitespace
// between) start at i as whole words.
func orderByAt(s string, i int) bool {
	if i > 0 && !isJQLSpace(s[i-1]) && s[i-1] != ')' {
		return false
	}
	if len(s) < i+5 || !strings.EqualFold(s[i:i+5], "order") {
		return false
	}
	j := i + 5
	if j >= len(s) || !isJQLSpace(s[j]) {
		return false
	}
	for j < len(s) && isJQLSpace(s[j]) {
		j++
	}
	return len(s) >= j+2 && strings.EqualFold(s[j:j+2], "by") && (len(s) == j+2 || isJQLSpace(s[j+2]))
}

func isJQLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// populationEvent maps one search result; ok is false for an issue that is
// not an event (unresolved) or cannot be recorded (malformed key).
func populationEvent(is gojira.Issue, browse, approvedStatus string) (PopulationEvent, bool) {
	f := is.Fields
	if !validKey(is.Key) || f == nil || time.Time(f.Resolutiondate).IsZero() {
		return PopulationEvent{}, false
	}
	ev := PopulationEvent{Key: is.Key, Summary: strings.TrimSpace(f.Summary), Created: time.Time(f.Created),
		Resolved: time.Time(f.Resolutiondate), URL: browse + is.Key}
	if f.Assignee != nil {
		ev.Assignee = person(*f.Assignee)
	}
	if f.Reporter != nil {
		ev.Reporter = person(*f.Reporter)
	}
	if approvedStatus != "" && is.Changelog != nil {
		ev.ApprovedBy, ev.ApprovedAt = approval(is.Changelog.Histories, approvedStatus)
	}
	return ev, true
}

// approval finds the earliest change into the approved status. A change
// with no readable time or author is not an approval an auditor can test.
func approval(hs []gojira.ChangelogHistory, status string) (string, time.Time) {
	var by string
	var at time.Time
	for _, h := range hs {
		when, ok := parseJiraTime(h.Created)
		who := person(h.Author)
		if !ok || who == "" || (!at.IsZero() && !when.Before(at)) {
			continue
		}
		for _, it := range h.Items {
			if strings.EqualFold(it.Field, "status") && strings.EqualFold(strings.TrimSpace(it.ToString), status) {
				by, at = who, when
				break
			}
		}
	}
	return by, at
}

// person names a Jira user the way an auditor can follow up: the email
// when visible, else the account ID (Cloud), user name (Data Center) or
// display name.
func person(u gojira.User) string {
	for _, s := range []string{u.EmailAddress, u.AccountID, u.Name, u.DisplayName} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// parseJiraTime reads a changelog timestamp: Jira's own form
// (2027-03-10T15:04:05.000+0000), or RFC 3339 from proxies that rewrite it.
func parseJiraTime(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04:05.999-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil && !t.IsZero() {
			return t, true
		}
	}
	return time.Time{}, false
}
