package slackemu

import (
	"encoding/json"
	"fmt"
	"net/url"
	"time"
)

// TeamID is the workspace ID the emulator reports in payloads.
const TeamID = "T0EMU"

// ClickPayload is the block_actions payload Slack would send when userID
// clicks the button with actionID in message m (as returned by Messages,
// Updates or Message). Each call is a new click: a fresh trigger_id and
// action_ts. Post it with FormBody and slack.Sign, or feed it to a Socket
// Mode envelope.
func (e *Emulator) ClickPayload(m Message, userID, actionID string) ([]byte, error) {
	return e.ClickPayloadIn(m, userID, "", actionID)
}

// ClickPayloadIn is ClickPayload for the button with actionID in the block
// blockID (empty: the first such button in any block): a message listing
// several questions, such as an owner's digest of a batch, has the same
// buttons once per question's block.
func (e *Emulator) ClickPayloadIn(m Message, userID, blockID, actionID string) ([]byte, error) {
	var blocks []struct {
		Type     string `json:"type"`
		BlockID  string `json:"block_id"`
		Elements []struct {
			Type     string          `json:"type"`
			ActionID string          `json:"action_id"`
			Value    string          `json:"value"`
			Text     json.RawMessage `json:"text"`
		} `json:"elements"`
	}
	if len(m.Blocks) == 0 {
		return nil, fmt.Errorf("message %s in %s has no blocks", m.TS, m.Channel)
	}
	if err := json.Unmarshal(m.Blocks, &blocks); err != nil {
		return nil, fmt.Errorf("message %s blocks: %w", m.TS, err)
	}
	e.mu.Lock()
	e.seq++
	n := e.seq
	e.mu.Unlock()
	now := time.Now()
	for _, b := range blocks {
		for _, el := range b.Elements {
			if el.ActionID != actionID || (blockID != "" && b.BlockID != blockID) {
				continue
			}
			p := map[string]any{
				"type":       "block_actions",
				"user":       map[string]any{"id": userID, "username": userID, "team_id": TeamID},
				"api_app_id": "A0EMU",
				"token":      "legacy-verification-token",
				"container": map[string]any{
					"type": "message", "message_ts": m.TS, "channel_id": m.Channel, "is_ephemeral": false,
				},
				"trigger_id":   fmt.Sprintf("%d.%d.emutrigger", now.Unix(), n),
				"team":         map[string]any{"id": TeamID, "domain": "emulator"},
				"channel":      map[string]any{"id": m.Channel, "name": "directmessage"},
				"message":      map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "blocks": m.Blocks},
				"response_url": fmt.Sprintf("https://hooks.slack.com/actions/%s/%d/emu", TeamID, n),
				"actions": []map[string]any{{
					"type": el.Type, "action_id": el.ActionID, "block_id": b.BlockID,
					"text": el.Text, "value": el.Value,
					"action_ts": fmt.Sprintf("%d.%06d", now.Unix(), n),
				}},
			}
			return json.Marshal(p)
		}
	}
	if blockID != "" {
		return nil, fmt.Errorf("message %s in %s has no button %q in block %q", m.TS, m.Channel, actionID, blockID)
	}
	return nil, fmt.Errorf("message %s in %s has no button %q", m.TS, m.Channel, actionID)
}

// SubmitPayload is the view_submission payload Slack would send when userID
// submits modal v (from Views) with values keyed by input block ID: the
// option value for a static select, the user ID for a users select, the
// text for text and URL inputs.
func (e *Emulator) SubmitPayload(v View, userID string, values map[string]string) ([]byte, error) {
	var view struct {
		Blocks []struct {
			Type    string `json:"type"`
			BlockID string `json:"block_id"`
			Element struct {
				Type     string `json:"type"`
				ActionID string `json:"action_id"`
				Options  []struct {
					Text  json.RawMessage `json:"text"`
					Value string          `json:"value"`
				} `json:"options"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		return nil, fmt.Errorf("view %s: %w", v.ID, err)
	}
	state := map[string]any{}
	used := 0
	for _, b := range view.Blocks {
		if b.Type != "input" {
			continue
		}
		val, ok := values[b.BlockID]
		el := b.Element
		var action map[string]any
		switch el.Type {
		case "static_select":
			action = map[string]any{"type": el.Type, "selected_option": nil}
			if ok {
				found := false
				for _, o := range el.Options {
					if o.Value == val {
						action["selected_option"] = map[string]any{"text": o.Text, "value": o.Value}
						found = true
					}
				}
				if !found {
					return nil, fmt.Errorf("view %s: %q is not an option of %s", v.ID, val, b.BlockID)
				}
			}
		case "users_select":
			action = map[string]any{"type": el.Type, "selected_user": nil}
			if ok {
				action["selected_user"] = val
			}
		default: // plain_text_input, url_text_input
			action = map[string]any{"type": el.Type, "value": nil}
			if ok {
				action["value"] = val
			}
		}
		if ok {
			used++
		}
		state[b.BlockID] = map[string]any{el.ActionID: action}
	}
	if used != len(values) {
		return nil, fmt.Errorf("view %s: some values name no input block", v.ID)
	}
	e.mu.Lock()
	e.seq++
	n := e.seq
	e.mu.Unlock()
	var blocks any
	_ = json.Unmarshal(v.JSON, &struct {
		Blocks *any `json:"blocks"`
	}{&blocks})
	p := map[string]any{
		"type":       "view_submission",
		"team":       map[string]any{"id": TeamID, "domain": "emulator"},
		"user":       map[string]any{"id": userID, "username": userID, "team_id": TeamID},
		"api_app_id": "A0EMU",
		"token":      "legacy-verification-token",
		"trigger_id": fmt.Sprintf("%d.%d.emutrigger", time.Now().Unix(), n),
		"view": map[string]any{
			"id": v.ID, "team_id": TeamID, "type": "modal", "callback_id": v.CallbackID,
			"private_metadata": v.PrivateMetadata, "hash": "h" + v.ID, "blocks": blocks,
			"state": map[string]any{"values": state},
		},
		"response_urls": []any{},
	}
	return json.Marshal(p)
}

// FormBody wraps a payload the way Slack posts it: form field "payload".
func FormBody(payload []byte) []byte {
	return []byte(url.Values{"payload": {string(payload)}}.Encode())
}
