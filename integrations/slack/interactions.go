package slack

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"time"

	goslack "github.com/slack-go/slack"
)

// Interaction is one routed click or modal submission, transport-neutral:
// HTTP interactivity and Socket Mode produce the same values.
type Interaction struct {
	Kind     string // KindAnswer, KindNoteSubmit, KindReassign (Answerer); KindNoteOpen, KindReassignOpen (modal)
	PromptID string
	Choice   string // choice value (answer, note-submit)
	Note     string // note-submit
	Link     string // note-submit; an http(s) URL
	// FileIDs are the Slack file IDs uploaded in the note modal's file
	// input; the Answerer downloads them with the bot token.
	FileIDs []string
	// ReassignTo is the Slack user ID picked in the reassign modal.
	ReassignTo string

	SlackUserID string // who clicked; the Answerer checks they may answer
	SlackTeamID string
	Channel     string // channel of the clicked message; empty for modal submissions
	MessageTS   string // ts of the clicked message; empty for modal submissions
	TriggerID   string // valid ~3s, single use: only for opening a modal
	ResponseURL string // a capability URL: never log it
	// DeliveryID identifies the click, not the HTTP request: a retried
	// delivery of the same click (or the same click over Socket Mode) has the
	// same DeliveryID, a second click has a new one. Use it as the Temporal
	// UpdateID so a duplicate records one answer.
	DeliveryID string

	// Modal is what to open for KindNoteOpen and KindReassignOpen.
	Modal *Modal
}

// Outcome is the Answerer's verdict. When Accepted is false, Message is shown
// to the clicker (e.g. "This question was already answered by Bob.").
type Outcome struct {
	Accepted bool
	Message  string
}

// Answerer records an answer or a reassignment. Steadfast's implementation
// sends a Temporal Update (UpdateID = in.DeliveryID) and maps validator
// rejections to Outcome{Accepted: false}. Return an error only when the
// answer could not be submitted at all (Temporal unreachable).
type Answerer interface {
	Answer(ctx context.Context, in Interaction) (Outcome, error)
}

// ErrUnsupported marks a well-formed payload that is not for Steadfast (a
// view_closed, an action from another app's block). Transports acknowledge
// it and do nothing.
var ErrUnsupported = errors.New("unsupported Slack interaction")

// maxPayload bounds the JSON we parse; Slack's payloads are a few KB
// (a message with 50 blocks is under 100 KB).
const maxPayload = 1 << 20

// ParseInteraction turns a Slack interaction payload (the JSON in the form
// field "payload", or a Socket Mode envelope's payload) into Interactions.
// It accepts block_actions and view_submission for Steadfast's IDs; anything
// else is ErrUnsupported, and malformed input a descriptive error.
func ParseInteraction(payload []byte) (ins []Interaction, err error) {
	// slack-go's decoders are large; a bug there must not take the worker
	// down with a signed-but-odd payload.
	defer func() {
		if r := recover(); r != nil {
			ins, err = nil, fmt.Errorf("decode Slack interaction payload: decoder panicked: %v", r)
		}
	}()
	if len(payload) == 0 {
		return nil, errors.New("decode Slack interaction payload: empty")
	}
	if len(payload) > maxPayload {
		return nil, fmt.Errorf("decode Slack interaction payload: %d bytes is over the %d-byte limit", len(payload), maxPayload)
	}
	var cb goslack.InteractionCallback
	if err := json.Unmarshal(payload, &cb); err != nil {
		return nil, fmt.Errorf("decode Slack interaction payload: %w", err)
	}
	if cb.User.ID == "" {
		return nil, fmt.Errorf("decode Slack interaction payload (%s): user.id is missing", cb.Type)
	}
	switch cb.Type {
	case goslack.InteractionTypeBlockActions:
		return parseBlockActions(&cb)
	case goslack.InteractionTypeViewSubmission:
		in, err := parseViewSubmission(&cb)
		if err != nil {
			return nil, err
		}
		return []Interaction{in}, nil
	case "":
		return nil, errors.New("decode Slack interaction payload: type is missing")
	default:
		return nil, fmt.Errorf("%w: type %q", ErrUnsupported, cb.Type)
	}
}

func base(cb *goslack.InteractionCallback) Interaction {
	in := Interaction{
		SlackUserID: cb.User.ID,
		SlackTeamID: cb.Team.ID,
		TriggerID:   cb.TriggerID,
		ResponseURL: cb.ResponseURL,
		Channel:     cb.Container.ChannelID,
		MessageTS:   cb.Container.MessageTs,
	}
	if in.SlackTeamID == "" {
		in.SlackTeamID = cb.User.TeamID
	}
	if in.Channel == "" {
		in.Channel = cb.Channel.ID
	}
	if in.MessageTS == "" {
		in.MessageTS = cb.Message.Timestamp
	}
	return in
}

func parseBlockActions(cb *goslack.InteractionCallback) ([]Interaction, error) {
	if len(cb.ActionCallback.BlockActions) == 0 {
		return nil, fmt.Errorf("%w: block_actions without block actions", ErrUnsupported)
	}
	var ins []Interaction
	for i, a := range cb.ActionCallback.BlockActions {
		if a == nil {
			return nil, fmt.Errorf("block_actions action %d is null", i+1)
		}
		promptID, ok := strings.CutPrefix(a.BlockID, BlockPrefix)
		if !ok {
			return nil, fmt.Errorf("%w: block_id %.60q is not a Steadfast prompt block", ErrUnsupported, a.BlockID)
		}
		if err := ValidatePromptID(promptID); err != nil {
			return nil, fmt.Errorf("block_actions block_id: %w", err)
		}
		in := base(cb)
		in.PromptID = promptID
		in.DeliveryID = deliveryID("block_actions", in.SlackTeamID, in.SlackUserID,
			in.Channel, in.MessageTS, cb.Container.ViewID, a.ActionTs, a.BlockID, a.ActionID)
		switch {
		case strings.HasPrefix(a.ActionID, ActionAnswerPrefix):
			in.Kind = KindAnswer
			in.Choice = strings.TrimPrefix(a.ActionID, ActionAnswerPrefix)
			if err := ValidateChoiceValue(in.Choice); err != nil {
				return nil, fmt.Errorf("answer for prompt %s: %w", promptID, err)
			}
		case strings.HasPrefix(a.ActionID, ActionNotePrefix):
			if id := strings.TrimPrefix(a.ActionID, ActionNotePrefix); id != promptID {
				return nil, fmt.Errorf("note button for prompt %.60q sits in the block of prompt %s", id, promptID)
			}
			m, err := decodeModalSpec(CallbackNote, promptID, a.Value)
			if err != nil {
				return nil, err
			}
			in.Kind, in.Modal = KindNoteOpen, m
		case strings.HasPrefix(a.ActionID, ActionReassignPrefix):
			if id := strings.TrimPrefix(a.ActionID, ActionReassignPrefix); id != promptID {
				return nil, fmt.Errorf("reassign button for prompt %.60q sits in the block of prompt %s", id, promptID)
			}
			m, err := decodeModalSpec(CallbackReassign, promptID, a.Value)
			if err != nil {
				return nil, err
			}
			m.Choices, m.NeedsNote, m.NeedsLink = nil, false, false
			in.Kind, in.Modal = KindReassignOpen, m
		default:
			return nil, fmt.Errorf("%w: action_id %.60q in prompt %s", ErrUnsupported, a.ActionID, promptID)
		}
		if (in.Kind == KindNoteOpen || in.Kind == KindReassignOpen) && in.TriggerID == "" {
			return nil, fmt.Errorf("%s for prompt %s: trigger_id is missing, cannot open a modal", in.Kind, promptID)
		}
		ins = append(ins, in)
	}
	return ins, nil
}

func parseViewSubmission(cb *goslack.InteractionCallback) (Interaction, error) {
	v := &cb.View
	if v.CallbackID != CallbackNote && v.CallbackID != CallbackReassign {
		return Interaction{}, fmt.Errorf("%w: view callback_id %.60q", ErrUnsupported, v.CallbackID)
	}
	promptID := v.PrivateMetadata
	if err := ValidatePromptID(promptID); err != nil {
		return Interaction{}, fmt.Errorf("view_submission %s private_metadata: %w", v.CallbackID, err)
	}
	if v.ID == "" {
		return Interaction{}, fmt.Errorf("view_submission %s for prompt %s: view.id is missing", v.CallbackID, promptID)
	}
	in := base(cb)
	in.PromptID = promptID
	// A modal is submitted once; Slack re-sends the same view id and hash
	// when it retries the delivery.
	in.DeliveryID = deliveryID("view_submission", in.SlackTeamID, in.SlackUserID, v.ID, v.Hash)
	value := func(block string) goslack.BlockAction {
		if v.State == nil {
			return goslack.BlockAction{}
		}
		return v.State.Values[block][block]
	}
	switch v.CallbackID {
	case CallbackNote:
		in.Kind = KindNoteSubmit
		in.Choice = value(inputChoice).SelectedOption.Value
		if in.Choice != "" {
			if err := ValidateChoiceValue(in.Choice); err != nil {
				return Interaction{}, fmt.Errorf("note for prompt %s: %w", promptID, err)
			}
		}
		in.Note = strings.TrimSpace(value(inputNote).Value)
		if len(in.Note) > 4*maxNoteLen { // runes vs bytes: Slack caps at 3000 runes
			return Interaction{}, fmt.Errorf("note for prompt %s is %d bytes, over Slack's limit", promptID, len(in.Note))
		}
		in.Link = strings.TrimSpace(value(inputLink).Value)
		if in.Link != "" {
			if err := checkLink(in.Link); err != nil {
				return Interaction{}, fmt.Errorf("link for prompt %s: %w", promptID, err)
			}
		}
		for _, f := range value(inputFile).Files {
			if err := validFileID(f.ID); err != nil {
				return Interaction{}, fmt.Errorf("file for prompt %s: %w", promptID, err)
			}
			in.FileIDs = append(in.FileIDs, f.ID)
		}
		if len(in.FileIDs) > 1 {
			return Interaction{}, fmt.Errorf("file for prompt %s: one file per answer, not %d", promptID, len(in.FileIDs))
		}
		if in.Choice == "" && in.Note == "" && in.Link == "" && len(in.FileIDs) == 0 {
			return Interaction{}, fmt.Errorf("note for prompt %s: the form is empty", promptID)
		}
	case CallbackReassign:
		in.Kind = KindReassign
		in.ReassignTo = value(inputAssignee).SelectedUser
		if in.ReassignTo == "" {
			return Interaction{}, fmt.Errorf("reassign of prompt %s: no user picked", promptID)
		}
	}
	return in, nil
}

// validFileID accepts a Slack file ID (F followed by upper-case letters
// and digits), so nothing else reaches an API call.
func validFileID(id string) error {
	if len(id) < 2 || len(id) > 32 || id[0] != 'F' || strings.Trim(id[1:], "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return fmt.Errorf("%.40q is not a Slack file ID: %w", id, ErrInvalidInput)
	}
	return nil
}

// checkLink accepts absolute http(s) URLs only: the link lands in the
// evidence trail and in messages, where other schemes are a hazard.
func checkLink(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("not a URL: %w", err)
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%.80q is not an http(s) URL", s)
	}
	return nil
}

// deliveryID hashes the fields that identify one click. action_ts is set by
// Slack when the user clicks and is repeated verbatim in retried deliveries.
// The hash keeps the ID short (Temporal update IDs end up in history) and
// the separator byte keeps fields from running into each other.
func deliveryID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return "slack-" + hex.EncodeToString(h.Sum(nil)[:16])
}

// Dispatcher is where both interactivity routes end: it opens modals and
// hands answers to the Answerer, telling the clicker when one is rejected.
type Dispatcher struct {
	answerer Answerer
	client   *Client
	logger   *slog.Logger
	timeout  time.Duration
	inflight sync.WaitGroup

	// Clicks whose recording failed transiently are retried in the
	// background (retry.go); pending holds their DeliveryIDs and stop,
	// closed by Close, abandons them.
	retry   RetryPolicy
	queue   Queue // nil: answers go straight to the Answerer
	mu      sync.Mutex
	pending map[string]struct{}
	stop    chan struct{}
}

// dispatchTimeout bounds an answer's trip to the Answerer after Slack has
// been acknowledged; it covers a Temporal Update round trip with room to spare.
const dispatchTimeout = 30 * time.Second

// NewDispatcher wires an Answerer and a Client. logger may be nil.
func NewDispatcher(a Answerer, c *Client, logger *slog.Logger) *Dispatcher {
	if logger == nil {
		logger = slog.Default()
	}
	return &Dispatcher{answerer: a, client: c, logger: logger, timeout: dispatchTimeout, retry: DefaultRetry}
}

// log tolerates a Dispatcher built without NewDispatcher.
func (d *Dispatcher) log() *slog.Logger {
	if d.logger == nil {
		return slog.Default()
	}
	return d.logger
}

// needsSync reports whether any interaction opens a modal: that must happen
// while the trigger ID is still valid (~3s from the click).
func needsSync(ins []Interaction) bool {
	for _, in := range ins {
		if in.Kind == KindNoteOpen || in.Kind == KindReassignOpen {
			return true
		}
	}
	return false
}

// Go runs Handle in the background with its own timeout, detached from the
// caller's cancellation (the HTTP request ends as soon as Slack is acked).
// Wait blocks until every such run has finished; call it on shutdown.
func (d *Dispatcher) Go(ctx context.Context, ins []Interaction) {
	d.inflight.Add(1)
	go func() {
		defer d.inflight.Done()
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cmp.Or(d.timeout, dispatchTimeout))
		defer cancel()
		_ = d.Handle(ctx, ins) // Handle logs its own failures
	}()
}

// Wait blocks until the interactions started with Go have been handled,
// including clicks still being retried; Close abandons those first.
func (d *Dispatcher) Wait() { d.inflight.Wait() }

// Handle processes interactions in order: modal-opening clicks open the
// modal, the rest go to the Answerer, and a rejection or failure is shown to
// the clicker as an ephemeral message. It returns the failures, joined.
func (d *Dispatcher) Handle(ctx context.Context, ins []Interaction) error {
	var errs []error
	for _, in := range ins {
		log := d.log().With("slack_kind", in.Kind, "prompt_id", in.PromptID,
			"slack_user", in.SlackUserID, "delivery_id", in.DeliveryID)
		switch in.Kind {
		case KindNoteOpen, KindReassignOpen:
			if in.Modal == nil {
				errs = append(errs, fmt.Errorf("%s for prompt %s: no modal", in.Kind, in.PromptID))
				continue
			}
			if err := d.client.OpenModal(ctx, in.TriggerID, *in.Modal); err != nil {
				log.Warn("open modal failed", "err", err)
				errs = append(errs, err)
				d.tell(ctx, log, in, "Steadfast could not open the form in time. Please click the button again.")
			}
		case KindAnswer, KindNoteSubmit, KindReassign:
			if d.queue != nil {
				// The queue records it and tells the clicker if it is
				// refused or delayed; only handing it over can fail here.
				if err := d.queue.Enqueue(ctx, in, false); err != nil {
					if !d.retryLater(log, in, err) {
						log.Error("click not queued", "err", err)
						errs = append(errs, fmt.Errorf("queue %s for prompt %s: %w", in.Kind, in.PromptID, err))
					}
					continue
				}
				log.Info("click queued")
				continue
			}
			out, err := d.answerer.Answer(ctx, in)
			if err != nil {
				// Slack has been acknowledged, so a transient failure
				// must not lose the click: retryLater keeps it.
				if !d.retryLater(log, in, err) {
					log.Error("answer not submitted", "err", err)
					errs = append(errs, fmt.Errorf("submit %s for prompt %s: %w", in.Kind, in.PromptID, err))
				}
				continue
			}
			if !out.Accepted {
				msg := out.Message
				if msg == "" {
					msg = "Steadfast did not record that answer."
				}
				log.Info("answer rejected", "reason", msg)
				d.tell(ctx, log, in, msg)
				continue
			}
			log.Info("answer accepted")
		default:
			errs = append(errs, fmt.Errorf("unknown interaction kind %q for prompt %s", in.Kind, in.PromptID))
		}
	}
	return errors.Join(errs...)
}

// tell shows text to the clicker only (Client.TellClicker).
func (d *Dispatcher) tell(ctx context.Context, log *slog.Logger, in Interaction, text string) {
	if err := d.client.TellClicker(ctx, in, text); err != nil {
		log.Warn("cannot tell the clicker", "err", err)
	}
}
