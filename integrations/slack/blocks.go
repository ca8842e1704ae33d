package slack

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	goslack "github.com/slack-go/slack"
	"github.com/slack-go/slack/slackutilsx"
)

// PromptView is what a message shows about one prompt. The workflow side
// fills it from its prompt record; the builders only render.
type PromptView struct {
	PromptID  string
	Kind      string // e.g. "control-status", "evidence", "scope-signoff"
	Question  string
	Why       string // why it matters for the audit
	Subject   string // the control or scope the question is about, e.g. "CC6.1 Access reviews"
	Due       time.Time
	TimeZone  string // IANA zone of the reader, for the fallback date text
	Choices   []Choice
	NeedsNote bool
	NeedsLink bool
	Answer    *AnswerView // set once answered
	Expired   bool        // set when the ladder ran out without an answer
	// Withdrawn is set when the question was closed unanswered because
	// nobody needs the answer any more (the control left the scope, the
	// gap was accepted): the owner reads that they can stop, not that
	// they missed a deadline.
	Withdrawn bool
}

// Choice is one answer button.
type Choice struct{ Value, Label string }

// AnswerView is a recorded answer as shown in the updated message.
type AnswerView struct {
	Choice  string // the choice value; shown with its label when known
	By      string // a Slack user ID (rendered as a mention) or a name/email
	Channel string // "slack", "cli", ...
	Note    string
	Link    string
	At      time.Time
}

// Slack Block Kit limits the builders respect.
const (
	maxBlocks      = 50   // blocks in a message
	maxSectionText = 3000 // section text
	maxContextText = 3000 // context element text
	maxButtonText  = 75   // button and option label
	maxButtonValue = 2000 // button value
	maxHeaderText  = 150  // header block
	maxChoices     = 23   // 25 elements per actions block, less "note" and "reassign"
	maxNoteLen     = 3000 // plain_text_input max_length
)

// DigestMessage is the one DM an owner has with Steadfast: every prompt
// addressed to them, open ones with buttons, closed ones with what was
// recorded. The workflow side posts it once and then updates the same message
// as prompts open and close, so ten questions are one message, not ten.
func DigestMessage(ownerName string, prompts []PromptView) Message {
	open := countOpen(prompts)
	var intro string
	switch open {
	case 0:
		intro = fmt.Sprintf("Hi %s, nothing is waiting for you. Thank you.", esc(ownerName))
	case 1:
		intro = fmt.Sprintf("Hi %s, one question needs your answer for the audit.", esc(ownerName))
	default:
		intro = fmt.Sprintf("Hi %s, %d questions need your answer for the audit.", esc(ownerName), open)
	}
	head := []goslack.Block{
		goslack.NewHeaderBlock(plain("Questions from Steadfast", maxHeaderText)),
		goslack.NewSectionBlock(mrkdwn(intro, maxSectionText), nil, nil),
	}
	return Message{
		Text:   fmt.Sprintf("Steadfast: %d open question(s) for %s", open, ownerName),
		Blocks: assemble(head, prompts, false),
	}
}

// ReminderMessage is a short new DM (so the owner is notified again) that
// points at the digest, which keeps the buttons. nth counts reminders from 1.
// Only open prompts are listed.
func ReminderMessage(ownerName string, prompts []PromptView, nth int) Message {
	var lines []string
	for _, p := range prompts {
		if isOpen(p) {
			lines = append(lines, fmt.Sprintf("• *%s*: %s (due %s)", esc(p.Subject), esc(truncate(p.Question, 200)), slackDate(p.Due, p.TimeZone)))
		}
	}
	label := "Reminder"
	if nth > 1 {
		label = fmt.Sprintf("Reminder %d", nth)
	}
	text := fmt.Sprintf("%s, %s: %d question(s) from Steadfast are still waiting for your answer.", esc(ownerName), strings.ToLower(label), len(lines))
	body := strings.Join(lines, "\n")
	blocks := []goslack.Block{
		goslack.NewSectionBlock(mrkdwn("*"+label+":* "+text, maxSectionText), nil, nil),
	}
	if body != "" {
		blocks = append(blocks, goslack.NewSectionBlock(mrkdwn(body, maxSectionText), nil, nil))
	}
	blocks = append(blocks, goslack.NewContextBlock("", mrkdwn("Answer with the buttons in the Steadfast message above.", maxContextText)))
	return Message{
		Text:   fmt.Sprintf("%s: %d question(s) from Steadfast are waiting for %s", label, len(lines), ownerName),
		Blocks: blocks,
	}
}

// EscalationMessage is posted to the engagement channel when an owner has not
// answered (or cannot be reached). to is who is being told — a Slack user ID
// is rendered as a mention so they are notified. Each open prompt keeps its
// answer buttons (answering on the owner's behalf; the validator decides who
// may) and gains a Reassign button.
func EscalationMessage(to string, owner string, prompts []PromptView, reason string) Message {
	open := countOpen(prompts)
	intro := fmt.Sprintf("%s: %s has %d unanswered question(s).", who(to), esc(owner), open)
	if reason != "" {
		intro += "\n" + esc(reason)
	}
	head := []goslack.Block{
		goslack.NewHeaderBlock(plain("Steadfast escalation", maxHeaderText)),
		goslack.NewSectionBlock(mrkdwn(intro, maxSectionText), nil, nil),
		goslack.NewContextBlock("", mrkdwn("Answering here records the answer on the owner's behalf, as you. Reassign moves the question to someone else.", maxContextText)),
	}
	return Message{
		Text:   fmt.Sprintf("Steadfast escalation: %s has %d unanswered question(s)", owner, open),
		Blocks: assemble(head, prompts, true),
	}
}

// assemble appends each prompt's blocks after head, within Slack's 50-block
// limit. When everything does not fit, closed prompts are dropped before open
// ones and a closing line says how many are not shown.
func assemble(head []goslack.Block, prompts []PromptView, escalation bool) []goslack.Block {
	rendered := make([][]goslack.Block, len(prompts))
	total := len(head)
	for i, p := range prompts {
		rendered[i] = promptBlocks(p, escalation)
		total += len(rendered[i]) + 1 // + divider
	}
	keep := make([]bool, len(prompts))
	budget := maxBlocks - len(head)
	if total > maxBlocks {
		budget-- // room for the "not shown" line
	}
	// Open prompts first, then closed ones, in the caller's order.
	for pass := 0; pass < 2; pass++ {
		for i, p := range prompts {
			if isOpen(p) != (pass == 0) {
				continue
			}
			if need := len(rendered[i]) + 1; need <= budget {
				keep[i] = true
				budget -= need
			}
		}
	}
	blocks := append([]goslack.Block(nil), head...)
	omitted := 0
	for i := range prompts {
		if !keep[i] {
			omitted++
			continue
		}
		blocks = append(blocks, goslack.NewDividerBlock())
		blocks = append(blocks, rendered[i]...)
	}
	if omitted > 0 {
		blocks = append(blocks, goslack.NewContextBlock("", mrkdwn(
			fmt.Sprintf("%d more prompt(s) do not fit in one Slack message; list them with `starter prompts`.", omitted), maxContextText)))
	}
	return blocks
}

func promptBlocks(p PromptView, escalation bool) []goslack.Block {
	title := fmt.Sprintf("*%s: %s*", esc(kindLabel(p.Kind)), esc(p.Subject))
	body := title + "\n" + esc(p.Question)
	if p.Why != "" && isOpen(p) {
		body += "\n_Why it matters:_ " + esc(p.Why)
	}
	blocks := []goslack.Block{goslack.NewSectionBlock(mrkdwn(body, maxSectionText), nil, nil)}

	switch {
	case p.Answer != nil:
		a := p.Answer
		line := fmt.Sprintf(":white_check_mark: Recorded: *%s* by %s at %s", esc(choiceLabel(p, a.Choice)), who(a.By), slackDate(a.At, p.TimeZone))
		if a.Channel != "" {
			line += " (via " + esc(a.Channel) + ")"
		}
		if a.Note != "" {
			line += "\n>" + strings.ReplaceAll(esc(truncate(a.Note, 1000)), "\n", "\n>")
		}
		if a.Link != "" {
			line += "\nEvidence: " + link(a.Link)
		}
		blocks = append(blocks, goslack.NewContextBlock("", mrkdwn(line, maxContextText)))
	case p.Withdrawn:
		blocks = append(blocks, goslack.NewContextBlock("", mrkdwn(
			":heavy_minus_sign: Withdrawn: this question no longer needs an answer.", maxContextText)))
	case p.Expired:
		blocks = append(blocks, goslack.NewContextBlock("", mrkdwn(
			fmt.Sprintf(":hourglass: Expired: no answer was recorded by %s.", slackDate(p.Due, p.TimeZone)), maxContextText)))
	default:
		blocks = append(blocks, goslack.NewContextBlock("", mrkdwn(
			fmt.Sprintf("Due %s · prompt `%s`", slackDate(p.Due, p.TimeZone), esc(p.PromptID)), maxContextText)))
		if err := p.Validate(); err != nil {
			// Unroutable IDs would produce buttons that cannot be answered;
			// say so instead of rendering broken buttons.
			blocks = append(blocks, goslack.NewContextBlock("", mrkdwn(
				"This question cannot be answered from Slack; use `starter answer` with the prompt ID above.", maxContextText)))
			break
		}
		blocks = append(blocks, goslack.NewActionBlock(BlockPrefix+p.PromptID, promptButtons(p, escalation)...))
	}
	return blocks
}

// promptButtons are a prompt's choice buttons plus "Add note / link" (and
// "Reassign" in escalations). When a note or link is required, the choice
// buttons are left out: a bare click would only be rejected, so the modal is
// the one way to answer.
func promptButtons(p PromptView, escalation bool) []goslack.BlockElement {
	var els []goslack.BlockElement
	needsModal := p.NeedsNote || p.NeedsLink
	if !needsModal {
		for _, c := range p.Choices {
			els = append(els, goslack.NewButtonBlockElement(ActionAnswerPrefix+c.Value, c.Value, plain(labelOf(c), maxButtonText)))
		}
	}
	noteText := "Add note / link"
	switch {
	case p.NeedsLink:
		noteText = "Answer with evidence link…"
	case p.NeedsNote:
		noteText = "Answer with note…"
	}
	note := goslack.NewButtonBlockElement(ActionNotePrefix+p.PromptID, encodeModalSpec(p), plain(noteText, maxButtonText))
	if needsModal {
		note = note.WithStyle(goslack.StylePrimary)
	}
	els = append(els, note)
	if escalation {
		els = append(els, goslack.NewButtonBlockElement(ActionReassignPrefix+p.PromptID, encodeModalSpec(PromptView{Question: p.Question}), plain("Reassign…", maxButtonText)))
	}
	return els
}

// modalSpec travels in the note button's value so the modal can be built
// from the click alone (the trigger expires in ~3s: no time for a lookup).
type modalSpec struct {
	Q string      `json:"q,omitempty"`
	C [][2]string `json:"c,omitempty"` // value, label
	N bool        `json:"n,omitempty"`
	L bool        `json:"l,omitempty"`
}

// encodeModalSpec fits the spec in a button value (2000 chars) by shortening
// the question, then dropping labels, then dropping choices; a modal without
// choices still takes a note and a link.
func encodeModalSpec(p PromptView) string {
	s := modalSpec{Q: truncate(p.Question, 500), N: p.NeedsNote, L: p.NeedsLink}
	for _, c := range p.Choices {
		s.C = append(s.C, [2]string{c.Value, truncate(labelOf(c), maxButtonText)})
	}
	for step := 0; ; step++ {
		b, _ := json.Marshal(s) // strings and bools only: cannot fail
		if len(b) <= maxButtonValue || step > 3 {
			return string(b)
		}
		switch step {
		case 0:
			s.Q = truncate(s.Q, 100)
		case 1:
			s.Q = ""
		case 2:
			for i := range s.C {
				s.C[i][1] = ""
			}
		default:
			s.C = nil
		}
	}
}

func decodeModalSpec(purpose, promptID, value string) (*Modal, error) {
	var s modalSpec
	if value != "" {
		if err := json.Unmarshal([]byte(value), &s); err != nil {
			return nil, fmt.Errorf("button value for prompt %s is not a Steadfast modal spec: %w", promptID, err)
		}
	}
	m := &Modal{Purpose: purpose, PromptID: promptID, Question: s.Q, NeedsNote: s.N, NeedsLink: s.L}
	for _, c := range s.C {
		if err := ValidateChoiceValue(c[0]); err != nil {
			return nil, fmt.Errorf("button value for prompt %s: %w", promptID, err)
		}
		m.Choices = append(m.Choices, Choice{Value: c[0], Label: c[1]})
	}
	return m, nil
}

// Modal is a modal Steadfast opens from a button: the note/link form
// (Purpose CallbackNote) or the reassign picker (Purpose CallbackReassign).
type Modal struct {
	Purpose   string // CallbackNote or CallbackReassign
	PromptID  string
	Question  string
	Choices   []Choice
	NeedsNote bool
	NeedsLink bool
}

// View renders the modal. The submission comes back as a view_submission
// with callback_id = Purpose and private_metadata = PromptID.
func (m Modal) View() (goslack.ModalViewRequest, error) {
	if err := ValidatePromptID(m.PromptID); err != nil {
		return goslack.ModalViewRequest{}, err
	}
	var blocks []goslack.Block
	if m.Question != "" {
		blocks = append(blocks, goslack.NewSectionBlock(mrkdwn(esc(m.Question), maxSectionText), nil, nil))
	}
	v := goslack.ModalViewRequest{
		Type:            goslack.VTModal,
		PrivateMetadata: m.PromptID,
		CallbackID:      m.Purpose,
		Close:           plain("Cancel", 24),
	}
	switch m.Purpose {
	case CallbackNote:
		v.Title = plain("Add note / link", 24)
		v.Submit = plain("Record answer", 24)
		if len(m.Choices) > 0 {
			var opts []*goslack.OptionBlockObject
			for _, c := range m.Choices {
				opts = append(opts, goslack.NewOptionBlockObject(c.Value, plain(labelOf(c), maxButtonText), nil))
			}
			sel := goslack.NewOptionsSelectBlockElement(goslack.OptTypeStatic, plain("Choose an answer", 150), inputChoice, opts...)
			blocks = append(blocks, goslack.NewInputBlock(inputChoice, plain("Answer", 2000), nil, sel))
		}
		note := goslack.NewPlainTextInputBlockElement(plain("What should the auditor know?", 150), inputNote).
			WithMultiline(true).WithMaxLength(maxNoteLen)
		blocks = append(blocks, goslack.NewInputBlock(inputNote, plain("Note", 2000), nil, note).WithOptional(!m.NeedsNote))
		url := goslack.NewURLTextInputBlockElement(plain("https://…", 150), inputLink)
		blocks = append(blocks, goslack.NewInputBlock(inputLink, plain("Evidence link", 2000),
			plain("A link to the evidence (ticket, document, screenshot), or upload the file below.", 2000), url).WithOptional(true))
		// The file itself, kept in Steadfast's evidence store under its
		// SHA-256; it answers a question that needs evidence as a link does.
		file := goslack.NewFileInputBlockElement(inputFile).WithMaxFiles(1)
		blocks = append(blocks, goslack.NewInputBlock(inputFile, plain("Evidence file", 2000), nil, file).WithOptional(true))
	case CallbackReassign:
		v.Title = plain("Reassign question", 24)
		v.Submit = plain("Reassign", 24)
		sel := goslack.NewOptionsSelectBlockElement(goslack.OptTypeUser, plain("Pick the new owner", 150), inputAssignee)
		blocks = append(blocks, goslack.NewInputBlock(inputAssignee, plain("New owner", 2000),
			plain("They are asked instead, and the reminders start again for them.", 2000), sel))
	default:
		return goslack.ModalViewRequest{}, fmt.Errorf("unknown modal purpose %q: %w", m.Purpose, ErrInvalidInput)
	}
	v.Blocks = goslack.Blocks{BlockSet: blocks}
	return v, nil
}

func countOpen(ps []PromptView) int {
	n := 0
	for _, p := range ps {
		if isOpen(p) {
			n++
		}
	}
	return n
}

func isOpen(p PromptView) bool { return p.Answer == nil && !p.Expired && !p.Withdrawn }

func kindLabel(kind string) string {
	k := strings.TrimSpace(strings.NewReplacer("-", " ", "_", " ").Replace(kind))
	if k == "" {
		return "Question"
	}
	r, n := utf8.DecodeRuneInString(k)
	return strings.ToUpper(string(r)) + k[n:]
}

func labelOf(c Choice) string {
	if c.Label != "" {
		return c.Label
	}
	return c.Value
}

func choiceLabel(p PromptView, value string) string {
	for _, c := range p.Choices {
		if c.Value == value {
			return labelOf(c)
		}
	}
	return value
}

var slackUserID = regexp.MustCompile(`^[UW][A-Z0-9]{2,}$`)

// who renders a person: a Slack user ID as a mention (which notifies them and
// shows their current name), anything else as escaped text.
func who(s string) string {
	if slackUserID.MatchString(s) {
		return "<@" + s + ">"
	}
	if s == "" {
		return "someone"
	}
	return esc(s)
}

// slackDate renders t with Slack's date token, which each reader sees in
// their own Slack time zone; the fallback text uses the prompt's zone.
func slackDate(t time.Time, zone string) string {
	if t.IsZero() {
		return "no due date"
	}
	loc := time.UTC
	if zone != "" {
		if l, err := time.LoadLocation(zone); err == nil {
			loc = l
		}
	}
	fallback := t.In(loc).Format("Mon 2 Jan 2006 15:04 MST")
	return fmt.Sprintf("<!date^%d^{date_short_pretty} {time}|%s>", t.Unix(), fallback)
}

// link renders an http(s) URL as a link; anything else as inert text so a
// note cannot smuggle in a mention or a javascript: URL.
func link(u string) string {
	if strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
		if !strings.ContainsAny(u, "<>| \n") {
			return "<" + u + "|" + esc(truncate(u, 80)) + ">"
		}
	}
	return "`" + strings.ReplaceAll(esc(truncate(u, 200)), "`", "'") + "`"
}

// esc escapes &, < and > so user text cannot form mentions or links.
func esc(s string) string { return slackutilsx.EscapeMessage(s) }

func mrkdwn(s string, limit int) *goslack.TextBlockObject {
	return goslack.NewTextBlockObject(goslack.MarkdownType, truncate(s, limit), false, false)
}

func plain(s string, limit int) *goslack.TextBlockObject {
	return goslack.NewTextBlockObject(goslack.PlainTextType, truncate(s, limit), false, false)
}

// truncate cuts s to at most limit runes, marking the cut with an ellipsis.
func truncate(s string, limit int) string {
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	r := []rune(s)
	return string(r[:limit-1]) + "…"
}
