#!/usr/bin/env bash
# `make demo`: brings up the whole local stack and starts the first example engagement.
#   1. Temporal: with STEADFAST_TEMPORAL=cluster the Postgres-backed server of
#      scripts/cluster.sh; else TEMPORAL_ADDRESS when it answers, else the Temporal
#      CLI dev server on 127.0.0.1:7233 (UI on :8233, history in .steadfast/temporal.db);
#   2. Postgres: DATABASE_URL, the local server, or an embedded one (scripts/postgres.sh),
#      and the steadfast database in it;
#   3. the worker (bin/steadfast-worker, log in .steadfast/worker.log), until /healthz answers;
#   4. `go run ./starter engage -f examples/saas-startup.yaml`;
#   5. the web (bin/steadfast-web on WEB_ADDR, default 127.0.0.1:8090, log .steadfast/web.log),
#      and a sign-in link for the example's lead.
# Running it again reuses whatever is already up. `make down` (scripts/down.sh) stops it.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/tools.sh
. "$STEADFAST_ROOT/scripts/tools.sh"
# shellcheck source=scripts/postgres.sh
. "$STEADFAST_ROOT/scripts/postgres.sh"

cd "$STEADFAST_ROOT"
mkdir -p "$STEADFAST_STATE" bin

SPEC=examples/saas-startup.yaml
DEV_HOST=127.0.0.1
DEV_PORT=7233
DEV_UI_PORT=8233

command -v go >/dev/null 2>&1 || die "Go 1.26 is needed (https://go.dev/dl/)"

# ---------------------------------------------------------------- Temporal
section "Temporal"
started_dev_server=false
temporal_health() {
	"$STEADFAST_TEMPORAL_CLI" operator cluster health --address "$1" >/dev/null 2>&1 &&
		"$STEADFAST_TEMPORAL_CLI" operator namespace describe --address "$1" --namespace "$2" >/dev/null 2>&1
}
TEMPORAL_NAMESPACE=${TEMPORAL_NAMESPACE:-default}
export TEMPORAL_NAMESPACE
addr=${TEMPORAL_ADDRESS:-}
local_addr=true
case "$addr" in
"" | localhost:"$DEV_PORT" | 127.0.0.1:"$DEV_PORT" | "[::1]:$DEV_PORT") ;;
*) local_addr=false ;;
esac
# shellcheck disable=SC2046
if [ "${STEADFAST_TEMPORAL:-dev}" = cluster ]; then
	# The Postgres-backed server of scripts/cluster.sh (production configuration).
	# shellcheck source=scripts/cluster.sh
	. "$STEADFAST_ROOT/scripts/cluster.sh"
	cluster_up
	addr=$(cluster_address)
	local_addr=cluster
elif [ -n "$addr" ] && tcp_open $(split_hostport "$addr" 7233); then
	say "Temporal: $addr (TEMPORAL_ADDRESS)"
elif [ "$local_addr" = false ]; then
	die "TEMPORAL_ADDRESS=$addr does not answer. Fix it, or unset it to let make demo run a local Temporal dev server"
elif pid_running "$STEADFAST_STATE/temporal.pid" "server start-dev"; then
	say "Temporal: dev server already running on $DEV_HOST:$DEV_PORT (pid $(cat "$STEADFAST_STATE/temporal.pid"))"
	addr="$DEV_HOST:$DEV_PORT"
	started_dev_server=true
elif tcp_open "$DEV_HOST" "$DEV_PORT"; then
	say "Temporal: a server already listens on $DEV_HOST:$DEV_PORT (not started by make demo); using it"
	addr="$DEV_HOST:$DEV_PORT"
else
	ensure_temporal_cli
	if tcp_open "$DEV_HOST" "$DEV_UI_PORT"; then
		die "port $DEV_UI_PORT (Temporal UI) is taken by another program; stop it and run make demo again"
	fi
	say "starting the Temporal dev server on $DEV_HOST:$DEV_PORT (UI http://localhost:$DEV_UI_PORT, log .steadfast/temporal.log)"
	nohup "$STEADFAST_TEMPORAL_CLI" server start-dev --ip "$DEV_HOST" --port "$DEV_PORT" \
		--ui-port "$DEV_UI_PORT" --db-filename "$STEADFAST_STATE/temporal.db" \
		--namespace "$TEMPORAL_NAMESPACE" --log-level warn \
		>>"$STEADFAST_STATE/temporal.log" 2>&1 </dev/null &
	echo $! >"$STEADFAST_STATE/temporal.pid"
	addr="$DEV_HOST:$DEV_PORT"
	started_dev_server=true
fi
if [ "$started_dev_server" = true ]; then
	[ -n "${STEADFAST_TEMPORAL_CLI:-}" ] || ensure_temporal_cli
	i=0
	until temporal_health "$addr" "$TEMPORAL_NAMESPACE"; do
		if ! pid_running "$STEADFAST_STATE/temporal.pid" "server start-dev"; then
			tail -n 30 "$STEADFAST_STATE/temporal.log" >&2 || true
			die "the Temporal dev server exited (log: .steadfast/temporal.log)"
		fi
		i=$((i + 1))
		[ "$i" -lt 120 ] || die "the Temporal dev server did not answer within 60 s (log: .steadfast/temporal.log)"
		sleep 0.5
	done
	say "Temporal dev server is serving (namespace $TEMPORAL_NAMESPACE)"
fi
export TEMPORAL_ADDRESS="$addr"

# ---------------------------------------------------------------- Postgres
section "Postgres"
steadfast_ensure_postgres demo
export DATABASE_URL="$STEADFAST_PG_URL"
db=$(pg_url_db "$DATABASE_URL")
db=${db:-steadfast}
if [ "$STEADFAST_PG_KIND" != embedded ]; then # devpg creates its database itself
	if command -v psql >/dev/null 2>&1; then
		# psql variables (:'db', :"db") quote the name; they work on stdin, not with -c.
		exists=$(echo "select 1 from pg_database where datname = :'db';" |
			psql -X -q -t -A -v ON_ERROR_STOP=1 -v db="$db" "$STEADFAST_PG_ADMIN_URL") ||
			die "cannot query $STEADFAST_PG_ADMIN_URL (see above)"
		if [ "$exists" != 1 ]; then
			say "creating database $db"
			out=$(echo 'create database :"db";' |
				psql -X -q -v ON_ERROR_STOP=1 -v db="$db" "$STEADFAST_PG_ADMIN_URL" 2>&1) ||
				case "$out" in *"already exists"*) ;; *) die "create database $db: $out" ;; esac
		fi
	elif command -v createdb >/dev/null 2>&1; then
		out=$(createdb --maintenance-db="$STEADFAST_PG_ADMIN_URL" "$db" 2>&1) ||
			case "$out" in *"already exists"*) ;; *) die "createdb $db: $out" ;; esac
	else
		warn "neither psql nor createdb is installed: cannot check that database $db exists"
	fi
fi
shown_db_url=$DATABASE_URL
[ "$STEADFAST_PG_KIND" != env ] || shown_db_url=$(redact_url "$DATABASE_URL")
say "DATABASE_URL=$shown_db_url"

# ---------------------------------------------------------------- actor key
# The web attests who acted with STEADFAST_ACTOR_KEY and the worker checks it, so both
# get the same key: the one set, else a demo key kept in .steadfast/actor.key.
if [ -z "${STEADFAST_ACTOR_KEY:-}" ]; then
	[ -s "$STEADFAST_STATE/actor.key" ] || (umask 077 && od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$STEADFAST_STATE/actor.key")
	STEADFAST_ACTOR_KEY=$(cat "$STEADFAST_STATE/actor.key")
fi
export STEADFAST_ACTOR_KEY

# ---------------------------------------------------------------- worker
section "Worker"
http_addr=${STEADFAST_HTTP_ADDR:-:8080}
http_port=${http_addr##*:}
health_url="http://127.0.0.1:$http_port/healthz"
say "building bin/steadfast-worker"
go build -o bin/steadfast-worker.tmp ./worker
mv -f bin/steadfast-worker.tmp bin/steadfast-worker
# The running worker is reused only when it is this binary with this configuration.
fingerprint=$(string_digest "$(file_digest bin/steadfast-worker) $TEMPORAL_ADDRESS $TEMPORAL_NAMESPACE $DATABASE_URL $http_addr ${STEADFAST_TASK_QUEUE:-} ${LOG_LEVEL:-} ${LOG_FORMAT:-} $(string_digest "$STEADFAST_ACTOR_KEY")")
export STEADFAST_HTTP_ADDR="$http_addr"
run_service worker steadfast-worker "$fingerprint" "$http_port" "$health_url" "STEADFAST_HTTP_ADDR=:PORT"

# ---------------------------------------------------------------- engagement
section "Engagement"
say "go run ./starter engage -f $SPEC"
set +e
out=$(go run ./starter engage -f "$SPEC" 2>&1)
rc=$?
set -e
if [ "$rc" -eq 0 ]; then
	printf '%s\n' "$out"
else
	# Already running is the expected answer on a second `make demo`: say so
	# once, without the refusal and go run's "exit status 1" above it.
	case "$out" in
	*"already exists"*) say "the engagement from $SPEC is already running (\`go run ./starter list\`); carrying on" ;;
	*) printf '%s\n' "$out"; die "starting the engagement failed (exit $rc)" ;;
	esac
fi

# ---------------------------------------------------------------- web
section "Web"
web_addr=${WEB_ADDR:-127.0.0.1:8090}
web_port=${web_addr##*:}
export WEB_ADDR="$web_addr" WEB_BASE_URL="${WEB_BASE_URL:-http://localhost:$web_port}"
web_health="http://127.0.0.1:$web_port/healthz"
say "building bin/steadfast-web"
go build -o bin/steadfast-web.tmp ./web
mv -f bin/steadfast-web.tmp bin/steadfast-web
web_fingerprint=$(string_digest "$(file_digest bin/steadfast-web) $TEMPORAL_ADDRESS $TEMPORAL_NAMESPACE $DATABASE_URL $WEB_ADDR $WEB_BASE_URL $(string_digest "$STEADFAST_ACTOR_KEY")")
run_service web steadfast-web "$web_fingerprint" "$web_port" "$web_health" "WEB_ADDR=127.0.0.1:PORT"
# The engagement is in the record a moment after it starts; the link needs it there.
signin="(run: go run ./starter web-login maya@brightlane.io --engagement brightlane)"
for _ in $(seq 1 20); do
	if link=$(go run ./starter web-login maya@brightlane.io --engagement brightlane 2>/dev/null); then
		signin=$link
		break
	fi
	sleep 0.5
done

ui="(your Temporal cluster's UI)"
if [ "$local_addr" = true ]; then ui="http://localhost:$DEV_UI_PORT/namespaces/$TEMPORAL_NAMESPACE/workflows"; fi
if [ "$local_addr" = cluster ]; then ui="none (make cluster runs no UI): temporal workflow list --address $TEMPORAL_ADDRESS"; fi
cat <<NEXT

Steadfast is running.
  Temporal     $TEMPORAL_ADDRESS (namespace $TEMPORAL_NAMESPACE)
  Postgres     $shown_db_url
  Worker       $health_url   log: .steadfast/worker.log
  Web          $WEB_BASE_URL   log: .steadfast/web.log
  Sign in as the lead (maya@brightlane.io; single use, 15 minutes):
    $signin

What to run next:
  go run ./starter status brightlane        # phase, plan dates, scope risks, who it waits on
  go run ./starter list                     # every engagement
  go run ./starter scope approve brightlane --as maya@brightlane.io --reason "scope reviewed with the CTO"
  Temporal UI: $ui
  make down                                 # stop what make demo started (data is kept in .steadfast/)
NEXT
