#!/usr/bin/env bash
# Builds the pinned tools into bin/ (or finds them):
#   bin/temporal       Temporal CLI (dev server), pinned in tools/temporal/go.mod
#   bin/workflowcheck  Temporal's determinism checker, pinned in tools/workflowcheck/go.mod
#   bin/staticcheck    static analysis beyond go vet, pinned in tools/staticcheck/go.mod
#   bin/errcheck       unchecked errors, pinned in tools/errcheck/go.mod (exclusions: tools/errcheck/excludes.txt)
#
# Run it (`scripts/tools.sh`, `make tools`) or source it and call ensure_tools, which exports
# STEADFAST_TEMPORAL_CLI, STEADFAST_WORKFLOWCHECK, STEADFAST_STATICCHECK and STEADFAST_ERRCHECK.
#
# Which Temporal CLI is used, in order:
#   1. STEADFAST_TEMPORAL_CLI, when set (must be executable);
#   2. bin/temporal, when it is the pinned version;
#   3. a `temporal` already on PATH;
#   4. otherwise bin/temporal is built from the Go module proxy
#      (the first build takes about 5 minutes and 250 MB of module cache).
# STEADFAST_BUILD_TEMPORAL=1 skips step 3 and always uses the pinned build.

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPORAL_CLI_MODULE=github.com/temporalio/cli
WORKFLOWCHECK_MODULE=go.temporal.io/sdk/contrib/tools/workflowcheck
STATICCHECK_MODULE=honnef.co/go/tools
ERRCHECK_MODULE=github.com/kisielk/errcheck

# built_module_version BINARY MODULE: the version of MODULE linked into BINARY.
built_module_version() {
	command -v go >/dev/null 2>&1 || return 1
	go version -m "$1" 2>/dev/null | awk -v m="$2" '($1 == "mod" || $1 == "dep") && $2 == m {print $3; exit}'
}

temporal_cli_is_pinned() {
	local bin=$1 want=$2 got
	[ -x "$bin" ] || return 1
	# A release build reports the version itself; a build from the module proxy
	# reports 0.0.0-DEV unless built by this script, so also read the build info.
	got=$("$bin" --version 2>/dev/null || true)
	case "$got" in *"version ${want#v} "* | *"version ${want#v}") return 0 ;; esac
	got=$(built_module_version "$bin" "$TEMPORAL_CLI_MODULE") || return 1
	[ "$got" = "$want" ]
}

build_temporal_cli() {
	local want=$1 out="$STEADFAST_ROOT/bin/temporal"
	command -v go >/dev/null 2>&1 || die "Go is needed to build the Temporal CLI (install Go 1.26 from https://go.dev/dl/)"
	say "building Temporal CLI $want into bin/temporal from tools/temporal"
	say "(the first build downloads ~250 MB of modules and takes about 5 minutes; later runs reuse it)"
	mkdir -p "$STEADFAST_ROOT/bin"
	if ! (cd "$STEADFAST_ROOT/tools/temporal" &&
		go build -ldflags "-X $TEMPORAL_CLI_MODULE/temporalcli.Version=${want#v}" \
			-o "$out.tmp" "$TEMPORAL_CLI_MODULE/cmd/temporal"); then
		rm -f "$out.tmp"
		die "building the Temporal CLI failed. It needs the Go module proxy (GOPROXY=$(go env GOPROXY)); alternatively install the Temporal CLI (https://docs.temporal.io/cli) and set STEADFAST_TEMPORAL_CLI=/path/to/temporal"
	fi
	mv -f "$out.tmp" "$out"
}

ensure_temporal_cli() {
	local want bin="$STEADFAST_ROOT/bin/temporal" onpath
	want=$(go_mod_version "$STEADFAST_ROOT/tools/temporal/go.mod" "$TEMPORAL_CLI_MODULE")
	[ -n "$want" ] || die "tools/temporal/go.mod does not pin $TEMPORAL_CLI_MODULE"

	if [ -n "${STEADFAST_TEMPORAL_CLI:-}" ]; then
		[ -x "$STEADFAST_TEMPORAL_CLI" ] || die "STEADFAST_TEMPORAL_CLI=$STEADFAST_TEMPORAL_CLI is not an executable file"
		say "Temporal CLI: $STEADFAST_TEMPORAL_CLI (from STEADFAST_TEMPORAL_CLI; $("$STEADFAST_TEMPORAL_CLI" --version 2>/dev/null | head -n1))"
		export STEADFAST_TEMPORAL_CLI
		return 0
	fi
	if temporal_cli_is_pinned "$bin" "$want"; then
		say "Temporal CLI: bin/temporal ($want, pinned in tools/temporal)"
		export STEADFAST_TEMPORAL_CLI="$bin"
		return 0
	fi
	onpath=$(command -v temporal 2>/dev/null || true)
	if [ -n "$onpath" ] && [ "${STEADFAST_BUILD_TEMPORAL:-}" != "1" ]; then
		say "Temporal CLI: $onpath (found on PATH; $("$onpath" --version 2>/dev/null | head -n1)); set STEADFAST_BUILD_TEMPORAL=1 to build the pinned $want instead"
		export STEADFAST_TEMPORAL_CLI="$onpath"
		return 0
	fi
	[ -e "$bin" ] && say "bin/temporal is not the pinned $want; rebuilding it"
	build_temporal_cli "$want"
	temporal_cli_is_pinned "$bin" "$want" || die "bin/temporal was built but does not report $want"
	say "Temporal CLI: bin/temporal ($want, built)"
	export STEADFAST_TEMPORAL_CLI="$bin"
}

# ensure_go_tool NAME MODULE PACKAGE VAR: bin/NAME built from PACKAGE at the version of MODULE
# pinned in tools/NAME/go.mod (rebuilt when bin/NAME is another version); exports VAR=bin/NAME.
ensure_go_tool() {
	local name=$1 module=$2 pkg=$3 var=$4 want got bin="$STEADFAST_ROOT/bin/$1"
	want=$(go_mod_version "$STEADFAST_ROOT/tools/$name/go.mod" "$module")
	[ -n "$want" ] || die "tools/$name/go.mod does not pin $module"
	if [ -x "$bin" ]; then
		got=$(built_module_version "$bin" "$module" || true)
		if [ "$got" = "$want" ]; then
			say "$name: bin/$name ($want)"
			export "$var=$bin"
			return 0
		fi
		say "bin/$name is ${got:-of unknown version}, not the pinned $want; rebuilding it"
	fi
	command -v go >/dev/null 2>&1 || die "Go is needed to build $name (install Go 1.26 from https://go.dev/dl/)"
	say "building $name $want into bin/$name from tools/$name"
	mkdir -p "$STEADFAST_ROOT/bin"
	if ! (cd "$STEADFAST_ROOT/tools/$name" && go build -o "$bin.tmp" "$pkg"); then
		rm -f "$bin.tmp"
		die "building $name failed (it needs the Go module proxy, GOPROXY=$(go env GOPROXY))"
	fi
	mv -f "$bin.tmp" "$bin"
	export "$var=$bin"
}

ensure_workflowcheck() {
	ensure_go_tool workflowcheck "$WORKFLOWCHECK_MODULE" "$WORKFLOWCHECK_MODULE" STEADFAST_WORKFLOWCHECK
}

ensure_linters() {
	ensure_go_tool staticcheck "$STATICCHECK_MODULE" "$STATICCHECK_MODULE/cmd/staticcheck" STEADFAST_STATICCHECK
	ensure_go_tool errcheck "$ERRCHECK_MODULE" "$ERRCHECK_MODULE" STEADFAST_ERRCHECK
}

ensure_tools() {
	ensure_temporal_cli
	ensure_workflowcheck
	ensure_linters
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	cd "$STEADFAST_ROOT"
	ensure_tools
fi
