package jira

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	gojira "github.com/andygrunwald/go-jira"
)

// Ticket is a remediation ticket to find or create.
type Ticket struct {
	Project   string // project key, e.g. "SEC"
	IssueType string // default "Task"
	// Label identifies the ticket: unique per engagement and control,
	// derived by the caller (e.g. "steadfast-brightlane-ac-01"). Letters,
	// digits, '-', '_', '.' and ':' only; Jira labels cannot hold spaces.
	Label       string
	Labels      []string // extra labels ("steadfast", the framework, ...)
	Summary     string   // at most 255 characters (Jira's limit)
	Description string   // Jira wiki markup (API v2)
	Priority    string   // Highest, High, Medium, Low, Lowest; empty leaves Jira's default
	// AssigneeAccountID comes from ResolveAccount; empty leaves the ticket
	// unassigned.
	AssigneeAccountID string
	Due               time.Time // only the date (in Due's location) is sent
	// Attempt is the activity attempt (activity.GetInfo(ctx).Attempt).
	// Above 1, an earlier attempt may have created the ticket without
	// hearing back, so FindOrCreate waits out search lag before creating.
	Attempt int
}

// Priorities are Jira's default priority scheme, highest first.
var Priorities = []string{"Highest", "High", "Medium", "Low", "Lowest"}

// Outcome is what FindOrCreate did.
type Outcome struct {
	Key     string // the ticket to store: the oldest carrying the label
	Created bool   // this call created Key
	// Duplicates are other tickets carrying the label, newest last. Ones
	// this call created itself are already closed (Closed); ones found by
	// search were opened by earlier calls and are left for the lead, since
	// somebody may be working in them.
	Duplicates []string
	Closed     []string
}

// FindOrCreate returns the ticket carrying t.Label, creating it only if no
// ticket carries it. See Ensure for how duplicates are prevented.
func (c *Client) FindOrCreate(ctx context.Context, t Ticket) (key string, created bool, err error) {
	o, err := c.Ensure(ctx, t)
	return o.Key, o.Created, err
}

// Ensure is FindOrCreate with the full Outcome.
//
// The label is the ticket's identity; the key is stored by the caller once
// known. The hard case is a create that succeeded in Jira whose response
// was lost: the activity retries, and Jira's search index (the only way to
// find an issue by label) can trail the create by seconds. Three rules keep
// that from opening a second ticket:
//
//  1. Search first (labels = "<Label>", all projects, so a ticket someone
//     moved is still found). If tickets carry the label, the oldest (lowest
//     ID) wins, here and in StatusesByLabel, so every caller converges on
//     the same ticket.
//  2. If nothing is found and t.Attempt > 1, keep searching for the settle
//     window (15s by default) before creating. Only a retry can be
//     following a lost create, so first attempts pay nothing; a retry waits
//     until any earlier create has had time to become searchable.
//  3. After creating, search again asking Jira to reconcile the new issue's
//     ID (reconcileIssues: read-after-write for our own create). If an older
//     ticket with the label is visible, e.g. one created by a concurrent
//     attempt still running after its StartToClose timeout, the new ticket is
//     the duplicate: it is commented on and moved to done, and the older key
//     is returned. A failure of this check is logged, not returned: the
//     ticket exists, and failing would only make the retry do rule 2.
//
// Rules 1 and 3 catch concurrent creators; rule 2 catches the lost
// response. A duplicate can survive only if search lags by more than the
// settle window, and then rule 1 still returns the oldest to every later
// reader and reports the rest in Duplicates.
func (c *Client) Ensure(ctx context.Context, t Ticket) (Outcome, error) {
	if err := t.validate(); err != nil {
		return Outcome{}, fmt.Errorf("open Jira ticket for %s: %w", t.Label, err)
	}
	jql := "labels = " + quoteJQL(t.Label) + " ORDER BY created ASC"

	found, err := c.findByLabel(ctx, jql, t.Label, nil)
	if err != nil {
		return Outcome{}, fmt.Errorf("open Jira ticket for %s: search by label: %w", t.Label, err)
	}
	if len(found) == 0 && t.Attempt > 1 {
		found, err = c.settleSearch(ctx, jql, t.Label)
		if err != nil {
			return Outcome{}, fmt.Errorf("open Jira ticket for %s: search by label on retry: %w", t.Label, err)
		}
	}
	if len(found) > 0 {
		o := Outcome{Key: found[0].Key, Duplicates: keys(found[1:])}
		if len(o.Duplicates) > 0 {
			c.log.Warn("several Jira tickets carry one label; using the oldest",
				"label", t.Label, "key", o.Key, "duplicates", o.Duplicates)
		}
		return o, nil
	}

	is, resp, err := c.api.Issue.CreateWithContext(ctx, &gojira.Issue{Fields: t.fields(c.cloud)})
	if err != nil {
		// A transport error or a broken 2xx may mean the issue exists:
		// the retry's settle window (rule 2) finds it.
		return Outcome{}, fmt.Errorf("open Jira ticket for %s: create: %w", t.Label, apiError(resp, err))
	}
	if is == nil || is.Key == "" {
		return Outcome{}, fmt.Errorf("open Jira ticket for %s: create: Jira returned no issue key", t.Label)
	}
	return c.checkCreated(ctx, jql, t.Label, is.ID, is.Key), nil
}

// settleSearch repeats the label search until something is found or the
// settle window passes.
func (c *Client) settleSearch(ctx context.Context, jql, label string) ([]Status, error) {
	deadline := time.Now().Add(c.settle)
	for time.Now().Before(deadline) {
		tm := time.NewTimer(min(c.settlePoll, time.Until(deadline)))
		select {
		case <-ctx.Done():
			tm.Stop()
			return nil, ctx.Err()
		case <-tm.C:
		}
		found, err := c.findByLabel(ctx, jql, label, nil)
		if err != nil || len(found) > 0 {
			return found, err
		}
	}
	return nil, nil
}

// checkCreated is rule 3 of Ensure.
func (c *Client) checkCreated(ctx context.Context, jql, label, id, key string) Outcome {
	mine := Outcome{Key: key, Created: true}
	var reconcile []int
	if n, err := strconv.Atoi(id); err == nil {
		reconcile = []int{n}
	}
	found, err := c.findByLabel(ctx, jql, label, reconcile)
	if err != nil {
		c.log.Warn("could not check a new Jira ticket for duplicates", "label", label, "key", key, "err", err)
		return mine
	}
	if len(found) == 0 || found[0].Key == key {
		mine.Duplicates = slices.DeleteFunc(keys(found), func(k string) bool { return k == key })
		return mine
	}
	// An older ticket carries the label: ours is the duplicate.
	o := Outcome{Key: found[0].Key, Duplicates: slices.DeleteFunc(keys(found[1:]), func(k string) bool { return k == key })}
	o.Duplicates = append(o.Duplicates, key)
	if err := c.closeDuplicate(ctx, key, o.Key); err != nil {
		c.log.Warn("opened a duplicate Jira ticket and could not close it", "label", label, "key", o.Key, "duplicate", key, "err", err)
	} else {
		o.Closed = []string{key}
		c.log.Info("closed a duplicate Jira ticket", "label", label, "key", o.Key, "duplicate", key)
	}
	return o
}

// closeDuplicate explains and closes a ticket this client opened twice.
// Closing rather than deleting keeps the trail an auditor may ask about and
// needs no delete permission.
func (c *Client) closeDuplicate(ctx context.Context, dup, keep string) error {
	msg := fmt.Sprintf("Duplicate of %s, opened by a retried Steadfast request. Closed automatically; please use %s.", keep, keep)
	if err := c.Comment(ctx, dup, msg); err != nil {
		return err
	}
	return c.TransitionToCategory(ctx, dup, CategoryDone)
}

// findByLabel returns the tickets whose labels include label exactly, oldest
// first. The JQL match is already exact; the check guards against an
// instance that matches labels case-insensitively.
func (c *Client) findByLabel(ctx context.Context, jql, label string, reconcile []int) ([]Status, error) {
	issues, err := c.searchAll(ctx, jql, statusFields, reconcile)
	if err != nil {
		return nil, err
	}
	var out []Status
	for _, is := range issues {
		s := statusOf(is)
		if s.Labels == nil || slices.Contains(s.Labels, label) {
			out = append(out, s)
		}
	}
	sortOldestFirst(out)
	return out, nil
}

func keys(s []Status) []string {
	out := make([]string, len(s))
	for i, st := range s {
		out[i] = st.Key
	}
	return out
}

func (t Ticket) validate() error {
	if err := checkLabel(t.Label); err != nil {
		return err
	}
	for _, l := range t.Labels {
		if err := checkLabel(l); err != nil {
			return err
		}
	}
	switch {
	case !validProject(t.Project):
		return fmt.Errorf("project key %q is not a Jira project key: %w", t.Project, ErrInvalidInput)
	case strings.TrimSpace(t.Summary) == "":
		return fmt.Errorf("empty summary: %w", ErrInvalidInput)
	case utf8.RuneCountInString(t.Summary) > 255:
		return fmt.Errorf("summary is %d characters; Jira allows 255: %w", utf8.RuneCountInString(t.Summary), ErrInvalidInput)
	case strings.ContainsAny(t.Summary, "\r\n"):
		return fmt.Errorf("summary has a line break; Jira summaries are one line: %w", ErrInvalidInput)
	case t.Priority != "" && !slices.Contains(Priorities, t.Priority):
		return fmt.Errorf("priority %q is not one of %s: %w", t.Priority, strings.Join(Priorities, ", "), ErrInvalidInput)
	}
	return nil
}

// checkLabel accepts what Steadfast derives labels from: letters, digits
// and - _ . : (Jira labels cannot hold spaces; these are also safe in JQL).
func checkLabel(l string) error {
	if l == "" || len(l) > 255 {
		return fmt.Errorf("label %q must be 1–255 characters: %w", l, ErrInvalidInput)
	}
	for _, r := range l {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', strings.ContainsRune("-_.:", r):
		default:
			return fmt.Errorf("label %q has %q; use letters, digits and - _ . : only: %w", l, r, ErrInvalidInput)
		}
	}
	return nil
}

// fields builds the create body. The assignee goes in as a raw field:
// go-jira's User type always marshals a "Password" key, which Jira has no
// business receiving.
func (t Ticket) fields(cloud bool) *gojira.IssueFields {
	labels := []string{t.Label}
	for _, l := range t.Labels {
		if !slices.Contains(labels, l) {
			labels = append(labels, l)
		}
	}
	typ := t.IssueType
	if typ == "" {
		typ = "Task"
	}
	f := &gojira.IssueFields{
		Project:     gojira.Project{Key: t.Project},
		Type:        gojira.IssueType{Name: typ},
		Summary:     t.Summary,
		Description: t.Description,
		Labels:      labels,
	}
	if t.Priority != "" {
		f.Priority = &gojira.Priority{Name: t.Priority}
	}
	if !t.Due.IsZero() {
		y, m, d := t.Due.Date()
		f.Duedate = gojira.Date(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
	}
	if t.AssigneeAccountID != "" {
		ref := map[string]string{"name": t.AssigneeAccountID}
		if cloud {
			ref = map[string]string{"accountId": t.AssigneeAccountID}
		}
		f.Unknowns = map[string]any{"assignee": ref}
	}
	return f
}
