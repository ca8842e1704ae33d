package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
)

// OTLPEndpointEnv turns tracing on: the standard OpenTelemetry variable, read
// by the OTLP exporter itself (with OTEL_EXPORTER_OTLP_HEADERS and friends).
const OTLPEndpointEnv = "OTEL_EXPORTER_OTLP_ENDPOINT"

// secondsBuckets gives every histogram in seconds (the SDK's latencies, the
// Slack and Jira calls) buckets from 5 ms to 1 min; OpenTelemetry's default
// boundaries (0, 5, 10, 25 ... 10000) suit milliseconds and would put every
// call in the first bucket.
var secondsBuckets = sdkmetric.NewView(
	sdkmetric.Instrument{Kind: sdkmetric.InstrumentKindHistogram, Unit: "s"},
	sdkmetric.Stream{Aggregation: sdkmetric.AggregationExplicitBucketHistogram{
		Boundaries: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
	}},
)

// Telemetry is the process's metrics registry and, when configured, tracer.
type Telemetry struct {
	registry *prometheus.Registry
	meters   *sdkmetric.MeterProvider
	tracer   *sdktrace.TracerProvider
	tracing  interceptor.Interceptor
}

// Setup makes the meter provider every metric of this process goes to (the
// SDK's and Steadfast's) and, with OTEL_EXPORTER_OTLP_ENDPOINT set, a tracer
// exporting over OTLP/HTTP. It installs both as OpenTelemetry's globals.
// Call Shutdown when the process stops.
func Setup(ctx context.Context, service string, logger *slog.Logger) (*Telemetry, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	exp, err := otelprom.New(otelprom.WithRegisterer(reg), otelprom.WithoutScopeInfo())
	if err != nil {
		return nil, fmt.Errorf("metrics: Prometheus exporter: %w", err)
	}
	res := resource.NewSchemaless(semconv.ServiceName(service))
	t := &Telemetry{registry: reg, meters: sdkmetric.NewMeterProvider(
		sdkmetric.WithReader(exp), sdkmetric.WithResource(res), sdkmetric.WithView(secondsBuckets))}
	otel.SetMeterProvider(t.meters)
	current.Store(newInstruments(t.meters.Meter(meterName)))

	if os.Getenv(OTLPEndpointEnv) != "" {
		te, err := otlptracehttp.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("metrics: OTLP trace exporter for %s: %w", os.Getenv(OTLPEndpointEnv), err)
		}
		t.tracer = sdktrace.NewTracerProvider(sdktrace.WithBatcher(te), sdktrace.WithResource(res))
		otel.SetTracerProvider(t.tracer)
		otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{}))
		t.tracing, err = temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: t.tracer.Tracer(meterName)})
		if err != nil {
			return nil, fmt.Errorf("metrics: Temporal tracing interceptor: %w", err)
		}
		logger.Info("tracing on", "otlp_endpoint", os.Getenv(OTLPEndpointEnv))
	}
	return t, nil
}

// ClientOptions adds the SDK's metrics handler and, when tracing is on, the
// tracing interceptor to opts (a client, and every worker made from it,
// reports through them).
func (t *Telemetry) ClientOptions(opts client.Options) client.Options {
	opts.MetricsHandler = temporalotel.NewMetricsHandler(temporalotel.MetricsHandlerOptions{
		Meter: t.meters.Meter("temporal-sdk-go"),
		// The SDK's counters only ever grow: export them as Prometheus counters.
		UseMonotonicCounters: true,
		OnError:              func(err error) { otel.Handle(err) },
	})
	if t.tracing != nil {
		opts.Interceptors = append(opts.Interceptors, t.tracing)
	}
	return opts
}

// Handler serves the registry in Prometheus' text format, for GET /metrics.
func (t *Telemetry) Handler() http.Handler {
	return promhttp.HandlerFor(t.registry, promhttp.HandlerOpts{Registry: t.registry})
}

// Shutdown flushes pending spans and stops the providers.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	if t.tracer != nil {
		errs = append(errs, t.tracer.Shutdown(ctx))
	}
	errs = append(errs, t.meters.Shutdown(ctx))
	return errors.Join(errs...)
}
