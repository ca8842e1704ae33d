// Package jira is Steadfast's Jira integration: it opens one remediation
// ticket per gap (find-or-create by a unique label), assigns it to the
// control owner, comments on it, moves it by status category, reads its
// status back (one search for many tickets, for the polling fallback), and
// verifies and parses Jira's issue webhooks.
//
// It wraps go-jira v1.17.0 and works with Jira Cloud (email + API token,
// basic auth) and Jira Data Center (personal access token, bearer auth).
// Search always goes through /rest/api/2/search/jql (go-jira's SearchV2JQL):
// Jira Cloud removed the old /rest/api/2/search.
//
// Retries belong to the caller (a Temporal activity). Every error is
// returned at once for RetryAfter, IsPermanent and Message to classify;
// nothing in this package sleeps on a failed call except the bounded
// settle window of a retried FindOrCreate (see ticket.go).
//
// The package never imports workflows: webhooks reach the engagement through
// the WebhookSink interface.
package jira
