package slack

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Routing scheme. A click carries everything needed to route it, so any
// worker replica can handle any click without server-side state:
//
//	block_id   prompt:<PromptID>     the actions block holding a prompt's buttons
//	action_id  answer:<ChoiceValue>  record that choice for the block's prompt
//	action_id  note:<PromptID>       open the note/link modal for the prompt
//	action_id  reassign:<PromptID>   open the reassign modal (escalations only)
//	callback_id prompt-note          modal submission with choice/note/link;
//	                                 private_metadata = PromptID
//	callback_id prompt-reassign      modal submission with the new owner;
//	                                 private_metadata = PromptID
//
// Slack limits block_id and action_id to 255 characters, and a static-select
// option value to 150, so a PromptID may be at most 248 characters and a
// choice value at most 150 (PromptView.Validate checks both).
const (
	BlockPrefix          = "prompt:"
	ActionAnswerPrefix   = "answer:"
	ActionNotePrefix     = "note:"
	ActionReassignPrefix = "reassign:"

	CallbackNote     = "prompt-note"
	CallbackReassign = "prompt-reassign"

	// Modal input block and action IDs (block and action share the name).
	inputChoice   = "choice"
	inputNote     = "note"
	inputLink     = "link"
	inputFile     = "file"
	inputAssignee = "assignee"

	maxIDLen          = 255 // block_id, action_id
	maxOptionValueLen = 150 // option object value
	maxPromptIDLen    = maxIDLen - len(ActionReassignPrefix)
	maxChoiceValueLen = maxOptionValueLen
)

// Interaction kinds.
const (
	KindAnswer       = "answer"        // a choice button: goes to the Answerer
	KindNoteOpen     = "note-open"     // "Add note / link": opens the modal, never reaches the Answerer
	KindNoteSubmit   = "note-submit"   // the modal was submitted: goes to the Answerer
	KindReassignOpen = "reassign-open" // "Reassign": opens the user picker, never reaches the Answerer
	KindReassign     = "reassign"      // the picker was submitted: goes to the Answerer
)

// ValidatePromptID checks that id can be carried in Slack's IDs.
func ValidatePromptID(id string) error {
	switch {
	case id == "":
		return fmt.Errorf("prompt ID is empty: %w", ErrInvalidInput)
	case len(id) > maxPromptIDLen:
		return fmt.Errorf("prompt ID %.40q… is %d bytes; Slack IDs allow %d: %w", id, len(id), maxPromptIDLen, ErrInvalidInput)
	case !utf8.ValidString(id) || strings.ContainsAny(id, "\x00\n\r"):
		return fmt.Errorf("prompt ID %q has invalid characters: %w", id, ErrInvalidInput)
	}
	return nil
}

// ValidateChoiceValue checks that a choice value fits a button action_id and
// a select option.
func ValidateChoiceValue(v string) error {
	switch {
	case v == "":
		return fmt.Errorf("choice value is empty: %w", ErrInvalidInput)
	case len(v) > maxChoiceValueLen:
		return fmt.Errorf("choice value %.40q… is %d bytes; Slack allows %d: %w", v, len(v), maxChoiceValueLen, ErrInvalidInput)
	case !utf8.ValidString(v) || strings.ContainsAny(v, "\x00\n\r"):
		return fmt.Errorf("choice value %q has invalid characters: %w", v, ErrInvalidInput)
	}
	return nil
}

// Validate reports whether p can be rendered with working buttons. Builders
// still render an invalid prompt, but without buttons and with a pointer to
// the CLI, so call this before starting a prompt to fail early instead.
func (p PromptView) Validate() error {
	if err := ValidatePromptID(p.PromptID); err != nil {
		return err
	}
	seen := map[string]bool{}
	for i, c := range p.Choices {
		if err := ValidateChoiceValue(c.Value); err != nil {
			return fmt.Errorf("prompt %s choice %d: %w", p.PromptID, i+1, err)
		}
		if seen[c.Value] {
			return fmt.Errorf("prompt %s: choice %q appears twice: %w", p.PromptID, c.Value, ErrInvalidInput)
		}
		seen[c.Value] = true
	}
	if len(p.Choices) > maxChoices {
		return fmt.Errorf("prompt %s has %d choices; a Slack actions block holds %d buttons: %w", p.PromptID, len(p.Choices), maxChoices, ErrInvalidInput)
	}
	return nil
}
