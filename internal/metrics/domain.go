package metrics

import (
	"context"
	"errors"
	"strconv"
	"sync/atomic"

	goslack "github.com/slack-go/slack"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// instruments are Steadfast's own, made from the meter provider of the last
// Setup; before any Setup they are no-ops, so recording costs a call.
type instruments struct {
	opened, answered, steps, escalated, calls, callErrors, refused metric.Int64Counter
	duration                                                       metric.Float64Histogram
}

var current atomic.Pointer[instruments]

func init() { current.Store(newInstruments(noop.NewMeterProvider().Meter(meterName))) }

func get() *instruments { return current.Load() }

func newInstruments(m metric.Meter) *instruments {
	var i instruments
	// Errors here mean an invalid name, fixed at compile time; the instrument
	// returned is then a no-op, never nil.
	i.opened, _ = m.Int64Counter(nameQuestionsOpened, metric.WithDescription("Questions (prompts) opened, by kind."))
	i.answered, _ = m.Int64Counter(nameQuestionsAnswered, metric.WithDescription("Answers recorded, by the channel they came through."))
	i.steps, _ = m.Int64Counter(nameLadderSteps, metric.WithDescription("Reminder and escalation rungs carried out for unanswered questions, by rung."))
	i.escalated, _ = m.Int64Counter(nameEscalations, metric.WithDescription("Problems escalated to leads or sponsors (outside a question's ladder), by kind."))
	i.calls, _ = m.Int64Counter(nameCalls, metric.WithDescription("HTTP calls to Slack and Jira, by service, operation and HTTP status code."))
	i.callErrors, _ = m.Int64Counter(nameCallErrors, metric.WithDescription("Errors from Slack and Jira, by service and error code (Slack's error string, the HTTP status, or transport)."))
	i.duration, _ = m.Float64Histogram(nameCallDuration, metric.WithUnit("s"), metric.WithDescription("Duration of HTTP calls to Slack and Jira."))
	i.refused, _ = m.Int64Counter(nameWebhooksRefused, metric.WithDescription("Webhook and interactivity requests refused, by source and HTTP status code."))
	return &i
}

// QuestionOpened counts a stored prompt of the given kind.
func QuestionOpened(ctx context.Context, kind string) {
	get().opened.Add(ctx, 1, metric.WithAttributes(attribute.String(attrKind, orUnknown(kind))))
}

// QuestionAnswered counts a recorded answer by the channel it came through.
func QuestionAnswered(ctx context.Context, via string) {
	get().answered.Add(ctx, 1, metric.WithAttributes(attribute.String(attrVia, orUnknown(via))))
}

// LadderStep counts a rung of a question's ladder (remind, lead, sponsor, expire).
func LadderStep(ctx context.Context, rung string) {
	get().steps.Add(ctx, 1, metric.WithAttributes(attribute.String(attrRung, orUnknown(rung))))
}

// Escalated counts a problem escalated outside a question's ladder.
func Escalated(ctx context.Context, kind string) {
	get().escalated.Add(ctx, 1, metric.WithAttributes(attribute.String(attrKind, orUnknown(kind))))
}

// SlackError counts an error from the Slack Web API by its code: Slack's own
// error string ("channel_not_found"), "ratelimited", or "transport".
// A nil error counts nothing.
func SlackError(err error) {
	if err == nil {
		return
	}
	code := "transport"
	var rl *goslack.RateLimitedError
	var se goslack.SlackErrorResponse
	var sc goslack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		code = "ratelimited"
	case errors.As(err, &se):
		code = se.Err
	case errors.As(err, &sc):
		code = strconv.Itoa(sc.Code)
	}
	callError(context.Background(), ServiceSlack, code)
}

func callError(ctx context.Context, service, code string) {
	get().callErrors.Add(ctx, 1, metric.WithAttributes(attribute.String(attrService, service), attribute.String(attrCode, orUnknown(code))))
}

// WebhookRefused counts a refused webhook or interactivity request.
func WebhookRefused(ctx context.Context, source string, status int) {
	get().refused.Add(ctx, 1, metric.WithAttributes(attribute.String(attrSource, source), attribute.String(attrCode, strconv.Itoa(status))))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
