package jira

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	gojira "github.com/andygrunwald/go-jira"
)

const (
	// defaultRetryAfter is used for a 429 or 503 that carried no usable
	// Retry-After. Jira Cloud's rate limiter normally sends one; when a proxy
	// in front of Data Center answers 503 it usually does not, and a few
	// seconds is what Atlassian's guidance suggests as a first backoff.
	defaultRetryAfter = 5 * time.Second
	// minRetryAfter floors "Retry-After: 0" so an activity never retries
	// Jira in a tight loop.
	minRetryAfter = time.Second
	// maxRetryAfter caps a huge or garbled Retry-After so one bad header
	// cannot park an activity for hours; the activity's own retry policy
	// still bounds the total.
	maxRetryAfter = 15 * time.Minute
	// maxErrorBody bounds how much of an error response is read.
	maxErrorBody = 64 << 10
)

// ErrInvalidInput marks bad arguments caught before calling Jira (an empty
// project, a label with spaces, an unknown priority). Such errors are
// permanent.
var ErrInvalidInput = errors.New("invalid Jira request")

// ErrUserNotFound means no Jira account matches an owner's email. It is
// permanent: the lead must invite the owner or fix the email.
var ErrUserNotFound = errors.New("no Jira user with this email")

// ErrNoTransition means the workflow has no transition from its
// current status into the wanted status category. It is permanent: someone
// must change the workflow or move the ticket by hand.
var ErrNoTransition = errors.New("no Jira transition leads to the wanted status category")

// APIError is a non-2xx answer from Jira. StatusCode and Header are the HTTP
// response's; Messages and FieldErrors are Jira's errorMessages and errors
// (field → message). It never holds request headers, so no credential can
// leak through it.
type APIError struct {
	StatusCode  int
	Header      http.Header
	Messages    []string
	FieldErrors map[string]string
	// Body is the start of a response that was not Jira's JSON error shape
	// (an HTML page from a proxy, say), trimmed for logs.
	Body string
	err  error
}

func (e *APIError) Error() string {
	msg := e.message()
	if msg == "" {
		return fmt.Sprintf("jira: HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	return fmt.Sprintf("jira: HTTP %d: %s", e.StatusCode, msg)
}

// Unwrap returns go-jira's error, so errors.As(err, new(*gojira.Error)) works.
func (e *APIError) Unwrap() error { return e.err }

// message joins Jira's messages in a stable order: general messages first,
// then field errors sorted by field name ("priority: Field 'priority' cannot
// be set...").
func (e *APIError) message() string {
	parts := slices.Clone(e.Messages)
	for _, k := range slices.Sorted(maps.Keys(e.FieldErrors)) {
		parts = append(parts, k+": "+e.FieldErrors[k])
	}
	if len(parts) == 0 && e.Body != "" {
		parts = append(parts, e.Body)
	}
	return strings.Join(parts, "; ")
}

// jiraErrorBody is the shape of Jira's error responses.
type jiraErrorBody struct {
	ErrorMessages []string          `json:"errorMessages"`
	Errors        map[string]string `json:"errors"`
}

// apiError turns what go-jira returned into an error that keeps the HTTP
// status, the Retry-After header and Jira's messages reachable. go-jira
// itself loses the status code: most methods wrap the failure in
// *gojira.Error (messages only), and some (Create, UpdateIssue) return a bare
// "request failed" error with the body unread. Both shapes end up here.
//
// Transport errors (no response) and 2xx responses that failed to decode
// are returned unchanged: they are transient, and for a create they may mean
// the issue exists (see FindOrCreate).
func apiError(resp *gojira.Response, err error) error {
	if err == nil {
		return nil
	}
	if resp == nil || resp.Response == nil || (resp.StatusCode >= 200 && resp.StatusCode < 300) {
		return err
	}
	ae := &APIError{StatusCode: resp.StatusCode, Header: resp.Header.Clone(), err: err}
	var je *gojira.Error
	if errors.As(err, &je) {
		ae.Messages, ae.FieldErrors = je.ErrorMessages, je.Errors
		return ae
	}
	// The body is still unread when go-jira did not call NewJiraError;
	// when it did, this read fails on a closed body and is ignored.
	if resp.Body != nil {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		_ = resp.Body.Close()
		var jb jiraErrorBody
		if json.Unmarshal(b, &jb) == nil && (len(jb.ErrorMessages) > 0 || len(jb.Errors) > 0) {
			ae.Messages, ae.FieldErrors = jb.ErrorMessages, jb.Errors
		} else {
			ae.Body = trimBody(string(b))
		}
	}
	return ae
}

func trimBody(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// RetryAfter reports how long to wait before retrying err: true for HTTP 429
// (rate limited) and 503 (unavailable). The duration comes from Retry-After
// (seconds or an HTTP date), floored at one second and capped at fifteen
// minutes; without the header it is five seconds. The activity should return
// it as its NextRetryDelay.
func RetryAfter(err error) (time.Duration, bool) {
	var ae *APIError
	if !errors.As(err, &ae) {
		return 0, false
	}
	if ae.StatusCode != http.StatusTooManyRequests && ae.StatusCode != http.StatusServiceUnavailable {
		return 0, false
	}
	return parseRetryAfter(ae.Header.Get("Retry-After"), time.Now()), true
}

func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return defaultRetryAfter
	}
	var d time.Duration
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs > int64(maxRetryAfter/time.Second) {
			return maxRetryAfter
		}
		d = time.Duration(secs) * time.Second
	} else if at, err := http.ParseTime(v); err == nil {
		d = at.Sub(now)
	} else {
		return defaultRetryAfter
	}
	return min(max(d, minRetryAfter), maxRetryAfter)
}

// StatusCode returns the HTTP status of a Jira API error, or 0 when err did
// not come from a Jira response (a transport error, a local check).
func StatusCode(err error) int {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.StatusCode
	}
	return 0
}

// IsPermanent reports whether retrying err cannot help, so the activity
// should fail with a non-retryable ApplicationError and the lead should be
// told (with Message(err)).
//
//   - HTTP 4xx other than 408 and 429: the request, the credentials, the
//     project's configuration or a permission is wrong, and the same bytes
//     fail the same way. (401/403 included: a revoked token does not heal.)
//   - This package's own checks: ErrInvalidInput, ErrUserNotFound,
//     ErrNoTransition.
//   - 408, 429, 5xx, transport errors and anything unrecognised are not
//     permanent: the activity's bounded retry policy decides.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrInvalidInput) || errors.Is(err, ErrUserNotFound) || errors.Is(err, ErrNoTransition) {
		return true
	}
	switch code := StatusCode(err); {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return false
	case code >= 400 && code < 500:
		return true
	}
	return false
}

// Message returns the text to show the lead in an escalation: Jira's own
// errorMessages and field errors when Jira sent them ("priority: Field
// 'priority' cannot be set. It is not on the appropriate screen, or
// unknown."), otherwise the error's text.
func Message(err error) string {
	if err == nil {
		return ""
	}
	var ae *APIError
	if errors.As(err, &ae) {
		if m := ae.message(); m != "" {
			return m
		}
	}
	return err.Error()
}
