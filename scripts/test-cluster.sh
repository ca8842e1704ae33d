#!/usr/bin/env bash
# `make test-cluster`: the integration tests against the Postgres-backed Temporal
# server of scripts/cluster.sh instead of a dev server per test. Each test gets
# a namespace of its own on that server (internal/testenv.External).
#   STEADFAST_CLUSTER_TESTS  go test -run pattern (default: the end-to-end tests
#                            that drive the real worker and the CLI, and the
#                            workflows' and the service's ForReal tests)
#   STEADFAST_CLUSTER_PKGS   packages (default ./starter/ ./internal/engagement/ ./workflows/)
# Takes about 5 minutes on a 2-core machine, so `make test` does not run it.
set -euo pipefail

# shellcheck source=scripts/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

cd "$STEADFAST_ROOT"
exec 2>&1
command -v go >/dev/null 2>&1 || die "Go 1.26 is needed (https://go.dev/dl/)"

section "Temporal cluster"
cluster_up
export STEADFAST_TEST_TEMPORAL_ADDRESS
STEADFAST_TEST_TEMPORAL_ADDRESS=$(cluster_address)

section "Postgres"
steadfast_ensure_postgres test || die "no Postgres for the tests: $(pg_missing_hint)"
export TEST_DATABASE_URL="$STEADFAST_PG_URL"

section "Integration tests on $STEADFAST_TEST_TEMPORAL_ADDRESS"
pattern=${STEADFAST_CLUSTER_TESTS:-'EndToEnd|ForReal|TestAuditFieldwork|TestWorkerMetricsScraped'}
# shellcheck disable=SC2086
go test -count=1 -timeout 20m -run "$pattern" ${STEADFAST_CLUSTER_PKGS:-./starter/ ./internal/engagement/ ./workflows/}
