#!/usr/bin/env bash
# PostgreSQL image init script: one role and one database per service, PUBLIC has no CONNECT.
# Runs once, when the data volume is empty. Passwords come from the container's environment.
set -euo pipefail
for svc in registry venture procurement notify console; do
  var="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_DB_PASSWORD"
  pw="${!var:?$var must be set}"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
       -v svc="$svc" -v pw="$pw" <<'SQL'
CREATE ROLE :"svc" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'pw';
CREATE DATABASE :"svc" OWNER :"svc";
REVOKE CONNECT, TEMPORARY ON DATABASE :"svc" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"svc" TO :"svc";
SQL
done
