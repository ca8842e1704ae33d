package jira_test

import (
	"slices"
	"testing"

	"github.com/steadfast-grc/steadfast/integrations/jira"
)

// Real-shaped deliveries (trimmed from Atlassian's webhook examples and the
// emulator's output) seed the fuzzer.
var webhookSeeds = []string{
	`{"timestamp":1767225600000,"webhookEvent":"jira:issue_updated","issue_event_type_name":"issue_generic","user":{"accountId":"557058:f5","displayName":"Alice"},"issue":{"id":"10001","self":"https://x.atlassian.net/rest/api/2/10001","key":"SEC-1","fields":{"labels":["steadfast-brightlane-ac-01","steadfast"],"status":{"self":"https://x/rest/api/2/status/10001","name":"Done","id":"10001","statusCategory":{"id":3,"key":"done","colorName":"green","name":"Done"}},"summary":"AC-01"}},"changelog":{"id":"10100","items":[{"field":"status","fieldtype":"jira","from":"10000","fromString":"To Do","to":"10001","toString":"Done"}]}}`,
	`{"timestamp":1767225600000,"webhookEvent":"jira:issue_created","issue":{"id":"10002","key":"OPS_2-17","fields":{"labels":[],"status":{"name":"To Do","statusCategory":{"key":"new"}}}}}`,
	`{"webhookEvent":"jira:issue_updated","issue":{"key":"SEC-3","fields":{"status":{"name":"In Review","statusCategory":{"key":"indeterminate"}},"labels":null}}}`,
	`{"webhookEvent":"comment_created","comment":{"id":"1","body":"x"},"issue":{"key":"SEC-1"}}`,
	`{"webhookEvent":"jira:issue_deleted","issue":{"key":"SEC-1","fields":{}}}`,
	`{"webhookEvent":"jira:issue_updated","issue":{"key":"sec 1","fields":{"status":{"statusCategory":{"key":"done"}}}}}`,
	`{"webhookEvent":"jira:issue_updated","issue":{"key":"SEC-1","fields":{"status":{"statusCategory":{"key":"undefined"}}}}}`,
	`{"timestamp":-1,"webhookEvent":"jira:issue_updated","issue":{"key":"A-1","fields":{"status":{"statusCategory":{"key":"done"}}}}}`,
	`{}`, `null`, `[]`, `""`, "",
}

func FuzzParseWebhook(f *testing.F) {
	for _, s := range webhookSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := jira.ParseWebhook(body)
		if err != nil {
			if ev.IssueKey != "" || ev.Event != "" {
				t.Fatalf("error with an event: %v", err)
			}
			return
		}
		if ev.Event != "jira:issue_created" && ev.Event != "jira:issue_updated" {
			t.Fatalf("unexpected event %q", ev.Event)
		}
		if ev.IssueKey == "" {
			t.Fatal("event without an issue key")
		}
		if !slices.Contains([]string{jira.CategoryNew, jira.CategoryIndeterminate, jira.CategoryDone}, ev.Category) {
			t.Fatalf("unknown category %q accepted", ev.Category)
		}
		if slices.Contains(ev.Labels, "") {
			t.Fatal("empty label")
		}
		if ev.WebhookID == "" || len(ev.WebhookID) > 200 {
			t.Fatalf("no usable delivery ID: %q", ev.WebhookID)
		}
		if ev.At.Year() > 9999 || (!ev.At.IsZero() && ev.At.Year() < 1970) {
			t.Fatalf("implausible timestamp %v", ev.At)
		}
		again, err := jira.ParseWebhook(body)
		if err != nil || again.IssueKey != ev.IssueKey || again.Category != ev.Category || again.WebhookID != ev.WebhookID {
			t.Fatal("parsing is not deterministic")
		}
	})
}
