package slack_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/steadfast-grc/steadfast/integrations/slack"
)

// Real-shaped payloads (trimmed from Slack's documentation examples and the
// emulator's output) seed the fuzzer.
var fuzzSeeds = []string{
	`{"type":"block_actions","user":{"id":"U0ALICE","team_id":"T0EMU"},"team":{"id":"T0EMU"},"trigger_id":"1.2.t","container":{"type":"message","message_ts":"1.000001","channel_id":"DU0ALICE"},"channel":{"id":"DU0ALICE"},"actions":[{"type":"button","action_id":"answer:implemented","block_id":"prompt:prompt/eng-1/cc6.1","value":"implemented","action_ts":"1.000002"}]}`,
	`{"type":"block_actions","user":{"id":"U0ALICE"},"trigger_id":"1.2.t","container":{"type":"message","message_ts":"1.1","channel_id":"D1"},"actions":[{"type":"button","action_id":"note:p1","block_id":"prompt:p1","value":"{\"q\":\"Q?\",\"c\":[[\"a\",\"A\"]],\"n\":true}","action_ts":"1.3"}]}`,
	`{"type":"block_actions","user":{"id":"U0LEAD"},"trigger_id":"1.2.t","actions":[{"type":"button","action_id":"reassign:p1","block_id":"prompt:p1","value":"{}","action_ts":"1.3"}]}`,
	`{"type":"view_submission","user":{"id":"U0ALICE"},"team":{"id":"T0EMU"},"view":{"id":"V1","type":"modal","callback_id":"prompt-note","private_metadata":"p1","hash":"h1","state":{"values":{"choice":{"choice":{"type":"static_select","selected_option":{"value":"a","text":{"type":"plain_text","text":"A"}}}},"note":{"note":{"type":"plain_text_input","value":"hi"}},"link":{"link":{"type":"url_text_input","value":"https://x.example/y"}}}}}}`,
	`{"type":"view_submission","user":{"id":"U0LEAD"},"view":{"id":"V2","callback_id":"prompt-reassign","private_metadata":"p1","state":{"values":{"assignee":{"assignee":{"type":"users_select","selected_user":"U0BOB"}}}}}}`,
	`{"type":"view_closed","user":{"id":"U1"},"view":{"id":"V1"}}`,
	`{"type":"block_actions","user":{"id":"U1"},"actions":[{"action_id":"x","block_id":"y","rich_text_value":{"type":"rich_text","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"a"}]}]}}]}`,
	`{"type":"block_actions","user":{"id":"U1"},"message":{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"x"}},{"type":"unknown_kind"}]},"actions":[{"action_id":"answer:a","block_id":"prompt:p"}]}`,
	`{"type":"block_actions","user":{"id":"U1"},"state":{"values":{"b":{"a":{"type":"static_select"}}}},"actions":[{"action_id":"answer:a","block_id":"prompt:p","action_ts":"1"}]}`,
	`{}`, `null`, `[]`, `{"type":"block_actions"}`, "",
}

func FuzzParseInteraction(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		ins, err := slack.ParseInteraction(payload)
		if err != nil {
			if len(ins) != 0 {
				t.Fatalf("error with interactions: %v", err)
			}
			return
		}
		if len(ins) == 0 {
			t.Fatal("no error and no interactions")
		}
		for _, in := range ins {
			switch in.Kind {
			case slack.KindAnswer, slack.KindNoteSubmit, slack.KindReassign:
			case slack.KindNoteOpen, slack.KindReassignOpen:
				if in.Modal == nil || in.TriggerID == "" {
					t.Fatalf("%s without modal or trigger", in.Kind)
				}
				if _, err := in.Modal.View(); err != nil {
					t.Fatalf("modal for %q does not render: %v", in.PromptID, err)
				}
			default:
				t.Fatalf("unknown kind %q", in.Kind)
			}
			if err := slack.ValidatePromptID(in.PromptID); err != nil {
				t.Fatalf("invalid prompt ID accepted: %v", err)
			}
			if in.SlackUserID == "" || !strings.HasPrefix(in.DeliveryID, "slack-") {
				t.Fatalf("missing user or delivery ID: %+v", in)
			}
			if in.Kind == slack.KindAnswer && (in.Choice == "" || !utf8.ValidString(in.Choice)) {
				t.Fatalf("answer without a valid choice: %+v", in)
			}
			if in.Kind == slack.KindReassign && in.ReassignTo == "" {
				t.Fatal("reassign without a target")
			}
		}
		// Parsing is deterministic: the same bytes give the same DeliveryIDs.
		again, _ := slack.ParseInteraction(payload)
		for i := range ins {
			if again[i].DeliveryID != ins[i].DeliveryID {
				t.Fatal("DeliveryID is not stable")
			}
		}
	})
}
