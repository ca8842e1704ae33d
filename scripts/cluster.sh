#!/usr/bin/env bash
# A real Temporal server on this machine, configured as in production: the
# server binary from the pinned module (tools/temporal-server), persisting to
# Postgres (databases temporal and temporal_visibility), schemas set up with
# Temporal's own SQL tool, the dynamic configuration in deploy/temporal/.
# docker-compose.yml runs the same server version with the same environment
# (deploy/temporal/server.env) and dynamic configuration.
#
#   scripts/cluster.sh up       build (first time), set up the schemas, start, create the namespace
#   scripts/cluster.sh down     stop it (the data stays in Postgres)
#   scripts/cluster.sh status   say whether it runs and where
#   scripts/cluster.sh reset    stop it and drop its two databases
#   scripts/cluster.sh address  print the frontend address (host:port)
#
# Settings (environment):
#   STEADFAST_CLUSTER_PORT   frontend gRPC port (default 7233); the other services
#                            use Temporal's default layout shifted by the same amount
#   STEADFAST_CLUSTER_PG_URL the Postgres server for Temporal's databases
#                            (default: scripts/postgres.sh's local server)
#   STEADFAST_CLUSTER_DB     its databases' name (default temporal, and
#                            temporal_visibility); NAME and NAME_visibility
#   TEMPORAL_NAMESPACE       namespace to create (default "default")
#   STEADFAST_CLUSTER_SQL_CONNS      each service's pool to the default store
#   STEADFAST_CLUSTER_SQL_VIS_CONNS  and to visibility (default: server.env's
#                            20 and 10; the four services each open their own,
#                            so lower them on a Postgres shared with others)
# State: .steadfast/temporal-cluster.{pid,log}.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/tools.sh
. "$STEADFAST_ROOT/scripts/tools.sh"
# shellcheck source=scripts/postgres.sh
. "$STEADFAST_ROOT/scripts/postgres.sh"

SERVER_MODULE=go.temporal.io/server
CLUSTER_DIR="$STEADFAST_ROOT/deploy/temporal"
CLUSTER_PID="$STEADFAST_STATE/temporal-cluster.pid"
CLUSTER_LOG="$STEADFAST_STATE/temporal-cluster.log"
CLUSTER_HOST=127.0.0.1
CLUSTER_PORT=${STEADFAST_CLUSTER_PORT:-7233}
CLUSTER_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
# The pid file's process must be our server, not a recycled pid.
CLUSTER_PATTERN="temporal-server"

cluster_address() { printf '%s:%s\n' "$CLUSTER_HOST" "$CLUSTER_PORT"; }

# ensure_server_binaries builds bin/temporal-server and bin/temporal-sql-tool
# from tools/temporal-server when they are missing or not the pinned version.
ensure_server_binaries() {
	local want got name pkg
	want=$(go_mod_version "$STEADFAST_ROOT/tools/temporal-server/go.mod" "$SERVER_MODULE")
	[ -n "$want" ] || die "tools/temporal-server/go.mod does not pin $SERVER_MODULE"
	command -v go >/dev/null 2>&1 || die "Go is needed to build the Temporal server (install Go 1.26 from https://go.dev/dl/)"
	mkdir -p "$STEADFAST_ROOT/bin"
	for name in temporal-server temporal-sql-tool; do
		case $name in
		temporal-server) pkg=$SERVER_MODULE/cmd/server ;;
		temporal-sql-tool) pkg=$SERVER_MODULE/cmd/tools/sql ;;
		esac
		got=$(built_module_version "$STEADFAST_ROOT/bin/$name" "$SERVER_MODULE" || true)
		[ "$got" = "$want" ] && continue
		say "building bin/$name ($SERVER_MODULE $want, pinned in tools/temporal-server)"
		if ! (cd "$STEADFAST_ROOT/tools/temporal-server" && go build -o "$STEADFAST_ROOT/bin/$name.tmp" "$pkg"); then
			rm -f "$STEADFAST_ROOT/bin/$name.tmp"
			die "building $name failed (it needs the Go module proxy, GOPROXY=$(go env GOPROXY))"
		fi
		mv -f "$STEADFAST_ROOT/bin/$name.tmp" "$STEADFAST_ROOT/bin/$name"
	done
	SERVER_VERSION=$want
}

# server_config_dir: the configuration template shipped in the pinned server
# module (config/docker.yaml, the one the temporalio/server image renders).
server_config_dir() {
	local dir
	dir=$(cd "$STEADFAST_ROOT/tools/temporal-server" && go list -m -f '{{.Dir}}' "$SERVER_MODULE") ||
		die "cannot locate $SERVER_MODULE in the module cache (run: cd tools/temporal-server && go mod download)"
	[ -f "$dir/config/docker.yaml" ] || die "$dir/config/docker.yaml is missing"
	printf '%s/config\n' "$dir"
}

# load_server_env exports deploy/temporal/server.env, then points it at the
# local Postgres and the local ports.
load_server_env() {
	local hp host port user pass
	set -a
	# shellcheck source=deploy/temporal/server.env
	. "$CLUSTER_DIR/server.env"
	set +a
	if [ -n "${STEADFAST_CLUSTER_SQL_CONNS:-}" ]; then
		export SQL_MAX_CONNS=$STEADFAST_CLUSTER_SQL_CONNS SQL_MAX_IDLE_CONNS=$STEADFAST_CLUSTER_SQL_CONNS
	fi
	if [ -n "${STEADFAST_CLUSTER_SQL_VIS_CONNS:-}" ]; then
		export SQL_VIS_MAX_CONNS=$STEADFAST_CLUSTER_SQL_VIS_CONNS SQL_VIS_MAX_IDLE_CONNS=$STEADFAST_CLUSTER_SQL_VIS_CONNS
	fi
	# A second server on the same Postgres (another STEADFAST_CLUSTER_PORT)
	# needs databases of its own.
	if [ -n "${STEADFAST_CLUSTER_DB:-}" ]; then
		export DBNAME=$STEADFAST_CLUSTER_DB VISIBILITY_DBNAME=${STEADFAST_CLUSTER_DB}_visibility
	fi
	if [ -n "${STEADFAST_CLUSTER_PG_URL:-}" ]; then
		PG_ADMIN=$STEADFAST_CLUSTER_PG_URL
	else
		steadfast_ensure_postgres demo || die "no Postgres for the cluster: $(pg_missing_hint)"
		PG_ADMIN=$STEADFAST_PG_ADMIN_URL
	fi
	read -r host port <<<"$(pg_url_hostport "$PG_ADMIN")"
	user=${PG_ADMIN#*://}
	user=${user%%@*}
	case "$user" in "$PG_ADMIN" | */*) user=postgres ;; esac
	pass=""
	case "$user" in *:*) pass=${user#*:} user=${user%%:*} ;; esac
	export POSTGRES_SEEDS=$host DB_PORT=$port VISIBILITY_DB_PORT=$port POSTGRES_USER=$user POSTGRES_PWD=$pass
	export BIND_ON_IP=$CLUSTER_HOST TEMPORAL_BROADCAST_ADDRESS=$CLUSTER_HOST
	# Temporal's default port layout (7233 frontend, 7234 history, 7235 matching,
	# 7239 worker, 7243 HTTP, 69xx membership, 8000 metrics) shifted together.
	local shift=$((CLUSTER_PORT - 7233))
	export FRONTEND_GRPC_PORT=$CLUSTER_PORT
	export FRONTEND_HTTP_PORT=$((7243 + shift)) HISTORY_GRPC_PORT=$((7234 + shift))
	export MATCHING_GRPC_PORT=$((7235 + shift)) WORKER_GRPC_PORT=$((7239 + shift))
	export FRONTEND_MEMBERSHIP_PORT=$((6933 + shift)) HISTORY_MEMBERSHIP_PORT=$((6934 + shift))
	export MATCHING_MEMBERSHIP_PORT=$((6935 + shift)) WORKER_MEMBERSHIP_PORT=$((6939 + shift))
	export PROMETHEUS_ENDPOINT="$CLUSTER_HOST:$((8000 + shift))"
	export DYNAMIC_CONFIG_FILE_PATH="$CLUSTER_DIR/dynamicconfig.yaml"
}

# sql_tool ARGS...: Temporal's schema tool against the Postgres server.
sql_tool() {
	SQL_PASSWORD=$POSTGRES_PWD "$STEADFAST_ROOT/bin/temporal-sql-tool" --plugin "$DB" \
		--ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" "$@"
}

# setup_schemas runs deploy/temporal/setup-schema.sh, the script the compose
# file's admin-tools container runs, with the locally built SQL tool.
setup_schemas() {
	local line
	TEMPORAL_SQL_TOOL="$STEADFAST_ROOT/bin/temporal-sql-tool" sh "$CLUSTER_DIR/setup-schema.sh" |
		while IFS= read -r line; do say "$line"; done
}

cluster_healthy() {
	"$STEADFAST_TEMPORAL_CLI" operator cluster health --address "$(cluster_address)" 2>/dev/null | grep -q SERVING
}

cluster_up() {
	mkdir -p "$STEADFAST_STATE"
	ensure_temporal_cli
	if pid_running "$CLUSTER_PID" "$CLUSTER_PATTERN" && cluster_healthy; then
		say "Temporal cluster already running on $(cluster_address) (pid $(cat "$CLUSTER_PID"))"
	else
		if tcp_open "$CLUSTER_HOST" "$CLUSTER_PORT"; then
			die "port $CLUSTER_PORT is taken by another program (a dev server from make demo? run make down); or set STEADFAST_CLUSTER_PORT"
		fi
		ensure_server_binaries
		load_server_env
		setup_schemas
		local confdir
		confdir=$(server_config_dir)
		say "starting the Temporal server $SERVER_VERSION on $(cluster_address) (Postgres $POSTGRES_SEEDS:$DB_PORT, log ${CLUSTER_LOG#"$STEADFAST_ROOT"/})"
		printf '\n--- started by scripts/cluster.sh at %s ---\n' "$(date)" >>"$CLUSTER_LOG"
		nohup "$STEADFAST_ROOT/bin/temporal-server" --root / --config "${confdir#/}" --env docker \
			start >>"$CLUSTER_LOG" 2>&1 </dev/null &
		echo $! >"$CLUSTER_PID"
		local i=0
		until cluster_healthy; do
			if ! pid_running "$CLUSTER_PID" "$CLUSTER_PATTERN"; then
				tail -n 30 "$CLUSTER_LOG" >&2 || true
				die "the Temporal server exited (log: $CLUSTER_LOG)"
			fi
			i=$((i + 1))
			[ "$i" -lt 240 ] || die "the Temporal server did not answer within 120 s (log: $CLUSTER_LOG)"
			sleep 0.5
		done
	fi
	if ! "$STEADFAST_TEMPORAL_CLI" operator namespace describe --address "$(cluster_address)" \
		--namespace "$CLUSTER_NAMESPACE" >/dev/null 2>&1; then
		say "creating namespace $CLUSTER_NAMESPACE (retention 30 days)"
		"$STEADFAST_TEMPORAL_CLI" operator namespace create --address "$(cluster_address)" \
			--namespace "$CLUSTER_NAMESPACE" --retention 720h >/dev/null
		# The services learn of a new namespace from their cache, refreshed every 2 s.
		local i=0
		until "$STEADFAST_TEMPORAL_CLI" workflow count --address "$(cluster_address)" \
			--namespace "$CLUSTER_NAMESPACE" >/dev/null 2>&1; do
			i=$((i + 1))
			[ "$i" -lt 60 ] || die "namespace $CLUSTER_NAMESPACE was created but does not answer"
			sleep 0.5
		done
	fi
	say "Temporal cluster is serving on $(cluster_address), namespace $CLUSTER_NAMESPACE (server metrics http://$CLUSTER_HOST:$((8000 + CLUSTER_PORT - 7233))/metrics)"
}

cluster_down() {
	stop_pidfile "Temporal cluster" "$CLUSTER_PID" "$CLUSTER_PATTERN"
}

cluster_status() {
	if pid_running "$CLUSTER_PID" "$CLUSTER_PATTERN"; then
		say "Temporal cluster running on $(cluster_address) (pid $(cat "$CLUSTER_PID"), log $CLUSTER_LOG)"
	else
		say "Temporal cluster is not running"
		return 1
	fi
}

cluster_reset() {
	cluster_down
	ensure_server_binaries
	load_server_env
	local name
	for name in "$DBNAME" "$VISIBILITY_DBNAME"; do
		sql_tool --db "$name" drop-database --force >/dev/null 2>&1 || true
		say "dropped database $name"
	done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	cd "$STEADFAST_ROOT"
	case "${1:-up}" in
	up) cluster_up ;;
	down) cluster_down ;;
	status) cluster_status ;;
	reset) cluster_reset ;;
	address) cluster_address ;;
	*) die "usage: scripts/cluster.sh up|down|status|reset|address" ;;
	esac
fi
