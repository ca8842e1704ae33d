# syntax=docker/dockerfile:1
# The Steadfast worker, web and CLI. docker-compose.yml builds this image for the
# worker and runs the same image as the web (command: steadfast-web); it also runs
# the CLI: docker compose run --rm worker steadfast list

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/steadfast-worker ./worker && \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/steadfast-web ./web && \
    CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/steadfast ./starter

FROM debian:bookworm-slim
# curl is for the container healthcheck (GET /healthz); ca-certificates for Temporal Cloud, Slack, Jira.
RUN apt-get update && \
    apt-get install -y --no-install-recommends ca-certificates curl tzdata && \
    rm -rf /var/lib/apt/lists/* && \
    useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin steadfast
WORKDIR /app
COPY --from=build /out/steadfast-worker /out/steadfast-web /out/steadfast /usr/local/bin/
COPY examples/ /app/examples/
# The CLI's hints say `starter`; the image answers to both names.
RUN ln -s steadfast /usr/local/bin/starter
# Evidence files (the local blob store) live in /app/evidence, a volume the
# worker and the web share in docker-compose.yml; a new volume copies this
# directory's owner.
RUN mkdir -p /app/evidence && chown 10001:10001 /app/evidence
USER 10001:10001
ENV STEADFAST_HTTP_ADDR=:8080 \
    WEB_ADDR=:8090 \
    STEADFAST_EVIDENCE_DIR=/app/evidence \
    LOG_FORMAT=json
EXPOSE 8080 8090
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
CMD ["steadfast-worker"]
