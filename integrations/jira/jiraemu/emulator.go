// Package jiraemu is an HTTP emulator of the Jira REST endpoints Steadfast
// calls, for tests in any package: create, read, comment, assign and
// transition issues, search them with /rest/api/2/search/jql (paginated by
// nextPageToken, with an eventually consistent index), and find users. It
// speaks Jira's shapes (including its error bodies) closely enough for the
// real go-jira client, and injects the failures Steadfast must survive:
// 429 and 503 with Retry-After, 4xx with Jira's error messages, a create
// whose response is lost, and search lag.
//
// Point the real client at it:
//
//	emu := jiraemu.New()
//	defer emu.Close()
//	emu.AddUser("alice@client.example", "5b10ac8d82e05b22cc7d4ef5")
//	c, _ := jira.New(jira.Config{BaseURL: emu.URL(), Email: jiraemu.Email, APIToken: jiraemu.APIToken})
//
// Issues follow a small workflow with realistic, non-obvious IDs: statuses
// To Do (10000, new), In Progress (3, indeterminate), Done (10001, done) and
// Won't Do (10002, done); transitions Start work (21), Stop work (11),
// Decline (41), Resolve (31) and Reopen (51). All methods are safe for
// concurrent use.
package jiraemu

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Default credentials: New accepts basic auth with these (Jira Cloud).
const (
	Email    = "steadfast-bot@client.example"
	APIToken = "emulated-api-token"
	PAT      = "emulated-personal-access-token"
)

// Status is a workflow status.
type Status struct {
	ID, Name, Category string // Category: new, indeterminate, done
}

// Transition is a workflow transition.
type Transition struct {
	ID, Name string
	From     []string // status IDs it is available from
	To       string   // status ID
}

var (
	statuses = []Status{
		{"10000", "To Do", "new"},
		{"3", "In Progress", "indeterminate"},
		{"10001", "Done", "done"},
		{"10002", "Won't Do", "done"},
	}
	// Decline is listed before Resolve on purpose: a client that takes the
	// first transition into "done" marks remediation declined.
	transitions = []Transition{
		{"21", "Start work", []string{"10000"}, "3"},
		{"11", "Stop work", []string{"3"}, "10000"},
		{"41", "Decline", []string{"10000", "3"}, "10002"},
		{"31", "Resolve", []string{"10000", "3"}, "10001"},
		{"51", "Reopen", []string{"10001", "10002"}, "10000"},
	}
	categoryIDs   = map[string]int{"new": 2, "indeterminate": 4, "done": 3}
	categoryNames = map[string]string{"new": "To Do", "indeterminate": "In Progress", "done": "Done"}
	priorities    = []string{"Highest", "High", "Medium", "Low", "Lowest"}
)

func statusByID(id string) Status {
	for _, s := range statuses {
		if s.ID == id {
			return s
		}
	}
	return statuses[0]
}

// Comment is a comment on an issue.
type Comment struct {
	ID, Body string
	Created  time.Time
}

// Change is one entry of an issue's changelog: who moved a field from
// one value to another, and when. Status changes are recorded for every
// transition; Seed may add any.
type Change struct {
	Author   string // the email of who made the change
	At       time.Time
	Field    string // "status"
	From, To string // display values, e.g. "To Do", "Approved"
}

// Issue is an issue as the emulator holds it.
type Issue struct {
	ID, Key, Project, Type     string
	Summary, Description       string
	Priority                   string
	Assignee                   string // accountId (Cloud) or name (Data Center)
	Reporter                   string // who raised it, as Assignee
	Labels                     []string
	Due                        string // yyyy-mm-dd
	StatusID, Status, Category string
	Created, Updated           time.Time
	// Resolved and Resolution are set when the issue enters a done status
	// (the resolution is named after it) and cleared when it leaves.
	Resolved    time.Time
	Resolution  string
	Comments    []Comment
	Transitions []string // transition IDs applied, in order
	History     []Change // oldest first
	changelog   int      // ID of the last status change, which webhooks carry
}

// Call is one request the emulator received.
type Call struct {
	Method, Path, Query string
	Status              int
	At                  time.Time
}

type failure struct {
	method, prefix string // "" matches any
	path           string // exact path; "" matches any
	contains       string // in the request body; "" matches any
	n              int
	untilStopped   bool // n is ignored: fails until StopFailing
	status         int
	retryAfter     time.Duration // set Retry-After when > 0
	body           string
}

// Emulator is a running Jira emulator.
type Emulator struct {
	srv *httptest.Server

	mu          sync.Mutex
	basic       [2]string // email, token; used when bearer is ""
	bearer      string
	issues      map[string]*Issue
	nextID      int
	nextNum     map[string]int
	users       map[string]string // lower email → account ID
	calls       []Call
	failures    []*failure
	dropCreates []int // pending dropped create responses: 0 closes the connection, else that status
	lag         time.Duration
	now         func() time.Time
	changelogs  int // status changes made, for changelog IDs
}

// New starts an emulator that accepts basic auth with Email and APIToken.
// Close it when done.
func New() *Emulator {
	e := &Emulator{
		basic:   [2]string{Email, APIToken},
		issues:  map[string]*Issue{},
		nextID:  10000,
		nextNum: map[string]int{},
		users:   map[string]string{},
		now:     time.Now,
	}
	e.srv = httptest.NewServer(http.HandlerFunc(e.serve))
	return e
}

// Close stops the server.
func (e *Emulator) Close() { e.srv.Close() }

// URL is the base URL for jira.Config.BaseURL.
func (e *Emulator) URL() string { return e.srv.URL }

// RequireBasic switches to Jira Cloud auth: basic with email and API token.
func (e *Emulator) RequireBasic(email, token string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.basic, e.bearer = [2]string{email, token}, ""
}

// RequireBearer switches to Data Center auth: a bearer personal access token.
func (e *Emulator) RequireBearer(pat string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bearer = pat
}

// AddUser puts a person in the user directory. Cloud searches (query=) and
// Data Center searches (username=) match the email exactly,
// case-insensitively; accountID doubles as the Data Center user name.
func (e *Emulator) AddUser(email, accountID string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.users[strings.ToLower(email)] = accountID
}

// RateLimitNext makes the next n requests answer 429 with Retry-After in
// whole seconds (rounded up; none when retryAfter is 0).
func (e *Emulator) RateLimitNext(n int, retryAfter time.Duration) {
	e.addFailure(&failure{n: n, status: http.StatusTooManyRequests, retryAfter: retryAfter,
		body: `{"errorMessages":["Rate limit exceeded."],"errors":{}}`})
}

// UnavailableNext makes the next n requests answer 503 (an HTML page, as a
// proxy in front of Jira sends) with Retry-After when retryAfter > 0.
func (e *Emulator) UnavailableNext(n int, retryAfter time.Duration) {
	e.addFailure(&failure{n: n, status: http.StatusServiceUnavailable, retryAfter: retryAfter,
		body: "<html><body><h1>503 Service Unavailable</h1>Jira is undergoing maintenance.</body></html>"})
}

// FailNext makes the next n requests whose method and path start match
// (either may be "" for any) answer status with a Jira error body: message
// as sent if it is a JSON object, else {"errorMessages":[message]}.
func (e *Emulator) FailNext(method, pathPrefix string, n, status int, message string) {
	body := message
	if !strings.HasPrefix(strings.TrimSpace(message), "{") {
		b, _ := json.Marshal(map[string]any{"errorMessages": []string{message}, "errors": map[string]string{}})
		body = string(b)
	}
	e.addFailure(&failure{method: method, prefix: pathPrefix, n: n, status: status, body: body})
}

// RefuseCreates makes every create of an issue whose request body contains
// match (a control ID, say: it is in the summary) answer 503 (an HTML page)
// with Retry-After when retryAfter > 0, until StopFailing: Jira down for
// that ticket while the rest of Jira answers.
func (e *Emulator) RefuseCreates(match string, retryAfter time.Duration) {
	e.addFailure(&failure{method: http.MethodPost, path: "/rest/api/2/issue", contains: match, untilStopped: true,
		status: http.StatusServiceUnavailable, retryAfter: retryAfter,
		body: "<html><body><h1>503 Service Unavailable</h1>Jira is undergoing maintenance.</body></html>"})
}

// StopFailing drops every failure still to be injected: Jira recovers.
func (e *Emulator) StopFailing() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures = nil
}

func (e *Emulator) addFailure(f *failure) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failures = append(e.failures, f)
}

// DropNextCreateResponse makes the next successful create lose its
// response: the issue IS created, then the connection is closed before any
// response is written, as when a load balancer times out.
func (e *Emulator) DropNextCreateResponse() { e.dropCreate(0) }

// DropNextCreateResponseWithStatus is DropNextCreateResponse where the client
// gets status (e.g. 504 from a gateway) instead of a closed connection.
func (e *Emulator) DropNextCreateResponseWithStatus(status int) { e.dropCreate(status) }

func (e *Emulator) dropCreate(status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.dropCreates = append(e.dropCreates, status)
}

// SetSearchLag hides issues created less than d ago from search (unless
// named in reconcileIssues), like Jira's eventually consistent index.
// GET /rest/api/2/issue/{key} always sees them.
func (e *Emulator) SetSearchLag(d time.Duration) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.lag = d
}

// SetCategory moves an issue to the first status in category, as a person
// in Jira would. It returns false if the issue or category is unknown.
func (e *Emulator) SetCategory(key, category string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	is, ok := e.issues[key]
	if !ok {
		return false
	}
	for _, s := range statuses {
		if s.Category == category {
			e.setStatus(is, s)
			return true
		}
	}
	return false
}

func (e *Emulator) setStatus(is *Issue, s Status) {
	is.StatusID, is.Status, is.Category = s.ID, s.Name, s.Category
	is.Updated = e.now()
	e.changelogs++
	is.changelog = 10100 + e.changelogs
	switch {
	case s.Category == "done" && is.Resolution == "":
		is.Resolved, is.Resolution = is.Updated, s.Name
	case s.Category != "done":
		is.Resolved, is.Resolution = time.Time{}, ""
	}
}

// Seed adds an issue as given, for tests that need history the API cannot
// make: a change created, approved and resolved months ago. Key and ID are
// assigned when empty (Project is then required), the status is looked up
// by name when StatusID is empty (default To Do), Updated defaults to the
// latest of Created, Resolved and the last change, and a done status with
// no Resolved time is resolved at Updated. It returns the stored issue.
func (e *Emulator) Seed(is Issue) Issue {
	e.mu.Lock()
	defer e.mu.Unlock()
	c := clone(&is)
	e.nextID++
	if c.ID == "" {
		c.ID = strconv.Itoa(e.nextID)
	}
	if c.Key == "" {
		e.nextNum[c.Project]++
		c.Key = fmt.Sprintf("%s-%d", c.Project, e.nextNum[c.Project])
	} else if c.Project == "" {
		c.Project, _, _ = strings.Cut(c.Key, "-")
	}
	if c.Type == "" {
		c.Type = "Task"
	}
	if c.Priority == "" {
		c.Priority = "Medium"
	}
	if c.Created.IsZero() {
		c.Created = e.now()
	}
	st := statuses[0]
	for _, x := range statuses {
		if x.ID == c.StatusID || (c.StatusID == "" && strings.EqualFold(x.Name, c.Status)) {
			st = x
		}
	}
	c.StatusID, c.Status, c.Category = st.ID, st.Name, st.Category
	if c.Updated.IsZero() {
		c.Updated = c.Created
		for _, t := range []time.Time{c.Resolved, lastChange(c.History)} {
			if t.After(c.Updated) {
				c.Updated = t
			}
		}
	}
	if st.Category == "done" {
		if c.Resolved.IsZero() {
			c.Resolved = c.Updated
		}
		if c.Resolution == "" {
			c.Resolution = st.Name
		}
	} else {
		c.Resolved, c.Resolution = time.Time{}, ""
	}
	e.issues[c.Key] = &c
	return clone(&c)
}

func lastChange(h []Change) time.Time {
	if len(h) == 0 {
		return time.Time{}
	}
	return h[len(h)-1].At
}

// Issues returns every issue, oldest first.
func (e *Emulator) Issues() []Issue {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Issue, 0, len(e.issues))
	for _, is := range e.issues {
		out = append(out, clone(is))
	}
	slices.SortFunc(out, func(a, b Issue) int { return idNum(a.ID) - idNum(b.ID) })
	return out
}

// Issue returns one issue by key.
func (e *Emulator) Issue(key string) (Issue, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	is, ok := e.issues[key]
	if !ok {
		return Issue{}, false
	}
	return clone(is), true
}

// IssuesWithLabel returns the issues carrying label, oldest first.
func (e *Emulator) IssuesWithLabel(label string) []Issue {
	return slices.DeleteFunc(e.Issues(), func(is Issue) bool { return !slices.Contains(is.Labels, label) })
}

// Calls returns every request received, in order.
func (e *Emulator) Calls() []Call {
	e.mu.Lock()
	defer e.mu.Unlock()
	return slices.Clone(e.calls)
}

// CallCount counts requests with method whose path starts with prefix
// ("" matches any).
func (e *Emulator) CallCount(method, prefix string) int {
	n := 0
	for _, c := range e.Calls() {
		if (method == "" || c.Method == method) && strings.HasPrefix(c.Path, prefix) {
			n++
		}
	}
	return n
}

func clone(is *Issue) Issue {
	c := *is
	c.Labels = slices.Clone(is.Labels)
	c.Comments = slices.Clone(is.Comments)
	c.Transitions = slices.Clone(is.Transitions)
	c.History = slices.Clone(is.History)
	return c
}

func idNum(id string) int { n, _ := strconv.Atoi(id); return n }

// reply is what a handler answers.
type reply struct {
	status int
	body   any // marshalled as JSON unless nil
}

func jiraError(status int, messages []string, fields map[string]string) reply {
	if messages == nil {
		messages = []string{}
	}
	if fields == nil {
		fields = map[string]string{}
	}
	return reply{status, map[string]any{"errorMessages": messages, "errors": fields}}
}

func (e *Emulator) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	e.mu.Lock()
	call := Call{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, At: e.now()}
	rep, drop := e.handle(r, body)
	call.Status = rep.status
	if drop != nil {
		call.Status = *drop
	}
	e.calls = append(e.calls, call)
	e.mu.Unlock()

	if drop != nil && *drop == 0 {
		// The create happened; the client never hears about it.
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close() // dropping the connection is the point
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	if drop != nil {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(*drop)
		fmt.Fprint(w, "<html><body>Gateway Timeout</body></html>")
		return
	}
	if rep.body == nil {
		w.WriteHeader(rep.status)
		return
	}
	if s, ok := rep.body.(rawReply); ok {
		w.Header().Set("Content-Type", s.contentType)
		if s.retryAfter != "" {
			w.Header().Set("Retry-After", s.retryAfter)
		}
		w.WriteHeader(rep.status)
		_, _ = io.WriteString(w, s.body)
		return
	}
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(rep.status)
	_ = json.NewEncoder(w).Encode(rep.body)
}

type rawReply struct{ contentType, body, retryAfter string }

// handle runs under e.mu. drop is non-nil when a create's response must be
// lost (0: close the connection; else the status to send instead).
func (e *Emulator) handle(r *http.Request, body []byte) (reply, *int) {
	if rep, ok := e.injected(r, body); ok {
		return rep, nil
	}
	if !e.authorized(r) {
		return reply{http.StatusUnauthorized, rawReply{"text/plain", "Client must be authenticated to access this resource.", ""}}, nil
	}
	p := r.URL.Path
	const issuePrefix = "/rest/api/2/issue/"
	switch {
	case p == "/rest/api/2/issue" && r.Method == http.MethodPost:
		rep := e.create(body)
		if rep.status == http.StatusCreated && len(e.dropCreates) > 0 {
			d := e.dropCreates[0]
			e.dropCreates = e.dropCreates[1:]
			return rep, &d
		}
		return rep, nil
	case p == "/rest/api/2/search/jql" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		return e.search(r, body), nil
	case p == "/rest/api/2/user/search" && r.Method == http.MethodGet:
		return e.userSearch(r), nil
	case strings.HasPrefix(p, issuePrefix):
		key, sub, _ := strings.Cut(strings.TrimPrefix(p, issuePrefix), "/")
		is, ok := e.issues[key]
		if !ok {
			return jiraError(http.StatusNotFound, []string{"Issue does not exist or you do not have permission to see it."}, nil), nil
		}
		switch {
		case sub == "" && r.Method == http.MethodGet:
			return reply{http.StatusOK, e.render(is, r.URL.Query().Get("fields"))}, nil
		case sub == "comment" && r.Method == http.MethodPost:
			return e.comment(is, body), nil
		case sub == "assignee" && r.Method == http.MethodPut:
			return e.assign(is, body), nil
		case sub == "transitions" && r.Method == http.MethodGet:
			return e.listTransitions(is, r), nil
		case sub == "transitions" && r.Method == http.MethodPost:
			return e.transition(is, body, e.actor(r)), nil
		}
	}
	return jiraError(http.StatusNotFound, []string{"null for uri: " + r.URL.String()}, nil), nil
}

func (e *Emulator) injected(r *http.Request, body []byte) (reply, bool) {
	for i, f := range e.failures {
		if (f.method != "" && f.method != r.Method) || !strings.HasPrefix(r.URL.Path, f.prefix) ||
			(f.path != "" && f.path != r.URL.Path) || !strings.Contains(string(body), f.contains) {
			continue
		}
		if f.n--; !f.untilStopped && f.n <= 0 {
			e.failures = slices.Delete(e.failures, i, i+1)
		}
		ct := "application/json;charset=UTF-8"
		if !strings.HasPrefix(f.body, "{") {
			ct = "text/html"
		}
		ra := ""
		if f.retryAfter > 0 {
			ra = strconv.FormatInt(int64((f.retryAfter+time.Second-1)/time.Second), 10)
		}
		return reply{f.status, rawReply{ct, f.body, ra}}, true
	}
	return reply{}, false
}

func (e *Emulator) authorized(r *http.Request) bool {
	if e.bearer != "" {
		return r.Header.Get("Authorization") == "Bearer "+e.bearer
	}
	u, p, ok := r.BasicAuth()
	return ok && u == e.basic[0] && p == e.basic[1]
}

// createBody is the create request as Jira reads it.
type createBody struct {
	Fields struct {
		Project     struct{ Key, ID string }   `json:"project"`
		IssueType   struct{ Name, ID string }  `json:"issuetype"`
		Summary     string                     `json:"summary"`
		Description string                     `json:"description"`
		Labels      []string                   `json:"labels"`
		Priority    *struct{ Name, ID string } `json:"priority"`
		Assignee    *struct {
			AccountID string `json:"accountId"`
			Name      string `json:"name"`
		} `json:"assignee"`
		Duedate string `json:"duedate"`
	} `json:"fields"`
}

func (e *Emulator) create(body []byte) reply {
	var b createBody
	if err := json.Unmarshal(body, &b); err != nil {
		return jiraError(http.StatusBadRequest, []string{"Unexpected character in request body: " + err.Error()}, nil)
	}
	f := b.Fields
	errs := map[string]string{}
	if f.Project.Key == "" {
		errs["project"] = "Specify a valid project ID or key"
	}
	if f.IssueType.Name == "" {
		errs["issuetype"] = "Specify an issue type"
	} else if !slices.Contains([]string{"Task", "Bug", "Story", "Epic"}, f.IssueType.Name) {
		errs["issuetype"] = "Specify a valid issue type"
	}
	if strings.TrimSpace(f.Summary) == "" {
		errs["summary"] = "You must specify a summary of the issue."
	} else if len([]rune(f.Summary)) > 255 {
		errs["summary"] = "Summary must be less than 255 characters."
	}
	for _, l := range f.Labels {
		if strings.ContainsAny(l, " \t") {
			errs["labels"] = fmt.Sprintf("The label '%s' contains spaces which is invalid.", l)
		}
	}
	if f.Priority != nil && !slices.Contains(priorities, f.Priority.Name) {
		errs["priority"] = "Specify the Priority (name) in the string format"
	}
	assignee := ""
	if f.Assignee != nil {
		assignee = f.Assignee.AccountID + f.Assignee.Name
		if !e.knownAccount(assignee) {
			errs["assignee"] = "Specified user does not exist or you do not have required permissions"
		}
	}
	if f.Duedate != "" {
		if _, err := time.Parse("2006-01-02", f.Duedate); err != nil {
			errs["duedate"] = "Error parsing date string: " + f.Duedate
		}
	}
	if len(errs) > 0 {
		return jiraError(http.StatusBadRequest, nil, errs)
	}
	e.nextID++
	e.nextNum[f.Project.Key]++
	now := e.now()
	is := &Issue{
		ID:          strconv.Itoa(e.nextID),
		Key:         fmt.Sprintf("%s-%d", f.Project.Key, e.nextNum[f.Project.Key]),
		Project:     f.Project.Key,
		Type:        f.IssueType.Name,
		Summary:     f.Summary,
		Description: f.Description,
		Labels:      slices.Clone(f.Labels),
		Assignee:    assignee,
		Due:         f.Duedate,
		Priority:    "Medium",
		Created:     now,
	}
	if f.Priority != nil {
		is.Priority = f.Priority.Name
	}
	e.setStatus(is, statuses[0])
	e.issues[is.Key] = is
	return reply{http.StatusCreated, map[string]string{"id": is.ID, "key": is.Key, "self": e.self(is)}}
}

func (e *Emulator) knownAccount(id string) bool {
	for _, a := range e.users {
		if a == id {
			return true
		}
	}
	return false
}

func (e *Emulator) self(is *Issue) string { return e.srv.URL + "/rest/api/2/issue/" + is.ID }

const jiraTime = "2006-01-02T15:04:05.000-0700"

func renderStatus(s Status) map[string]any {
	return map[string]any{
		"id": s.ID, "name": s.Name, "description": "",
		"statusCategory": map[string]any{
			"id": categoryIDs[s.Category], "key": s.Category, "name": categoryNames[s.Category], "colorName": "blue-gray",
		},
	}
}

// render is the issue bean with the requested fields ("" or "*all": all;
// "id": none).
func (e *Emulator) render(is *Issue, fields string) map[string]any {
	all := map[string]any{
		"summary":     is.Summary,
		"description": is.Description,
		"labels":      slices.Clone(is.Labels),
		"status":      renderStatus(statusByID(is.StatusID)),
		"priority":    map[string]string{"name": is.Priority},
		"issuetype":   map[string]string{"name": is.Type},
		"project":     map[string]string{"key": is.Project},
		"created":     is.Created.Format(jiraTime),
		"updated":     is.Updated.Format(jiraTime),
		"duedate":     nil,
		"assignee":    nil,
	}
	all["resolution"], all["resolutiondate"] = nil, nil
	if !is.Resolved.IsZero() {
		all["resolutiondate"] = is.Resolved.Format(jiraTime)
		all["resolution"] = map[string]string{"name": is.Resolution}
	}
	if is.Due != "" {
		all["duedate"] = is.Due
	}
	if is.Assignee != "" {
		all["assignee"] = e.userBean(is.Assignee)
	}
	if is.Reporter != "" {
		all["reporter"] = e.userBean(is.Reporter)
	}
	cs := make([]map[string]string, len(is.Comments))
	for i, c := range is.Comments {
		cs[i] = map[string]string{"id": c.ID, "body": c.Body, "created": c.Created.Format(jiraTime)}
	}
	all["comment"] = map[string]any{"comments": cs, "total": len(cs), "maxResults": len(cs), "startAt": 0}

	out := map[string]any{"id": is.ID, "key": is.Key, "self": e.self(is)}
	f := map[string]any{}
	switch fields {
	case "id":
		return map[string]any{"id": is.ID}
	case "", "*all", "*navigable":
		f = all
	default:
		for _, name := range strings.Split(fields, ",") {
			if v, ok := all[strings.TrimSpace(name)]; ok {
				f[strings.TrimSpace(name)] = v
			}
		}
	}
	out["fields"] = f
	return out
}

// userBean renders a user as Jira does. who is an account ID (as issues
// hold assignees) or an email (as changes hold authors); the email is shown
// when the directory knows it, as on a site whose users made it visible.
func (e *Emulator) userBean(who string) map[string]any {
	id, email := who, ""
	for m, a := range e.users {
		if a == who || m == strings.ToLower(who) {
			id, email = a, m
		}
	}
	u := map[string]any{"accountId": id, "name": id, "displayName": id, "active": true}
	if email != "" {
		u["emailAddress"], u["displayName"] = email, email
	}
	return u
}

// changelog renders an issue's history as search's expand=changelog does.
func (e *Emulator) changelog(is *Issue) map[string]any {
	hs := make([]map[string]any, len(is.History))
	for i, c := range is.History {
		hs[i] = map[string]any{
			"id": strconv.Itoa(100 + i), "author": e.userBean(c.Author), "created": c.At.Format(jiraTime),
			"items": []map[string]any{{"field": c.Field, "fieldtype": "jira", "fromString": c.From, "toString": c.To}},
		}
	}
	return map[string]any{"startAt": 0, "maxResults": len(hs), "total": len(hs), "histories": hs}
}

func (e *Emulator) comment(is *Issue, body []byte) reply {
	var b struct {
		Body string `json:"body"`
	}
	if err := json.Unmarshal(body, &b); err != nil || strings.TrimSpace(b.Body) == "" {
		return jiraError(http.StatusBadRequest, nil, map[string]string{"comment": "Comment body can not be empty!"})
	}
	e.nextID++
	c := Comment{ID: strconv.Itoa(e.nextID), Body: b.Body, Created: e.now()}
	is.Comments = append(is.Comments, c)
	is.Updated = c.Created
	return reply{http.StatusCreated, map[string]string{"id": c.ID, "body": c.Body, "created": c.Created.Format(jiraTime)}}
}

func (e *Emulator) assign(is *Issue, body []byte) reply {
	var b struct {
		AccountID *string `json:"accountId"`
		Name      *string `json:"name"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return jiraError(http.StatusBadRequest, []string{"Unexpected character in request body"}, nil)
	}
	id := ""
	switch {
	case b.AccountID != nil:
		id = *b.AccountID
	case b.Name != nil:
		id = *b.Name
	}
	if id != "" && !e.knownAccount(id) {
		return jiraError(http.StatusBadRequest, nil, map[string]string{"assignee": "User '" + id + "' cannot be assigned issues."})
	}
	is.Assignee = id
	is.Updated = e.now()
	return reply{status: http.StatusNoContent}
}

func available(is *Issue) []Transition {
	var out []Transition
	for _, t := range transitions {
		if slices.Contains(t.From, is.StatusID) {
			out = append(out, t)
		}
	}
	return out
}

func (e *Emulator) listTransitions(is *Issue, r *http.Request) reply {
	withFields := strings.Contains(r.URL.Query().Get("expand"), "transitions.fields")
	var ts []map[string]any
	for _, t := range available(is) {
		m := map[string]any{
			"id": t.ID, "name": t.Name, "to": renderStatus(statusByID(t.To)),
			"hasScreen": false, "isGlobal": false, "isInitial": false, "isConditional": false,
		}
		if withFields {
			m["fields"] = map[string]any{}
		}
		ts = append(ts, m)
	}
	return reply{http.StatusOK, map[string]any{"expand": "transitions", "transitions": ts}}
}

// actor is the email (Cloud) or user (Data Center) a request is made as.
func (e *Emulator) actor(r *http.Request) string {
	if e.bearer != "" {
		return "pat-user"
	}
	u, _, _ := r.BasicAuth()
	return u
}

func (e *Emulator) transition(is *Issue, body []byte, actor string) reply {
	var b struct {
		Transition struct {
			ID string `json:"id"`
		} `json:"transition"`
	}
	if err := json.Unmarshal(body, &b); err != nil {
		return jiraError(http.StatusBadRequest, []string{"Unexpected character in request body"}, nil)
	}
	for _, t := range available(is) {
		if t.ID == b.Transition.ID {
			from, to := is.Status, statusByID(t.To)
			e.setStatus(is, to)
			is.Transitions = append(is.Transitions, t.ID)
			is.History = append(is.History, Change{Author: actor, At: is.Updated, Field: "status", From: from, To: to.Name})
			return reply{status: http.StatusNoContent}
		}
	}
	return jiraError(http.StatusBadRequest, []string{fmt.Sprintf("Transition id '%s' is not valid for this issue.", b.Transition.ID)}, nil)
}

func (e *Emulator) userSearch(r *http.Request) reply {
	q := r.URL.Query()
	term := q.Get("query")
	if term == "" {
		term = q.Get("username")
	}
	if term == "" {
		return jiraError(http.StatusBadRequest, []string{"The query parameter 'query' is required."}, nil)
	}
	users := []map[string]any{}
	if id, ok := e.users[strings.ToLower(term)]; ok {
		users = append(users, map[string]any{
			"accountId": id, "name": id, "accountType": "atlassian", "active": true,
			"displayName": term, "emailAddress": term,
		})
	}
	return reply{http.StatusOK, users}
}

// search serves /rest/api/2/search/jql (GET with query parameters, or POST
// with a JSON body).
func (e *Emulator) search(r *http.Request, body []byte) reply {
	q := r.URL.Query()
	var params struct {
		JQL             string   `json:"jql"`
		NextPageToken   string   `json:"nextPageToken"`
		MaxResults      int      `json:"maxResults"`
		Fields          []string `json:"fields"`
		Expand          string   `json:"expand"`
		ReconcileIssues []int    `json:"reconcileIssues"`
	}
	if r.Method == http.MethodPost {
		if err := json.Unmarshal(body, &params); err != nil {
			return jiraError(http.StatusBadRequest, []string{"Invalid request payload."}, nil)
		}
	} else {
		params.JQL, params.NextPageToken = q.Get("jql"), q.Get("nextPageToken")
		params.MaxResults, _ = strconv.Atoi(q.Get("maxResults"))
		params.Expand = q.Get("expand")
		if f := q.Get("fields"); f != "" {
			params.Fields = strings.Split(f, ",")
		}
		for _, s := range strings.Split(q.Get("reconcileIssues"), ",") {
			if n, err := strconv.Atoi(s); err == nil {
				params.ReconcileIssues = append(params.ReconcileIssues, n)
			}
		}
	}
	match, err := parseJQL(params.JQL)
	if err != nil {
		return jiraError(http.StatusBadRequest, []string{"Error in the JQL Query: " + err.Error()}, nil)
	}
	now := e.now()
	var hits []*Issue
	for _, is := range e.issues {
		// Without a lag everything is indexed, including issues seeded
		// with a creation time in the (test's) future.
		visible := e.lag == 0 || now.Sub(is.Created) >= e.lag || slices.Contains(params.ReconcileIssues, idNum(is.ID))
		if visible && match(is) {
			hits = append(hits, is)
		}
	}
	slices.SortFunc(hits, func(a, b *Issue) int { return idNum(a.ID) - idNum(b.ID) })

	start := 0
	if params.NextPageToken != "" {
		b, err := base64.RawURLEncoding.DecodeString(params.NextPageToken)
		if err == nil {
			start, err = strconv.Atoi(string(b))
		}
		if err != nil || start < 0 {
			return jiraError(http.StatusBadRequest, []string{"Invalid nextPageToken."}, nil)
		}
	}
	size := params.MaxResults
	if size <= 0 || size > 100 {
		size = 50
	}
	// Jira may return fewer than asked; the emulator caps pages at 2 so that
	// pagination is exercised by every test with more than two hits.
	size = min(size, 2)
	fields := strings.Join(params.Fields, ",")
	if fields == "" {
		fields = "id"
	}
	out := map[string]any{"issues": []any{}, "isLast": true}
	var page []any
	withChangelog := slices.Contains(strings.Split(params.Expand, ","), "changelog")
	for i := start; i < len(hits) && i < start+size; i++ {
		is := e.render(hits[i], fields)
		if withChangelog {
			is["changelog"] = e.changelog(hits[i])
		}
		page = append(page, is)
	}
	if page != nil {
		out["issues"] = page
	}
	if start+size < len(hits) {
		out["isLast"] = false
		out["nextPageToken"] = base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(start + size)))
	}
	return reply{http.StatusOK, out}
}
