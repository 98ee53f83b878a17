#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data volume (/docker-entrypoint-initdb.d).
# One role owns one database per service: each service keeps its own tables and reaches the others only by events.
# The role's name and password come from SHOPLAB_DB_USER / SHOPLAB_DB_PASSWORD, the databases (space-separated) from
# SHOPLAB_DATABASES: infra/docker-compose.yml sets them, generated from shoplab/topology.py (python -m infra.compose).
set -euo pipefail

: "${SHOPLAB_DATABASES:?the databases to create, space-separated (set by infra/docker-compose.yml)}"

shoplab_psql() {
  psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" "$@"
}

shoplab_psql -v role="$SHOPLAB_DB_USER" -v password="$SHOPLAB_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
SQL
for database in $SHOPLAB_DATABASES; do
  shoplab_psql -v role="$SHOPLAB_DB_USER" -v database="$database" <<'SQL'
CREATE DATABASE :"database" OWNER :"role";
SQL
done
