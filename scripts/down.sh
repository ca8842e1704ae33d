#!/usr/bin/env bash
# `make down`: stops what `make demo` started (from the pid files in .steadfast/):
# the web, the worker, the Temporal dev server (or the cluster, STEADFAST_TEMPORAL=cluster) and the embedded Postgres. A system Postgres
# and a Temporal server that demo did not start are left alone. Data stays in
# .steadfast/ so the next `make demo` carries on; `rm -rf .steadfast` starts afresh.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$STEADFAST_ROOT"

stop_pidfile web "$STEADFAST_STATE/web.pid" steadfast-web
rm -f "$STEADFAST_STATE/web.fingerprint"
stop_pidfile worker "$STEADFAST_STATE/worker.pid" steadfast-worker
rm -f "$STEADFAST_STATE/worker.fingerprint"
stop_pidfile "Temporal dev server" "$STEADFAST_STATE/temporal.pid" "server start-dev"
stop_pidfile "Temporal cluster" "$STEADFAST_STATE/temporal-cluster.pid" temporal-server
stop_pidfile "embedded Postgres" "$STEADFAST_STATE/devpg.pid" steadfast-devpg

# If devpg itself was killed hard, its postmaster may outlive it: stop that too.
pm="$STEADFAST_STATE/pgdata/postmaster.pid"
if [ -f "$pm" ]; then
	head -n 1 "$pm" >"$STEADFAST_STATE/postmaster.pid.tmp"
	stop_pidfile "orphaned embedded postmaster" "$STEADFAST_STATE/postmaster.pid.tmp" postgres INT
fi
say "stopped what make demo started (data kept in .steadfast/)"
