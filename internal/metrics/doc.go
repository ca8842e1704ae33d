// Package metrics is Steadfast's telemetry: the Temporal SDK's metrics and
// Steadfast's own (questions, escalations, Slack and Jira calls, refused
// webhooks) through OpenTelemetry, exported in Prometheus format at the
// worker's /metrics, and traces through Temporal's OpenTelemetry interceptor
// when OTEL_EXPORTER_OTLP_ENDPOINT is set.
//
// The recording functions (QuestionOpened, SlackError, ...) write to
// instruments made from the meter provider of the last Setup; until then (in
// unit tests, in the CLI) they cost a no-op call.
// They are called from activities and integration clients, never from
// workflow code: a replayed workflow would count twice.
package metrics
