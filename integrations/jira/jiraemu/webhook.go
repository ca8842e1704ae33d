package jiraemu

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// WebhookPayload builds the body Jira posts for event ("jira:issue_updated",
// "jira:issue_created") about the issue's current state, shaped like a real
// delivery (trimmed): timestamp, webhookEvent, issue_event_type_name, user,
// issue with fields, and for updates a changelog of the status. The
// changelog's ID is the issue's last status change's: posting again about
// the same change is a redelivery of it, as Jira's retries are.
func (e *Emulator) WebhookPayload(key, event string) ([]byte, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	is, ok := e.issues[key]
	if !ok {
		return nil, fmt.Errorf("jiraemu: no issue %s", key)
	}
	p := map[string]any{
		"timestamp":             e.now().UnixMilli(),
		"webhookEvent":          event,
		"issue_event_type_name": "issue_generic",
		"user": map[string]any{
			"accountId": "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077", "displayName": "Alice Owner", "active": true,
		},
		"issue": e.render(is, ""),
	}
	if event == "jira:issue_updated" {
		p["changelog"] = map[string]any{
			"id": strconv.Itoa(max(is.changelog, 10100)),
			"items": []map[string]string{{
				"field": "status", "fieldtype": "jira", "fieldId": "status",
				"to": is.StatusID, "toString": is.Status,
			}},
		}
	}
	return json.Marshal(p)
}

// WebhookRequest builds a signed POST of body to url as Jira sends it:
// X-Hub-Signature (sha256=HMAC of the body with secret) and
// X-Atlassian-Webhook-Identifier (id; a retried delivery reuses it).
func WebhookRequest(url, secret, id string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Atlassian Webhook HTTP Client")
	req.Header.Set("X-Hub-Signature", Signature(secret, body))
	if id != "" {
		req.Header.Set("X-Atlassian-Webhook-Identifier", id)
	}
	return req, nil
}

// Signature computes X-Hub-Signature independently of the jira package,
// so a test that posts with it checks the handler against a second
// implementation.
func Signature(secret string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// PostWebhook posts a signed issue webhook about key to url and returns the
// response status.
func (e *Emulator) PostWebhook(url, secret, id, key, event string) (int, error) {
	body, err := e.WebhookPayload(key, event)
	if err != nil {
		return 0, err
	}
	req, err := WebhookRequest(url, secret, id, body)
	if err != nil {
		return 0, err
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close() // only the status matters
	return resp.StatusCode, nil
}
