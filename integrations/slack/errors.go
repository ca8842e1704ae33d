package slack

import (
	"errors"
	"net/http"
	"time"

	goslack "github.com/slack-go/slack"
)

// minRetryAfter is the floor for a Retry-After of zero, so an activity never
// retries Slack in a tight loop.
const minRetryAfter = time.Second

// RetryAfter reports how long Slack asked us to wait. It is true only for an
// HTTP 429 that carried a Retry-After header (slack-go turns those into
// *goslack.RateLimitedError); the activity should return that duration as its
// NextRetryDelay. A 429 without the header is retryable but not reported here,
// so the activity's ordinary backoff applies.
func RetryAfter(err error) (time.Duration, bool) {
	var rl *goslack.RateLimitedError
	if !errors.As(err, &rl) {
		return 0, false
	}
	return max(rl.RetryAfter, minRetryAfter), true
}

// transientCodes are Slack API error codes that can succeed on a later
// attempt. Every other ok:false code is treated as permanent (see IsPermanent).
var transientCodes = map[string]bool{
	"ratelimited":         true, // body-level rate limit (rare; usually a 429)
	"internal_error":      true, // Slack's own failure
	"fatal_error":         true, // Slack's own failure
	"service_unavailable": true, // Slack is degraded
	"request_timeout":     true, // Slack gave up waiting on its backend
	"team_added_to_org":   true, // workspace migration in progress; Slack says retry
}

// permanentCodes documents the codes we expect in Steadfast's calls and why a
// retry cannot fix them. IsPermanent treats any ok:false code outside
// transientCodes as permanent anyway; this list is what the tests pin and what
// a reader can check against Slack's method docs.
var permanentCodes = map[string]string{
	// The person cannot be reached: escalate to the lead ("cannot reach alice@client in Slack").
	"users_not_found":  "no Slack account has this email",
	"user_not_found":   "the user ID does not exist in this workspace",
	"account_inactive": "the user (or the bot's installer) was deactivated",
	"user_disabled":    "the user was disabled",
	"cannot_dm_bot":    "the addressee is a bot",
	// The channel is wrong or the bot is not allowed in it: a human must fix it.
	"channel_not_found":   "wrong channel ID, or a private channel the bot was not invited to",
	"not_in_channel":      "the bot must be invited to the channel",
	"is_archived":         "the channel is archived",
	"restricted_action":   "a workspace policy forbids the post",
	"message_not_found":   "the message to update was deleted",
	"cant_update_message": "the message was not posted by this bot",
	"no_permission":       "the token lacks a permission the workspace grants separately",
	// Credentials or installation: retrying sends the same bad token.
	"invalid_auth":           "bot token is wrong",
	"not_authed":             "no token was sent",
	"token_revoked":          "the app was uninstalled or the token rotated",
	"token_expired":          "the token expired (rotation is off in our manifest)",
	"missing_scope":          "the app lacks an OAuth scope; reinstall with slack/manifest.yaml",
	"not_allowed_token_type": "wrong kind of token (e.g. user token where a bot token is needed)",
	"ekm_access_denied":      "enterprise key management revoked access",
	// Our request is malformed: the same bytes fail the same way.
	"invalid_blocks":            "Block Kit rejected; a builder bug or an over-long field",
	"invalid_blocks_format":     "Block Kit JSON malformed",
	"msg_too_long":              "message text over Slack's limit",
	"no_text":                   "neither text nor blocks",
	"too_many_attachments":      "over the attachment limit",
	"invalid_arguments":         "a required argument is missing or malformed",
	"invalid_arg_name":          "an argument name is wrong",
	"invalid_array_arg":         "an array argument was sent incorrectly",
	"invalid_charset":           "the request charset is wrong",
	"invalid_form_data":         "the form body is malformed",
	"invalid_post_type":         "the content type is wrong",
	"missing_post_type":         "the content type is missing",
	"invalid_trigger_id":        "trigger IDs are single-use; a retry cannot reuse it",
	"expired_trigger_id":        "trigger IDs live ~3s; a retry is always too late",
	"exchanged_trigger_id":      "the trigger ID was already used",
	"view_too_large":            "the modal is over Slack's size limit",
	"duplicate_external_id":     "a view with this external ID already exists",
	"method_deprecated":         "the API method was retired",
	"deprecated_endpoint":       "the API method was retired",
	"two_factor_setup_required": "the workspace requires 2FA for this action",
}

// IsPermanent reports whether retrying err cannot help, so an activity should
// fail with a non-retryable error (and, for an unreachable person, escalate).
//
//   - Slack API errors (HTTP 200, ok:false) are permanent unless their code is
//     in transientCodes: Slack uses ok:false for bad input, bad auth, missing
//     scopes and unknown users, none of which change between attempts.
//   - HTTP 4xx other than 408 and 429 are permanent: the request or the API
//     URL is wrong. 408, 429 and 5xx are transient.
//   - Rate limits, transport errors (connection refused, reset, DNS,
//     timeouts) and anything unrecognised are not permanent: the activity's
//     bounded retry policy decides.
//   - Local validation errors from this package (ErrInvalidInput) and
//     slack-go's own argument checks are permanent.
func IsPermanent(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := RetryAfter(err); ok {
		return false
	}
	if errors.Is(err, ErrInvalidInput) ||
		errors.Is(err, goslack.ErrParametersMissing) ||
		errors.Is(err, goslack.ErrBlockIDNotUnique) {
		return true
	}
	if code := ErrorCode(err); code != "" {
		return !transientCodes[code]
	}
	var sc goslack.StatusCodeError
	if errors.As(err, &sc) {
		switch {
		case sc.Code == http.StatusRequestTimeout, sc.Code == http.StatusTooManyRequests:
			return false
		case sc.Code >= 400 && sc.Code < 500:
			return true
		}
	}
	return false
}

// IsUnreachable reports whether err means the person cannot be reached in
// Slack at all (no account for the email, deactivated, a bot). The workflow
// should tell the lead rather than keep reminding.
func IsUnreachable(err error) bool {
	switch ErrorCode(err) {
	case "users_not_found", "user_not_found", "account_inactive", "user_disabled", "cannot_dm_bot":
		return true
	}
	return false
}

// ErrorCode returns Slack's error code ("users_not_found", ...) when err is a
// Slack API error, or "" otherwise. Useful as an ApplicationError type.
func ErrorCode(err error) string {
	var se goslack.SlackErrorResponse
	if errors.As(err, &se) {
		return se.Err
	}
	return ""
}

// ErrInvalidInput marks bad arguments caught before calling Slack (an empty
// channel, an over-long ID). Such errors are permanent.
var ErrInvalidInput = errors.New("invalid Slack request")
