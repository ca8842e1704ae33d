package metrics

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// Transport counts and times every HTTP call to service (ServiceSlack,
// ServiceJira) made through base (nil means http.DefaultTransport), by HTTP
// status code. For Jira, 4xx/5xx and transport failures also count as errors
// by code. Slack's errors are counted where they are classified (SlackError),
// since most come back as status 200 with "ok": false; counting its 429s here
// too would count them twice.
func Transport(service string, base http.RoundTripper) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	return &transport{service: service, base: base}
}

type transport struct {
	service string
	base    http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.base.RoundTrip(req)
	code := "transport"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	attrs := metric.WithAttributes(attribute.String(attrService, t.service),
		attribute.String(attrOp, operation(t.service, req)), attribute.String(attrCode, code))
	i := get()
	i.calls.Add(req.Context(), 1, attrs)
	i.duration.Record(req.Context(), time.Since(start).Seconds(), attrs)
	if t.service != ServiceSlack && (err != nil || resp.StatusCode >= 400) {
		callError(req.Context(), t.service, code)
	}
	return resp, err
}

// operation names a call without its identifiers, so the label stays a small
// set: Slack's API method ("chat.postMessage"); for Jira the resource after
// /rest/<api>/<version>/ ("issue", "search"), never an issue key.
func operation(service string, req *http.Request) string {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	if service == ServiceSlack {
		return parts[len(parts)-1]
	}
	for i := 0; i+3 < len(parts); i++ {
		if parts[i] == "rest" {
			return req.Method + " " + parts[i+3]
		}
	}
	return req.Method
}
