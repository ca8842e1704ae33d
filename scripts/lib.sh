# shellcheck shell=bash
# Helpers shared by the Steadfast scripts. Source it; it runs nothing by itself.
# Written for bash 3.2 too (macOS): no mapfile, no associative arrays.

STEADFAST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck disable=SC2034 # used by the scripts that source this file
STEADFAST_STATE="$STEADFAST_ROOT/.steadfast"

say() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}
section() { printf '\n======== %s ========\n' "$*" >&2; }

in_ci() { [ "${CI:-}" = "true" ] || [ "${CI:-}" = "1" ]; }

# tcp_open HOST PORT: true when something accepts a TCP connection there (2 s limit).
tcp_open() {
	local host=$1 port=$2
	if command -v timeout >/dev/null 2>&1; then
		timeout 2 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
	else
		bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null
	fi
}

# split_hostport "host:port" DEFAULT_PORT: prints "host port" ([::1]:7233 works too).
split_hostport() {
	local hp=$1 def=$2 host port
	case "$hp" in
	\[*\]:*) host=${hp%%]:*}; host=${host#[}; port=${hp##*]:} ;;
	*:*) host=${hp%:*}; port=${hp##*:} ;;
	*) host=$hp; port=$def ;;
	esac
	[ -n "$host" ] || host=127.0.0.1
	printf '%s %s\n' "$host" "$port"
}

# http_status URL: prints the HTTP status code, or 000 when nothing answers.
http_status() {
	local url=$1 code
	if command -v curl >/dev/null 2>&1; then
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url" 2>/dev/null) || true
	elif command -v wget >/dev/null 2>&1; then
		code=$(wget -q -S -O /dev/null -T 3 -t 1 "$url" 2>&1 | awk '/^  HTTP\//{c=$2} END{print c}') || true
	else
		die "need curl or wget to check $url"
	fi
	printf '%s\n' "${code:-000}"
}

# pid_running PIDFILE PATTERN: true when the pid in PIDFILE is alive and its
# command line contains PATTERN (so a recycled pid is never mistaken for ours).
pid_running() {
	local file=$1 pattern=$2 pid cmd
	[ -f "$file" ] || return 1
	pid=$(cat "$file" 2>/dev/null) || return 1
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$pid" 2>/dev/null || return 1
	case "$(ps -p "$pid" -o stat= 2>/dev/null)" in Z* | *Z) return 1 ;; esac # a zombie is gone
	cmd=$(ps -p "$pid" -o command= 2>/dev/null) || return 1
	case "$cmd" in *"$pattern"*) return 0 ;; esac
	return 1
}

# stop_pidfile NAME PIDFILE PATTERN [SIGNAL]: stops the process recorded in PIDFILE
# (SIGTERM by default, SIGKILL after 20 s) and removes the file.
stop_pidfile() {
	local name=$1 file=$2 pattern=$3 sig=${4:-TERM} pid i
	if ! pid_running "$file" "$pattern"; then
		[ -f "$file" ] && rm -f "$file"
		return 0
	fi
	pid=$(cat "$file")
	say "stopping $name (pid $pid)"
	kill "-$sig" "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ "$i" -ge 40 ]; then
			warn "$name did not stop within 20 s; killing it"
			kill -KILL "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.5
	done
	rm -f "$file"
}

# file_digest FILE: a content hash (sha256sum or shasum, else cksum).
file_digest() {
	if command -v sha256sum >/dev/null 2>&1; then
		sha256sum "$1" | awk '{print $1}'
	elif command -v shasum >/dev/null 2>&1; then
		shasum -a 256 "$1" | awk '{print $1}'
	else
		cksum "$1" | awk '{print $1 $2}'
	fi
}

# string_digest STRING
string_digest() {
	local tmp
	tmp=$(mktemp)
	printf '%s' "$1" >"$tmp"
	file_digest "$tmp"
	rm -f "$tmp"
}

# redact_url URL: URL with any password replaced by ***.
redact_url() {
	printf '%s\n' "$1" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://[^:/@]*):[^@/]*@#\1:***@#'
}

# go_mod_version MODFILE MODULE: the version of MODULE required in MODFILE.
go_mod_version() {
	awk -v m="$2" '($1 == m) {print $2; exit} ($1 == "require" && $2 == m) {print $3; exit}' "$1"
}

# run_service NAME BINARY FINGERPRINT PORT HEALTH_URL PORT_HINT: start
# bin/BINARY in the background (pid and log under $STEADFAST_STATE) until
# HEALTH_URL answers 200, reusing a running one with the same fingerprint
# (build and configuration) and restarting one whose fingerprint changed.
run_service() {
	local name=$1 bin=$2 fingerprint=$3 port=$4 health=$5 hint=$6
	local pidfile="$STEADFAST_STATE/$name.pid" log="$STEADFAST_STATE/$name.log"
	if pid_running "$pidfile" "$bin" &&
		[ "$(cat "$STEADFAST_STATE/$name.fingerprint" 2>/dev/null)" = "$fingerprint" ] &&
		[ "$(http_status "$health")" = 200 ]; then
		say "$name already running (pid $(cat "$pidfile")), same build and configuration"
		return 0
	fi
	if pid_running "$pidfile" "$bin"; then
		say "the $name's build or configuration changed; restarting it"
		stop_pidfile "$name" "$pidfile" "$bin"
	fi
	if tcp_open 127.0.0.1 "$port"; then
		die "port $port is taken by another program; stop it or set $hint"
	fi
	say "starting the $name (log .steadfast/$name.log, health $health)"
	printf '\n--- started by make demo at %s ---\n' "$(date)" >>"$log"
	nohup "bin/$bin" >>"$log" 2>&1 </dev/null &
	echo $! >"$pidfile"
	echo "$fingerprint" >"$STEADFAST_STATE/$name.fingerprint"
	local i=0
	until [ "$(http_status "$health")" = 200 ]; do
		if ! pid_running "$pidfile" "$bin"; then
			tail -n 30 "$log" >&2 || true
			die "the $name exited (log: .steadfast/$name.log)"
		fi
		i=$((i + 1))
		[ "$i" -lt 120 ] || die "the $name's $health did not return 200 within 60 s (log: .steadfast/$name.log)"
		sleep 0.5
	done
	say "$name is healthy (pid $(cat "$pidfile"))"
}
