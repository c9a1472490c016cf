#!/bin/bash
# First start: a cluster in $PGDATA whose superuser is $POSTGRES_USER (password from
# $POSTGRES_PASSWORD_FILE or $POSTGRES_PASSWORD), database $POSTGRES_DB, password (scram) logins
# from any address, trust on the local socket (pg_isready, as the official image). Then the server
# runs as the postgres user in the foreground.
set -euo pipefail
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [[ -n ${POSTGRES_PASSWORD_FILE:-} ]]; then
    password=$(<"$POSTGRES_PASSWORD_FILE")
else
    password=${POSTGRES_PASSWORD:-}
fi
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
mkdir -p "$PGDATA" /var/run/postgresql
chown postgres:postgres "$PGDATA" /var/run/postgresql
chmod 700 "$PGDATA"
chmod 2775 /var/run/postgresql
if [[ ! -s $PGDATA/PG_VERSION ]]; then
    [[ -n $password ]] || { echo "postgres: set POSTGRES_PASSWORD_FILE (or POSTGRES_PASSWORD)" >&2; exit 1; }
    pwfile=$(mktemp)
    printf '%s\n' "$password" > "$pwfile"
    chown postgres "$pwfile"
    as_postgres initdb -D "$PGDATA" -U "$user" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    if [[ $db != postgres ]]; then
        echo "CREATE DATABASE \"$db\" OWNER \"$user\"" | as_postgres postgres --single -D "$PGDATA" postgres >/dev/null
    fi
    echo "postgres: cluster initialised in $PGDATA (user $user, database $db)"
fi
if [[ ${1:-} == postgres ]]; then
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$@"
fi
exec "$@"
