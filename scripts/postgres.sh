#!/usr/bin/env bash
# Makes sure a Postgres server is reachable, for the demo or for the tests.
#
#   scripts/postgres.sh [test|demo]   prints the URL to use on stdout (messages on stderr)
#   . scripts/postgres.sh; steadfast_ensure_postgres demo|test
#
# steadfast_ensure_postgres sets:
#   STEADFAST_PG_KIND       env | local | embedded
#   STEADFAST_PG_ADMIN_URL  a URL to the server's maintenance database (postgres)
#   STEADFAST_PG_URL        demo: the application database URL (DATABASE_URL);
#                           test: the URL the tests get as TEST_DATABASE_URL
#
# Order:
#   1. demo: DATABASE_URL; test: TEST_DATABASE_URL, else DATABASE_URL's server
#      -- when set and reachable;
#   2. the local server on 127.0.0.1:5432 (user postgres, trust auth), started with
#      pg_ctlcluster when it is installed but down;
#   3. demo only: an embedded Postgres on 127.0.0.1:5433 (tools/devpg), data under
#      .steadfast/pgdata, stopped by `make down`.
# With CI=true a missing Postgres is an error; in test mode outside CI,
# steadfast_ensure_postgres returns 1 and the caller decides.

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_LOCAL_HOST=127.0.0.1
PG_LOCAL_PORT=5432
PG_LOCAL_ADMIN_URL="postgres://postgres@$PG_LOCAL_HOST:$PG_LOCAL_PORT/postgres?sslmode=disable"
PG_EMBEDDED_PORT=5433
PG_EMBEDDED_ADMIN_URL="postgres://postgres:postgres@127.0.0.1:$PG_EMBEDDED_PORT/postgres?sslmode=disable"

# pg_url_with_db URL DBNAME: URL with its database replaced by DBNAME.
pg_url_with_db() {
	local url=$1 db=$2 re='^([A-Za-z][A-Za-z0-9+.-]*://[^/?]*)(/[^?]*)?(\?.*)?$'
	if [[ $url =~ $re ]]; then
		printf '%s/%s%s\n' "${BASH_REMATCH[1]}" "$db" "${BASH_REMATCH[3]}"
	else
		printf '%s\n' "$url"
	fi
}

# pg_url_db URL: the database named in URL (empty when none).
pg_url_db() {
	local url=$1 re='^[A-Za-z][A-Za-z0-9+.-]*://[^/?]*/([^?]*)'
	if [[ $url =~ $re ]]; then printf '%s\n' "${BASH_REMATCH[1]}"; fi
}

# pg_url_hostport URL: "host port" of a postgres:// URL.
pg_url_hostport() {
	local rest=${1#*://}
	rest=${rest%%/*}
	rest=${rest%%\?*}
	rest=${rest##*@}
	split_hostport "$rest" 5432
}

# pg_server_up URL: true when a server answers at URL's host and port.
pg_server_up() {
	local url=$1 hp
	if command -v pg_isready >/dev/null 2>&1; then
		pg_isready -q -t 3 -d "$url" >/dev/null 2>&1
	elif command -v psql >/dev/null 2>&1; then
		local out
		out=$(PGCONNECT_TIMEOUT=3 psql -X -q -t -A -c 'select 1' "$(pg_url_with_db "$url" postgres)" 2>&1) && return 0
		case "$out" in *"does not exist"* | *"authentication failed"* | *"no password"*) return 0 ;; esac
		return 1
	else
		hp=$(pg_url_hostport "$url")
		# shellcheck disable=SC2086
		tcp_open $hp
	fi
}

# pg_login_error URL: prints why logging in to URL fails; empty output (and
# status 0) when it works or when there is no psql to tell.
pg_login_error() {
	command -v psql >/dev/null 2>&1 || return 0
	local out
	if ! out=$(PGCONNECT_TIMEOUT=5 psql -X -q -t -A -c 'select 1' "$1" </dev/null 2>&1); then
		printf '%s\n' "$out"
		return 1
	fi
}

pg_wait_up() {
	local url=$1 secs=$2 i=0
	while ! pg_server_up "$url"; do
		i=$((i + 1))
		[ "$i" -ge "$secs" ] && return 1
		sleep 1
	done
}

# start_local_cluster: starts the Debian/Ubuntu cluster that listens on 5432.
start_local_cluster() {
	command -v pg_lsclusters >/dev/null 2>&1 || return 1
	command -v pg_ctlcluster >/dev/null 2>&1 || return 1
	local line ver name
	line=$(pg_lsclusters -h 2>/dev/null | awk -v p="$PG_LOCAL_PORT" '$3 == p {print $1, $2; exit}')
	[ -n "$line" ] || return 1
	ver=${line%% *}
	name=${line#* }
	say "local Postgres $ver/$name is installed but down; starting it: pg_ctlcluster --skip-systemctl-redirect $ver $name start"
	if ! pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start; then
		warn "could not start it (as a non-root user try: sudo pg_ctlcluster --skip-systemctl-redirect $ver $name start)"
		return 1
	fi
	pg_wait_up "$PG_LOCAL_ADMIN_URL" 30
}

# start_embedded_postgres: runs tools/devpg in the background (demo only).
start_embedded_postgres() {
	local pidfile="$STEADFAST_STATE/devpg.pid" log="$STEADFAST_STATE/devpg.log" bin="$STEADFAST_ROOT/bin/steadfast-devpg" i pid
	mkdir -p "$STEADFAST_STATE"
	if pid_running "$pidfile" steadfast-devpg && tcp_open 127.0.0.1 "$PG_EMBEDDED_PORT"; then
		say "embedded Postgres already running on 127.0.0.1:$PG_EMBEDDED_PORT (pid $(cat "$pidfile"))"
		return 0
	fi
	if tcp_open 127.0.0.1 "$PG_EMBEDDED_PORT"; then
		if [ -z "$(pg_login_error "$PG_EMBEDDED_ADMIN_URL" 2>/dev/null)" ]; then
			say "a Postgres already listens on 127.0.0.1:$PG_EMBEDDED_PORT; using it"
			return 0
		fi
		die "port $PG_EMBEDDED_PORT is taken by something that is not the embedded Postgres; free it or set DATABASE_URL"
	fi
	if [ "$(id -u)" = "0" ]; then
		die "no Postgres found, and the embedded one cannot run as root (initdb refuses). Start a Postgres server, install one (apt-get install postgresql) or set DATABASE_URL, or run make demo as a normal user"
	fi
	command -v go >/dev/null 2>&1 || die "Go is needed to build tools/devpg"
	say "no Postgres found; starting an embedded one on 127.0.0.1:$PG_EMBEDDED_PORT (tools/devpg, data in .steadfast/pgdata)"
	(cd "$STEADFAST_ROOT/tools/devpg" && go build -o "$bin" .) || die "building tools/devpg failed"
	: >"$log"
	nohup "$bin" -port "$PG_EMBEDDED_PORT" -data "$STEADFAST_STATE/pgdata" \
		-runtime "$STEADFAST_STATE/pgruntime" -database steadfast \
		>>"$log" 2>&1 </dev/null &
	pid=$!
	echo "$pid" >"$pidfile"
	i=0
	# The first start may download Postgres binaries (about 10 MB).
	while ! grep -q '^devpg: ready' "$log" 2>/dev/null; do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 30 "$log" >&2
			rm -f "$pidfile"
			die "the embedded Postgres exited (log: .steadfast/devpg.log)"
		fi
		i=$((i + 1))
		if [ "$i" -ge 360 ]; then
			tail -n 30 "$log" >&2
			die "the embedded Postgres did not become ready in 3 minutes (log: .steadfast/devpg.log)"
		fi
		sleep 0.5
	done
	say "embedded Postgres ready (pid $pid, log .steadfast/devpg.log)"
}

pg_missing_hint() {
	cat >&2 <<'HINT'
  How to get one:
    - start the local server:  pg_ctlcluster --skip-systemctl-redirect <version> main start
    - or install it:           apt-get install postgresql   (brew install postgresql@15 on macOS)
    - or point at one:         TEST_DATABASE_URL / DATABASE_URL=postgres://USER:PASS@HOST:5432/postgres?sslmode=disable
HINT
}

steadfast_ensure_postgres() {
	local mode=${1:-test} given="" given_name="" err
	case "$mode" in demo | test) ;; *) die "steadfast_ensure_postgres: mode must be demo or test, not $mode" ;; esac
	STEADFAST_PG_KIND="" STEADFAST_PG_ADMIN_URL="" STEADFAST_PG_URL=""

	# 1. An explicitly configured server.
	if [ "$mode" = test ] && [ -n "${TEST_DATABASE_URL:-}" ]; then
		given=$TEST_DATABASE_URL given_name=TEST_DATABASE_URL
	elif [ -n "${DATABASE_URL:-}" ]; then
		given=$DATABASE_URL given_name=DATABASE_URL
	fi
	if [ -n "$given" ]; then
		if pg_server_up "$given"; then
			STEADFAST_PG_KIND="env"
			STEADFAST_PG_ADMIN_URL=$(pg_url_with_db "$given" postgres)
			if [ "$mode" = demo ] || [ "$given_name" = TEST_DATABASE_URL ]; then
				STEADFAST_PG_URL=$given
			else
				STEADFAST_PG_URL=$STEADFAST_PG_ADMIN_URL
			fi
			say "Postgres: $given_name ($(pg_url_hostport "$given" | tr ' ' ':'))"
			export STEADFAST_PG_KIND STEADFAST_PG_ADMIN_URL STEADFAST_PG_URL
			return 0
		fi
		warn "$given_name is set but its server does not answer; trying the local server"
	fi

	# 2. The local server on 127.0.0.1:5432.
	if pg_server_up "$PG_LOCAL_ADMIN_URL" || start_local_cluster; then
		if err=$(pg_login_error "$PG_LOCAL_ADMIN_URL"); then
			STEADFAST_PG_KIND=local
			STEADFAST_PG_ADMIN_URL=$PG_LOCAL_ADMIN_URL
			if [ "$mode" = demo ]; then
				STEADFAST_PG_URL="postgres://postgres@$PG_LOCAL_HOST:$PG_LOCAL_PORT/steadfast?sslmode=disable"
			else
				STEADFAST_PG_URL=$PG_LOCAL_ADMIN_URL
			fi
			say "Postgres: local server on $PG_LOCAL_HOST:$PG_LOCAL_PORT"
			export STEADFAST_PG_KIND STEADFAST_PG_ADMIN_URL STEADFAST_PG_URL
			return 0
		fi
		warn "a Postgres runs on $PG_LOCAL_HOST:$PG_LOCAL_PORT but user postgres cannot log in without a password:"
		printf '    %s\n' "$err" >&2
		warn "set DATABASE_URL/TEST_DATABASE_URL with credentials, or allow trust auth for 127.0.0.1 in pg_hba.conf"
	fi

	# 3. Nothing usable.
	if in_ci; then
		printf 'error: no usable Postgres (CI=true, so this is a failure, not a skip).\n' >&2
		pg_missing_hint
		exit 1
	fi
	if [ "$mode" = test ]; then
		warn "no usable Postgres: tests that need one cannot run"
		pg_missing_hint
		return 1
	fi
	start_embedded_postgres
	STEADFAST_PG_KIND=embedded
	STEADFAST_PG_ADMIN_URL=$PG_EMBEDDED_ADMIN_URL
	STEADFAST_PG_URL=$(pg_url_with_db "$PG_EMBEDDED_ADMIN_URL" steadfast)
	export STEADFAST_PG_KIND STEADFAST_PG_ADMIN_URL STEADFAST_PG_URL
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	cd "$STEADFAST_ROOT"
	if [ "$#" -gt 1 ]; then die "usage: scripts/postgres.sh [test|demo]"; fi
	steadfast_ensure_postgres "${1:-test}" || exit 1
	printf '%s\n' "$STEADFAST_PG_URL"
fi
