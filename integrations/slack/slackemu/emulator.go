// Package slackemu is an HTTP emulator of the Slack Web API methods
// Steadfast calls, for tests in any package. It is slack-go's slacktest
// server with the endpoints slacktest lacks (conversations.open,
// chat.update, views.open), real behaviour where slacktest has a stub
// (users.lookupByEmail with a directory, chat.postMessage with unique ts and
// Block Kit checks), and injectable failures: HTTP 429 with Retry-After and
// Slack error codes.
//
// Point the real client at it:
//
//	emu := slackemu.New()
//	defer emu.Close()
//	emu.AddUser("alice@client.example", "U0ALICE")
//	c := slack.New(slack.Config{BotToken: "xoxb-test", APIURL: emu.URL()})
//
// Every call is recorded (token removed) for assertions such as "posted once,
// updated once". All methods are safe for concurrent use.
package slackemu

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack/slacktest"
)

// Call is one request the emulator received.
type Call struct {
	Method string
	Form   url.Values      // form-encoded calls, without the token
	JSON   json.RawMessage // JSON calls (views.open)
	Status int             // HTTP status returned
	Error  string          // Slack error code returned, "" on success
	At     time.Time
}

// Message is a message as posted, updated or shown ephemerally.
type Message struct {
	Channel string
	TS      string
	User    string // chat.postEphemeral: the recipient
	Text    string
	Blocks  json.RawMessage // the Block Kit array as sent
	At      time.Time
}

// View is a modal opened with views.open.
type View struct {
	ID              string
	TriggerID       string
	CallbackID      string
	PrivateMetadata string
	JSON            json.RawMessage // the view object as sent
	At              time.Time
}

type failure struct {
	n          int
	retryAfter time.Duration // 429 when set
	code       string        // ok:false code otherwise
}

// Emulator is a running Slack Web API emulator.
type Emulator struct {
	srv *slacktest.Server

	mu        sync.Mutex
	token     string            // "" accepts any non-empty token
	users     map[string]string // email → user ID
	emails    map[string]string // user ID → email
	channels  map[string]bool   // channel ID → bot is a member (false: visible only)
	messages  map[string]*Message
	posted    []Message
	updates   []Message
	ephemeral []Message
	views     []View
	calls     []Call
	failures  map[string][]*failure
	seq       int
	epoch     int64
	files     map[string]emuFile
}

// New starts an emulator. Close it when done.
func New() *Emulator {
	e := &Emulator{
		users:    map[string]string{},
		emails:   map[string]string{},
		channels: map[string]bool{},
		messages: map[string]*Message{},
		failures: map[string][]*failure{},
		epoch:    time.Now().Unix(),
	}
	// slacktest registers its stubs after the binders, and the first
	// registration of a path wins, so these replace its versions.
	e.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/users.lookupByEmail", e.method("users.lookupByEmail", e.lookupByEmail))
		c.Handle("/users.info", e.method("users.info", e.usersInfo))
		c.Handle("/conversations.info", e.method("conversations.info", e.conversationsInfo))
		c.Handle("/conversations.open", e.method("conversations.open", e.conversationsOpen))
		c.Handle("/chat.postMessage", e.method("chat.postMessage", e.postMessage))
		c.Handle("/chat.update", e.method("chat.update", e.update))
		c.Handle("/chat.postEphemeral", e.method("chat.postEphemeral", e.postEphemeral))
		c.Handle("/views.open", e.method("views.open", e.viewsOpen))
		c.Handle("/files.info", e.method("files.info", e.filesInfo))
		c.Handle("/files-pri/", e.download)
	})
	e.srv.Start()
	return e
}

// Close stops the server.
func (e *Emulator) Close() { e.srv.Stop() }

// URL is the API base URL for slack.Config.APIURL / goslack.OptionAPIURL
// (with the trailing slash slack-go expects).
func (e *Emulator) URL() string { return e.srv.GetAPIURL() }

// Server exposes the underlying slacktest server (e.g. for its websocket URL).
func (e *Emulator) Server() *slacktest.Server { return e.srv }

// RequireToken makes every call with a different token fail with
// invalid_auth (and without one, not_authed). By default any non-empty
// token is accepted.
func (e *Emulator) RequireToken(token string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.token = token
}

// AddUser puts a person in the workspace directory. Emails not added are
// users_not_found, as in a real workspace.
func (e *Emulator) AddUser(email, userID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.users[strings.ToLower(email)] = userID
	e.emails[userID] = email
}

// AddChannel lets the bot post in a channel (as if it had been invited).
// Posting anywhere else is channel_not_found. DM channels are added by
// conversations.open.
func (e *Emulator) AddChannel(channelID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.channels[channelID] = true
}

// DMChannel is the DM channel ID conversations.open returns for a user.
func DMChannel(userID string) string { return "D" + userID }

// RateLimitNext makes the next n calls to method (e.g. "chat.postMessage")
// answer HTTP 429 with Retry-After in whole seconds, rounded up.
func (e *Emulator) RateLimitNext(method string, n int, retryAfter time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures[method] = append(e.failures[method], &failure{n: n, retryAfter: max(retryAfter, time.Nanosecond)})
}

// FailNext makes the next n calls to method answer ok:false with code
// (e.g. "internal_error", "not_in_channel").
func (e *Emulator) FailNext(method string, n int, code string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures[method] = append(e.failures[method], &failure{n: n, code: code})
}

// Calls returns the recorded calls to method, or all calls when method is "".
func (e *Emulator) Calls(method string) []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []Call
	for _, c := range e.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// CallCount is len(Calls(method)).
func (e *Emulator) CallCount(method string) int { return len(e.Calls(method)) }

// Messages returns the messages successfully posted, in order, as posted.
func (e *Emulator) Messages() []Message { return e.snapshot(&e.posted) }

// Updates returns the successful chat.update calls, in order.
func (e *Emulator) Updates() []Message { return e.snapshot(&e.updates) }

// Ephemerals returns the ephemeral messages shown, in order.
func (e *Emulator) Ephemerals() []Message { return e.snapshot(&e.ephemeral) }

// Views returns the modals opened, in order.
func (e *Emulator) Views() []View {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.views)
}

// Message returns the current state of a message (after updates).
func (e *Emulator) Message(channel, ts string) (Message, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	m, ok := e.messages[channel+"/"+ts]
	if !ok {
		return Message{}, false
	}
	return *m, true
}

func (e *Emulator) snapshot(s *[]Message) []Message {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(*s)
}

// request is what a handler sees; reply is what it answers.
type request struct {
	form  url.Values
	json  json.RawMessage
	token string
}

type reply map[string]any

// method wraps a handler with body decoding, auth, injected failures and
// recording. Handlers run under e.mu, so state changes are atomic per call.
func (e *Emulator) method(name string, h func(request) (reply, string)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, "read body", http.StatusBadRequest)
			return
		}
		req := request{token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")}
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			req.json = body
		} else {
			if req.form, err = url.ParseQuery(string(body)); err != nil {
				http.Error(w, "bad form", http.StatusBadRequest)
				return
			}
			if t := req.form.Get("token"); t != "" {
				req.token = t
			}
			req.form.Del("token") // never keep a credential in the record
		}

		e.mu.Lock()
		defer e.mu.Unlock()
		call := Call{Method: name, Form: req.form, JSON: req.json, Status: http.StatusOK, At: time.Now()}
		defer func() { e.calls = append(e.calls, call) }()

		if f := e.nextFailure(name); f != nil {
			if f.retryAfter > 0 {
				call.Status, call.Error = http.StatusTooManyRequests, "ratelimited"
				secs := int64(math.Ceil(f.retryAfter.Seconds()))
				w.Header().Set("Retry-After", strconv.FormatInt(secs, 10))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusTooManyRequests)
				_, _ = io.WriteString(w, `{"ok":false,"error":"ratelimited"}`)
				return
			}
			call.Error = f.code
			writeJSON(w, reply{"ok": false, "error": f.code})
			return
		}
		var out reply
		var code string
		switch {
		case req.token == "":
			code = "not_authed"
		case e.token != "" && req.token != e.token:
			code = "invalid_auth"
		default:
			out, code = h(req)
		}
		if code != "" {
			call.Error = code
			writeJSON(w, reply{"ok": false, "error": code})
			return
		}
		out["ok"] = true
		writeJSON(w, out)
	}
}

func (e *Emulator) nextFailure(method string) *failure {
	q := e.failures[method]
	for len(q) > 0 && q[0].n <= 0 {
		q = q[1:]
	}
	e.failures[method] = q
	if len(q) == 0 {
		return nil
	}
	q[0].n--
	return q[0]
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (e *Emulator) nextTS() string {
	e.seq++
	return fmt.Sprintf("%d.%06d", e.epoch, e.seq)
}

func (e *Emulator) lookupByEmail(r request) (reply, string) {
	email := strings.ToLower(r.form.Get("email"))
	if email == "" {
		return nil, "invalid_arguments"
	}
	id, ok := e.users[email]
	if !ok {
		return nil, "users_not_found"
	}
	return reply{"user": userJSON(id, e.emails[id])}, ""
}

func (e *Emulator) usersInfo(r request) (reply, string) {
	id := r.form.Get("user")
	email, ok := e.emails[id]
	if !ok {
		return nil, "user_not_found"
	}
	return reply{"user": userJSON(id, email)}, ""
}

func userJSON(id, email string) map[string]any {
	name, _, _ := strings.Cut(email, "@")
	return map[string]any{
		"id": id, "team_id": "T0EMU", "name": name, "real_name": name,
		"profile": map[string]any{"email": email, "real_name": name, "display_name": name},
	}
}

func (e *Emulator) conversationsOpen(r request) (reply, string) {
	users := strings.Split(r.form.Get("users"), ",")
	if len(users) != 1 || users[0] == "" {
		return nil, "invalid_arguments" // Steadfast only opens 1:1 DMs
	}
	if _, ok := e.emails[users[0]]; !ok {
		return nil, "user_not_found"
	}
	ch := DMChannel(users[0])
	already := e.channels[ch]
	e.channels[ch] = true
	return reply{"channel": map[string]any{"id": ch, "is_im": true, "user": users[0]}, "already_open": already}, ""
}

// conversationsInfo knows only channels the bot was added to or DMs it
// opened; as in Slack, a private channel the bot is not in is invisible.
// AddVisibleChannel makes a public channel the bot is not in visible.
func (e *Emulator) conversationsInfo(r request) (reply, string) {
	ch := r.form.Get("channel")
	member, known := e.channels[ch]
	if !known {
		return nil, "channel_not_found"
	}
	return reply{"channel": map[string]any{
		"id": ch, "name": strings.ToLower(ch), "is_member": member, "is_im": strings.HasPrefix(ch, "D"),
	}}, ""
}

// AddVisibleChannel adds a public channel the bot can see but is not a
// member of: conversations.info shows is_member false and posting fails
// with not_in_channel.
func (e *Emulator) AddVisibleChannel(channelID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.channels[channelID] = false
}

func (e *Emulator) postMessage(r request) (reply, string) {
	ch := r.form.Get("channel")
	if code := e.canPost(ch); code != "" {
		return nil, code
	}
	if code := checkMessage(r.form); code != "" {
		return nil, code
	}
	m := Message{Channel: ch, TS: e.nextTS(), Text: r.form.Get("text"), Blocks: blocksOf(r.form), At: time.Now()}
	e.posted = append(e.posted, m)
	stored := m
	e.messages[ch+"/"+m.TS] = &stored
	return reply{"channel": ch, "ts": m.TS, "message": map[string]any{"type": "message", "ts": m.TS, "text": m.Text}}, ""
}

func (e *Emulator) update(r request) (reply, string) {
	ch, ts := r.form.Get("channel"), r.form.Get("ts")
	if code := e.canPost(ch); code != "" {
		return nil, code
	}
	cur, ok := e.messages[ch+"/"+ts]
	if !ok {
		return nil, "message_not_found"
	}
	if code := checkMessage(r.form); code != "" {
		return nil, code
	}
	m := Message{Channel: ch, TS: ts, Text: r.form.Get("text"), Blocks: blocksOf(r.form), At: time.Now()}
	e.updates = append(e.updates, m)
	*cur = m
	return reply{"channel": ch, "ts": ts, "text": m.Text}, ""
}

func (e *Emulator) postEphemeral(r request) (reply, string) {
	ch, user := r.form.Get("channel"), r.form.Get("user")
	if code := e.canPost(ch); code != "" {
		return nil, code
	}
	if _, ok := e.emails[user]; !ok {
		return nil, "user_not_found"
	}
	if code := checkMessage(r.form); code != "" {
		return nil, code
	}
	m := Message{Channel: ch, TS: e.nextTS(), User: user, Text: r.form.Get("text"), Blocks: blocksOf(r.form), At: time.Now()}
	e.ephemeral = append(e.ephemeral, m)
	return reply{"message_ts": m.TS}, ""
}

func (e *Emulator) viewsOpen(r request) (reply, string) {
	var req struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if err := json.Unmarshal(r.json, &req); err != nil || req.TriggerID == "" || len(req.View) == 0 {
		return nil, "invalid_arguments"
	}
	for _, v := range e.views {
		if v.TriggerID == req.TriggerID {
			return nil, "exchanged_trigger_id" // triggers are single-use
		}
	}
	var head struct {
		Type            string            `json:"type"`
		CallbackID      string            `json:"callback_id"`
		PrivateMetadata string            `json:"private_metadata"`
		Blocks          []json.RawMessage `json:"blocks"`
	}
	if err := json.Unmarshal(req.View, &head); err != nil || head.Type != "modal" {
		return nil, "invalid_arguments"
	}
	if code := checkBlocks(req.View, 100); code != "" {
		return nil, code
	}
	e.seq++
	v := View{ID: fmt.Sprintf("V%06d", e.seq), TriggerID: req.TriggerID, CallbackID: head.CallbackID,
		PrivateMetadata: head.PrivateMetadata, JSON: req.View, At: time.Now()}
	e.views = append(e.views, v)
	return reply{"view": map[string]any{
		"id": v.ID, "type": "modal", "callback_id": v.CallbackID, "private_metadata": v.PrivateMetadata,
		"hash": fmt.Sprintf("h%06d", e.seq), "state": map[string]any{"values": map[string]any{}},
	}}, ""
}

func (e *Emulator) canPost(ch string) string {
	member, known := e.channels[ch]
	switch {
	case !known:
		return "channel_not_found"
	case !member:
		return "not_in_channel"
	}
	return ""
}

func blocksOf(f url.Values) json.RawMessage {
	if b := f.Get("blocks"); b != "" {
		return json.RawMessage(b)
	}
	return nil
}

// checkMessage applies the Slack rules a builder bug would break.
func checkMessage(f url.Values) string {
	b := f.Get("blocks")
	if f.Get("text") == "" && (b == "" || b == "[]") {
		return "no_text"
	}
	if len(f.Get("text")) > 40000 {
		return "msg_too_long"
	}
	if b == "" {
		return ""
	}
	return checkBlocks(json.RawMessage(`{"blocks":`+b+`}`), 50)
}

// checkBlocks enforces the block count, and block_id / action_id length and
// uniqueness, answering invalid_blocks like Slack does.
func checkBlocks(container json.RawMessage, maxBlocks int) string {
	var v struct {
		Blocks []struct {
			Type     string `json:"type"`
			BlockID  string `json:"block_id"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
			Element *struct {
				ActionID string `json:"action_id"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(container, &v); err != nil {
		return "invalid_blocks_format"
	}
	if len(v.Blocks) > maxBlocks {
		return "invalid_blocks"
	}
	blockIDs := map[string]bool{}
	for _, b := range v.Blocks {
		if b.Type == "" || len(b.BlockID) > 255 || (b.BlockID != "" && blockIDs[b.BlockID]) {
			return "invalid_blocks"
		}
		blockIDs[b.BlockID] = true
		actionIDs := map[string]bool{}
		for _, el := range b.Elements {
			if len(el.ActionID) > 255 || len(el.Value) > 2000 || (el.ActionID != "" && actionIDs[el.ActionID]) {
				return "invalid_blocks"
			}
			actionIDs[el.ActionID] = true
		}
		if len(b.Elements) > 25 {
			return "invalid_blocks"
		}
		if b.Element != nil && len(b.Element.ActionID) > 255 {
			return "invalid_blocks"
		}
	}
	return ""
}
