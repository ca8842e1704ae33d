#!/bin/sh
# Creates Temporal's two databases when missing and brings their schemas to the
# version the server embeds, with Temporal's own SQL tool. Every step is safe to
# repeat. Used by scripts/cluster.sh (locally, TEMPORAL_SQL_TOOL=bin/temporal-sql-tool)
# and by docker-compose.yml (in the temporalio/admin-tools image).
#
# Reads deploy/temporal/server.env's variables: DB, POSTGRES_SEEDS, DB_PORT,
# POSTGRES_USER, POSTGRES_PWD, DBNAME, VISIBILITY_DBNAME.
set -eu

tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}

sql() {
	SQL_PASSWORD=${POSTGRES_PWD:-} "$tool" --plugin "$DB" --ep "$POSTGRES_SEEDS" \
		-p "${DB_PORT:-5432}" -u "$POSTGRES_USER" "$@"
}

# setup DATABASE SCHEMA: SCHEMA is the embedded schema's name under
# postgresql/v12/ (temporal or visibility).
setup() {
	if ! out=$(sql --db "$1" create-database 2>&1); then
		case "$out" in *"already exists"*) ;; *) echo "create database $1: $out" >&2; exit 1 ;; esac
	fi
	# Creates only the schema_version tables, on a database that has none.
	if ! out=$(sql --db "$1" setup-schema -v 0.0 2>&1); then
		case "$out" in *"already exists"*) ;; *) echo "setup-schema $1: $out" >&2; exit 1 ;; esac
	fi
	if ! out=$(sql --db "$1" update-schema --schema-name "postgresql/v12/$2" 2>&1); then
		echo "update-schema $1: $out" >&2
		exit 1
	fi
	echo "database $1: schema postgresql/v12/$2 is current"
}

setup "${DBNAME:-temporal}" temporal
setup "${VISIBILITY_DBNAME:-temporal_visibility}" visibility
