#!/usr/bin/env bash
# `make test` (and .ci/run): every check and every test, failing fast.
#   tools -> Postgres -> gofmt -> go vet -> workflowcheck -> staticcheck, errcheck -> go test -race -> fuzz smoke
# The tests start their own Temporal dev server (testsuite.StartDevServer with
# STEADFAST_TEMPORAL_CLI) and create their own databases on TEST_DATABASE_URL.
# STEADFAST_FUZZTIME (default 10s) sets how long each fuzz target runs.
set -euo pipefail

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=scripts/tools.sh
. "$STEADFAST_ROOT/scripts/tools.sh"
# shellcheck source=scripts/postgres.sh
. "$STEADFAST_ROOT/scripts/postgres.sh"
# shellcheck source=scripts/chromium.sh
. "$STEADFAST_ROOT/scripts/chromium.sh"

cd "$STEADFAST_ROOT"
exec 2>&1 # one stream, so the section headers stay next to their output
started=$(date +%s)
command -v go >/dev/null 2>&1 || die "Go 1.26 is needed (https://go.dev/dl/)"
say "$(go version)${CI:+ (CI=$CI)}"

section "Tools"
ensure_tools
export STEADFAST_TEMPORAL_CLI
ensure_chromium

section "Postgres"
if steadfast_ensure_postgres test; then
	export TEST_DATABASE_URL="$STEADFAST_PG_URL"
	say "TEST_DATABASE_URL=$TEST_DATABASE_URL"
else
	# Only outside CI (in CI steadfast_ensure_postgres has already failed).
	unset TEST_DATABASE_URL
	warn "running without TEST_DATABASE_URL: tests that need Postgres will say so and skip"
fi

# go_files: tracked and untracked-but-not-ignored .go files that exist.
go_files() {
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git ls-files -z --cached --others --exclude-standard -- '*.go' |
			while IFS= read -r -d '' f; do [ -f "$f" ] && printf '%s\n' "$f"; done
	else
		find . -name '*.go' -not -path './.steadfast/*' -not -path './bin/*' -not -path '*/.git/*' | sed 's|^\./||'
	fi | sort -u
}

section "gofmt"
files=$(go_files)
if [ -n "$files" ]; then
	unformatted=$(printf '%s\n' "$files" | tr '\n' '\0' | xargs -0 gofmt -l)
	if [ -n "$unformatted" ]; then
		printf '%s\n' "$unformatted" >&2
		die "these files are not gofmt-formatted (fix: gofmt -w FILE)"
	fi
fi
say "gofmt: $(printf '%s\n' "$files" | grep -c . || true) files formatted"

section "go vet"
go vet ./...
for mod in tools/*/; do
	# Tool modules that hold Go code of their own (tools/devpg); pin-only modules have none.
	if [ -f "$mod/go.mod" ] && ls "$mod"*.go >/dev/null 2>&1; then
		say "go vet in ${mod%/}"
		(cd "$mod" && go vet ./...)
	fi
done

section "workflowcheck"
"$STEADFAST_WORKFLOWCHECK" ./workflows/...
say "workflowcheck: ./workflows/... is deterministic"

section "staticcheck and errcheck"
# Both run in the root module and in each tool module that holds Go code (tools/devpg).
# errcheck's exclusions, each with its reason, are in tools/errcheck/excludes.txt.
errcheck_excludes=$STEADFAST_ROOT/tools/errcheck/excludes.txt
for mod in . tools/*/; do
	[ -f "$mod/go.mod" ] || continue
	[ "$mod" = . ] || ls "$mod"*.go >/dev/null 2>&1 || continue
	(cd "$mod" && "$STEADFAST_STATICCHECK" ./...) || die "staticcheck found problems in ${mod%/} (above)"
	(cd "$mod" && "$STEADFAST_ERRCHECK" -exclude "$errcheck_excludes" ./...) ||
		die "errcheck found unchecked errors in ${mod%/} (above): check them, or add the call to tools/errcheck/excludes.txt with the reason"
done
say "staticcheck and errcheck: clean"

section "go test -race"
go test -race -count=1 -timeout 30m ./...

section "go test (no race): the long lifecycle tests"
# These two files are built only without -race (see their header): the SDK's
# test environment races with itself in them. They still run, here.
long='TestHistoryBudgetOverThreeYears|TestLifecycleFromSpecToCertifiedProgramme'
out=$(go test -count=1 -timeout 20m -v -run "^($long)\$" ./workflows/ 2>&1) || {
	grep -v '^20[0-9][0-9]/' <<<"$out" | tail -60 >&2
	die "the long lifecycle tests failed"
}
grep -v '^20[0-9][0-9]/' <<<"$out" | grep -A12 'largest run of each workflow type' || true
for t in TestHistoryBudgetOverThreeYears TestLifecycleFromSpecToCertifiedProgramme; do
	[ "$(grep -c -- "--- PASS: $t " <<<"$out")" = 1 ] || die "$t did not run"
done

section "fuzz smoke"
# A count, not a duration: with a time budget Go's fuzzer can fail with
# "context deadline exceeded" when the deadline lands mid-minimisation
# (seen on a loaded two-core machine), which is noise, not a finding.
fuzztime=${STEADFAST_FUZZTIME:-20000x}
targets=$(go_files | grep '_test\.go$' | tr '\n' '\0' |
	xargs -0 grep -H -E '^func Fuzz[A-Za-z0-9_]*\(' 2>/dev/null |
	sed -E 's/^([^:]*):func (Fuzz[A-Za-z0-9_]*)\(.*/\1 \2/' | sort -u || true)
if [ -z "$targets" ]; then
	say "no fuzz targets found"
else
	printf '%s\n' "$targets" | while read -r file name; do
		dir=$(dirname "$file")
		# Run each target inside the module that holds it.
		moddir=$dir
		while [ "$moddir" != "." ] && [ ! -f "$moddir/go.mod" ]; do moddir=$(dirname "$moddir"); done
		if [ "$moddir" = "." ]; then rel=./$dir; else rel=./${dir#"$moddir"/}; fi
		[ "$rel" != "./$moddir" ] || rel=./
		# A target whose every input runs a whole simulation may say how many
		# inputs its smoke run takes, with the reason, in the comment line
		# just above it: "// fuzz smoke: 2000x (each input is a year of checks)".
		# STEADFAST_FUZZTIME, when set, wins.
		count=$fuzztime
		if [ -z "${STEADFAST_FUZZTIME:-}" ]; then
			own=$(grep -B1 -E "^func ${name}\(" "$file" | grep -oE 'fuzz smoke: [0-9]+x' | grep -oE '[0-9]+x' || true)
			[ -z "$own" ] || count=$own
		fi
		say "fuzz $name in $dir for $count"
		(cd "$moddir" && go test -run '^$' -fuzz "^${name}\$" -fuzztime "$count" -timeout 5m "$rel") ||
			die "fuzz target $name in $dir failed (the failing input is under $dir/testdata/fuzz/$name)"
	done
fi

section "done"
say "all checks passed in $(($(date +%s) - started)) s"
