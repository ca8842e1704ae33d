package jira

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gojira "github.com/andygrunwald/go-jira"
)

// Config holds what the worker reads from the environment (JIRA_BASE_URL,
// JIRA_EMAIL, JIRA_API_TOKEN, JIRA_PAT, JIRA_WEBHOOK_SECRET). Set Email and
// APIToken for Jira Cloud, or PAT for Jira Data Center, not both. Its String
// and LogValue redact the secrets so a logged Config is safe.
type Config struct {
	BaseURL       string // https://client.atlassian.net, or a Data Center URL with its context path
	Email         string // Cloud: the account the API token belongs to
	APIToken      string // Cloud: basic auth password
	PAT           string // Data Center: personal access token, sent as a bearer token
	WebhookSecret string // verifies X-Hub-Signature on /jira/webhook
}

// ConfigFromEnv reads the JIRA_* variables with getenv (os.Getenv in main).
func ConfigFromEnv(getenv func(string) string) Config {
	return Config{
		BaseURL:       strings.TrimSpace(getenv("JIRA_BASE_URL")),
		Email:         strings.TrimSpace(getenv("JIRA_EMAIL")),
		APIToken:      strings.TrimSpace(getenv("JIRA_API_TOKEN")),
		PAT:           strings.TrimSpace(getenv("JIRA_PAT")),
		WebhookSecret: getenv("JIRA_WEBHOOK_SECRET"),
	}
}

// Enabled reports whether Jira is configured at all; without a base URL
// remediation items live only in Postgres.
func (c Config) Enabled() bool { return c.BaseURL != "" }

// Cloud reports whether c uses Jira Cloud's email + API token.
func (c Config) Cloud() bool { return c.PAT == "" }

// Validate names the first missing or contradictory setting.
func (c Config) Validate() error {
	if c.BaseURL == "" {
		return fmt.Errorf("jira config: JIRA_BASE_URL is required: %w", ErrInvalidInput)
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("jira config: JIRA_BASE_URL %q is not an http(s) URL: %w", c.BaseURL, ErrInvalidInput)
	}
	cloud := c.Email != "" || c.APIToken != ""
	switch {
	case cloud && c.PAT != "":
		return fmt.Errorf("jira config: set JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center), not both: %w", ErrInvalidInput)
	case !cloud && c.PAT == "":
		return fmt.Errorf("jira config: no credentials: set JIRA_EMAIL and JIRA_API_TOKEN (Cloud) or JIRA_PAT (Data Center): %w", ErrInvalidInput)
	case cloud && c.Email == "":
		return fmt.Errorf("jira config: JIRA_API_TOKEN is set but JIRA_EMAIL is empty: %w", ErrInvalidInput)
	case cloud && c.APIToken == "":
		return fmt.Errorf("jira config: JIRA_EMAIL is set but JIRA_API_TOKEN is empty: %w", ErrInvalidInput)
	}
	return nil
}

func (c Config) String() string {
	return fmt.Sprintf("jira.Config{BaseURL:%q Email:%q APIToken:%s PAT:%s WebhookSecret:%s}",
		c.BaseURL, c.Email, redact(c.APIToken), redact(c.PAT), redact(c.WebhookSecret))
}

// LogValue keeps secrets out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("base_url", c.BaseURL),
		slog.String("email", c.Email),
		slog.String("api_token", redact(c.APIToken)),
		slog.String("pat", redact(c.PAT)),
		slog.String("webhook_secret", redact(c.WebhookSecret)),
	)
}

func redact(s string) string {
	if s == "" {
		return "unset"
	}
	return "set"
}

// httpTimeout bounds one REST call. Activities have their own StartToClose
// timeout; this keeps a hung connection from using all of it.
const httpTimeout = 20 * time.Second

// Client wraps go-jira with the calls Steadfast makes. It is safe for
// concurrent use. It does not retry failed calls: the caller (a Temporal
// activity) does, using RetryAfter and IsPermanent.
type Client struct {
	api   *gojira.Client
	cloud bool
	log   *slog.Logger
	// settle and settlePoll shape the search-lag window of a retried
	// FindOrCreate (see ticket.go).
	settle, settlePoll time.Duration
	transport          http.RoundTripper
	// accounts caches lower-cased email → account ID (Cloud) or user name
	// (Data Center). IDs do not change for a person, owners are few, so the
	// cache is unbounded; errors are not cached.
	accounts sync.Map
}

// Option adjusts a Client.
type Option func(*Client)

// WithLogger sets where the client reports duplicates it found or closed.
func WithLogger(l *slog.Logger) Option { return func(c *Client) { c.log = l } }

// WithSettleWindow sets how long a retried FindOrCreate keeps searching
// before it creates (window), and how often it searches meanwhile (poll).
// The default, 15s every 1s, is comfortably above the few seconds Jira
// Cloud's search index usually trails a create; tests shorten it.
func WithSettleWindow(window, poll time.Duration) Option {
	return func(c *Client) { c.settle, c.settlePoll = window, max(poll, time.Millisecond) }
}

// WithTransport sets the base HTTP transport under the auth transport
// (default http.DefaultTransport).
func WithTransport(rt http.RoundTripper) Option {
	return func(c *Client) { c.transport = rt }
}

// New validates cfg and builds a Client. It makes no network call.
func New(cfg Config, opts ...Option) (*Client, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c := &Client{cloud: cfg.Cloud(), log: slog.Default(), settle: 15 * time.Second, settlePoll: time.Second}
	for _, o := range opts {
		o(c)
	}
	var rt http.RoundTripper
	if c.cloud {
		rt = &gojira.BasicAuthTransport{Username: cfg.Email, Password: cfg.APIToken, Transport: c.transport}
	} else {
		rt = &gojira.BearerAuthTransport{Token: cfg.PAT, Transport: c.transport}
	}
	api, err := gojira.NewClient(&http.Client{Transport: rt, Timeout: httpTimeout}, cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("jira config: JIRA_BASE_URL %q: %w", cfg.BaseURL, errors.Join(err, ErrInvalidInput))
	}
	c.api = api
	return c, nil
}

// API exposes the underlying go-jira client for calls this package does not wrap.
func (c *Client) API() *gojira.Client { return c.api }

// do sends a request built with go-jira's NewRequest, for the calls whose
// go-jira method sends fields Jira does not expect (its User type always
// carries "Password") or whose error loses the body.
func (c *Client) do(ctx context.Context, method, path string, body, out any) error {
	req, err := c.api.NewRequestWithContext(ctx, method, path, body)
	if err != nil {
		return err
	}
	resp, err := c.api.Do(req, out)
	if err != nil {
		return apiError(resp, err)
	}
	if out == nil && resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return nil
}

// Assign makes accountID (from ResolveAccount) the assignee of key. Setting
// the same assignee twice is harmless, so a retry is safe.
func (c *Client) Assign(ctx context.Context, key, accountID string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("assign Jira ticket: %w", err)
	}
	if accountID == "" {
		return fmt.Errorf("assign Jira ticket %s: empty account ID: %w", key, ErrInvalidInput)
	}
	if err := c.do(ctx, http.MethodPut, "rest/api/2/issue/"+key+"/assignee", c.userRef(accountID), nil); err != nil {
		return fmt.Errorf("assign Jira ticket %s: %w", key, err)
	}
	return nil
}

// userRef is how a user is named in a request body: by accountId on Cloud,
// by user name on Data Center (which has no account IDs).
func (c *Client) userRef(id string) map[string]string {
	if c.cloud {
		return map[string]string{"accountId": id}
	}
	return map[string]string{"name": id}
}

// Comment adds body to key's comments unless an identical comment is
// already there. Jira has no idempotency key for comments, so a retried
// activity whose first POST landed but whose response was lost would
// otherwise post the same text twice; the check costs one GET. Callers who
// want a repeated comment (a second reminder) should make its text differ,
// e.g. by naming the date.
func (c *Client) Comment(ctx context.Context, key, body string) error {
	if err := checkKey(key); err != nil {
		return fmt.Errorf("comment on Jira ticket: %w", err)
	}
	if strings.TrimSpace(body) == "" {
		return fmt.Errorf("comment on Jira ticket %s: empty body: %w", key, ErrInvalidInput)
	}
	is, resp, err := c.api.Issue.GetWithContext(ctx, key, &gojira.GetQueryOptions{Fields: "comment"})
	if err != nil {
		return fmt.Errorf("comment on Jira ticket %s: read existing comments: %w", key, apiError(resp, err))
	}
	if is.Fields != nil && is.Fields.Comments != nil {
		for _, cm := range is.Fields.Comments.Comments {
			if cm != nil && strings.TrimSpace(cm.Body) == strings.TrimSpace(body) {
				return nil
			}
		}
	}
	_, resp, err = c.api.Issue.AddCommentWithContext(ctx, key, &gojira.Comment{Body: body})
	if err != nil {
		return fmt.Errorf("comment on Jira ticket %s: %w", key, apiError(resp, err))
	}
	return nil
}

// Status is where a ticket stands. Category is Jira's status-category key:
// "new", "indeterminate" or "done"; remediation is complete when it is
// "done", whatever the status is called.
type Status struct {
	Key      string
	ID       string // Jira's numeric issue ID; lower is older
	Name     string // the status name, e.g. "In Review"
	Category string
	Labels   []string
	Updated  time.Time
}

// Done reports whether the ticket is in the done category.
func (s Status) Done() bool { return s.Category == CategoryDone }

// Status categories (statusCategory.key), the only status vocabulary shared
// by every Jira workflow.
const (
	CategoryNew           = "new"
	CategoryIndeterminate = "indeterminate"
	CategoryDone          = "done"
)

// statusFields are the fields every status read asks for.
var statusFields = []string{"status", "updated", "labels"}

// Status reads one ticket's status (GET /rest/api/2/issue/{key}). Unlike
// search, this read is strongly consistent.
func (c *Client) Status(ctx context.Context, key string) (Status, error) {
	if err := checkKey(key); err != nil {
		return Status{}, fmt.Errorf("read Jira ticket status: %w", err)
	}
	is, resp, err := c.api.Issue.GetWithContext(ctx, key, &gojira.GetQueryOptions{Fields: strings.Join(statusFields, ",")})
	if err != nil {
		return Status{}, fmt.Errorf("read status of Jira ticket %s: %w", key, apiError(resp, err))
	}
	return statusOf(*is), nil
}

func statusOf(is gojira.Issue) Status {
	s := Status{Key: is.Key, ID: is.ID}
	if f := is.Fields; f != nil {
		if f.Status != nil {
			s.Name, s.Category = f.Status.Name, f.Status.StatusCategory.Key
		}
		s.Labels = f.Labels
		s.Updated = time.Time(f.Updated)
	}
	return s
}

// checkKey accepts Jira issue keys (PROJ-123). Keys go into URL paths and
// JQL, so anything else is refused before it is sent.
func checkKey(key string) error {
	if !validKey(key) {
		return fmt.Errorf("issue key %q is not of the form PROJ-123: %w", key, ErrInvalidInput)
	}
	return nil
}

func validKey(key string) bool {
	proj, num, ok := strings.Cut(key, "-")
	if !ok || !validProject(proj) || num == "" || len(num) > 18 {
		return false
	}
	for _, r := range num {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// validProject accepts Jira project keys: a letter, then letters, digits or
// underscores (Jira's default pattern, case-insensitive in JQL).
func validProject(p string) bool {
	if p == "" || len(p) > 255 {
		return false
	}
	for i, r := range p {
		switch {
		case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case i > 0 && (r >= '0' && r <= '9' || r == '_'):
		default:
			return false
		}
	}
	return true
}
