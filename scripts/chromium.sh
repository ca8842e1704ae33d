#!/usr/bin/env bash
# Chromium for the web's browser tests (web/browser_test.go, driven by chromedp).
# Source it and call ensure_chromium, which exports STEADFAST_CHROMIUM; run it alone to
# install. When chromium is missing it installs Debian's `chromium` with apt-get (as root,
# or with sudo); if that is not possible, CI (CI=true) fails with a message and a local run
# warns (the browser tests then skip, saying why).

# shellcheck source=scripts/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

find_chromium() {
	local name
	for name in chromium chromium-browser google-chrome; do
		if command -v "$name" >/dev/null 2>&1; then
			command -v "$name"
			return 0
		fi
	done
	return 1
}

ensure_chromium() {
	if [ -n "${STEADFAST_CHROMIUM:-}" ] && [ -x "$STEADFAST_CHROMIUM" ]; then
		export STEADFAST_CHROMIUM
		return 0
	fi
	local sudo=""
	if ! STEADFAST_CHROMIUM=$(find_chromium); then
		[ "$(id -u)" = 0 ] || sudo=sudo
		if command -v apt-get >/dev/null 2>&1 && { [ -z "$sudo" ] || command -v sudo >/dev/null 2>&1; }; then
			say "installing chromium (apt-get install -y chromium) for the browser tests"
			$sudo apt-get install -y chromium >/dev/null 2>&1 ||
				{ $sudo apt-get update >/dev/null 2>&1 && $sudo apt-get install -y chromium >/dev/null 2>&1; } || true
		fi
		if ! STEADFAST_CHROMIUM=$(find_chromium); then
			if [ "${CI:-}" = true ]; then
				die "chromium is needed for the web's browser tests: apt-get install -y chromium (Debian), or set STEADFAST_CHROMIUM"
			fi
			warn "chromium is not installed (apt-get install -y chromium); the web's browser tests will skip"
			return 0
		fi
	fi
	export STEADFAST_CHROMIUM
	say "chromium: $STEADFAST_CHROMIUM"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	ensure_chromium
fi
