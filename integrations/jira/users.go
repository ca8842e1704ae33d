package jira

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	gojira "github.com/andygrunwald/go-jira"
)

// ResolveAccount finds the Jira account of an owner's email: the accountId
// on Cloud (GET /rest/api/2/user/search?query=…), the user name on Data
// Center (…?username=…, which matches emails too). Pass the result to
// Assign or Ticket.AssigneeAccountID. Found accounts are cached; an email
// with no account is ErrUserNotFound (permanent), and is not cached, so an
// owner invited later is found on the next attempt.
func (c *Client) ResolveAccount(ctx context.Context, email string) (string, error) {
	key := strings.ToLower(strings.TrimSpace(email))
	if key == "" || !strings.Contains(key, "@") {
		return "", fmt.Errorf("resolve Jira account: %q is not an email: %w", email, ErrInvalidInput)
	}
	if id, ok := c.accounts.Load(key); ok {
		return id.(string), nil
	}
	// go-jira's UserService.Find puts the value into the query string
	// unescaped (an email with '+' would search for a space) and always
	// sends query=, which Data Center does not use; so the request is built
	// here, on go-jira's NewRequest/Do.
	q := url.Values{"maxResults": {"10"}}
	if c.cloud {
		q.Set("query", key)
	} else {
		q.Set("username", key)
	}
	var users []gojira.User
	if err := c.do(ctx, "GET", "rest/api/2/user/search?"+q.Encode(), nil, &users); err != nil {
		return "", fmt.Errorf("resolve Jira account of %s: %w", key, err)
	}
	id, err := c.pickUser(users, key)
	if err != nil {
		return "", fmt.Errorf("resolve Jira account of %s: %w", key, err)
	}
	c.accounts.Store(key, id)
	return id, nil
}

// pickUser chooses the active human account for email. Cloud hides
// emailAddress unless the user allows it, so a single active match with no
// visible email is accepted (the search was by that email); several
// without a visible match are ambiguous, and reported as not found rather
// than assigning the ticket to the wrong person.
func (c *Client) pickUser(users []gojira.User, email string) (string, error) {
	var active []gojira.User
	for _, u := range users {
		if !u.Active || (u.AccountType != "" && u.AccountType != "atlassian") {
			continue // deactivated people, apps and customer accounts
		}
		if strings.EqualFold(u.EmailAddress, email) {
			return c.userID(u), nil
		}
		if u.EmailAddress == "" {
			active = append(active, u)
		}
	}
	switch {
	case len(active) == 1 && c.userID(active[0]) != "":
		return c.userID(active[0]), nil
	case len(active) > 1:
		return "", fmt.Errorf("%d accounts match and none shows this email: %w", len(active), ErrUserNotFound)
	}
	return "", ErrUserNotFound
}

func (c *Client) userID(u gojira.User) string {
	if c.cloud {
		return u.AccountID
	}
	return u.Name
}

// ForgetAccount drops a cached lookup, e.g. after Jira refuses an assignee
// as deactivated, so the next attempt asks Jira again.
func (c *Client) ForgetAccount(email string) {
	c.accounts.Delete(strings.ToLower(strings.TrimSpace(email)))
}
