#!/usr/bin/env bash
# Runs once, when the postgres container starts on an empty data volume (/docker-entrypoint-initdb.d).
# One role owns one database per service: each service keeps its own tables and reaches the others only by events.
# The role's name and password come from SHOPLAB_DB_USER / SHOPLAB_DB_PASSWORD (see infra/docker-compose.yml).
set -euo pipefail

psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-$POSTGRES_USER}" \
  -v role="$SHOPLAB_DB_USER" -v password="$SHOPLAB_DB_PASSWORD" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE shoplab_gateway OWNER :"role";
CREATE DATABASE shoplab_orders OWNER :"role";
CREATE DATABASE shoplab_tickets OWNER :"role";
CREATE DATABASE shoplab_reviews OWNER :"role";
CREATE DATABASE shoplab_crm OWNER :"role";
SQL
