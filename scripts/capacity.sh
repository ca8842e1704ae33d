#!/usr/bin/env bash
# The capacity report (README "Capacity"): BenchmarkCapacity at each size on
# the Postgres-backed server of scripts/cluster.sh and on a dev server, one
# after the other, with the benchmark lines gathered in .steadfast/capacity/.
#   scripts/capacity.sh [SIZE...]     engagements of 150 controls per run (default 10 25 50)
#   STEADFAST_CAPACITY_TARGETS        "cluster dev" (default), or one of them
# The cluster is started (and left running) as scripts/cluster.sh does; set
# STEADFAST_CLUSTER_PORT / STEADFAST_CLUSTER_DB to keep it apart from another.
set -euo pipefail

# shellcheck source=scripts/cluster.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster.sh"

cd "$STEADFAST_ROOT"
command -v go >/dev/null 2>&1 || die "Go 1.26 is needed (https://go.dev/dl/)"
steadfast_ensure_postgres test || die "no Postgres for the benchmark: $(pg_missing_hint)"
export TEST_DATABASE_URL="$STEADFAST_PG_URL"
out="$STEADFAST_STATE/capacity"
mkdir -p "$out"
[ $# -gt 0 ] || set -- 10 25 50
for target in ${STEADFAST_CAPACITY_TARGETS:-cluster dev}; do
	for n in "$@"; do
		section "BenchmarkCapacity: $n engagements on the $target"
		if [ "$target" = cluster ]; then
			cluster_up
			STEADFAST_TEST_TEMPORAL_ADDRESS=$(cluster_address) go test -run '^$' -bench BenchmarkCapacity -benchtime "${n}x" \
				-timeout 90m ./starter/ | tee "$out/$target-$n.txt"
		else
			ensure_temporal_cli
			env -u STEADFAST_TEST_TEMPORAL_ADDRESS go test -run '^$' -bench BenchmarkCapacity -benchtime "${n}x" \
				-timeout 90m ./starter/ | tee "$out/$target-$n.txt"
		fi
	done
done
say "results in ${out#"$STEADFAST_ROOT"/}/"
