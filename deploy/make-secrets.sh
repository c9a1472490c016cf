#!/usr/bin/env bash
# deploy/make-secrets.sh [DIR] — the secrets docker-compose.yml mounts (compose "secrets", files,
# never environment variables), each generated once (48 hex characters from /dev/urandom) into DIR
# (default ./secrets next to docker-compose.yml; compose reads $CHAINBOOT_SECRETS if set):
#
#   db-password             PostgreSQL's password (the postgres container's POSTGRES_PASSWORD_FILE)
#   cluster.properties      chainboot.common.cluster-secret — dhcp, tftp, script, iscsi
#   inventory.properties    the cluster secret, chainboot.inventory.api-token (the admin token) and
#                           quarkus.datasource.password — inventory-service
#
# The two .properties files are mounted as the service's /app/config/application.properties, which
# Quarkus reads at ordinal 260 (above the packaged defaults, below environment variables). An
# existing DIR is kept: its values are reused, so running the script again changes nothing.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DIR=${1:-${CHAINBOOT_SECRETS:-$HERE/../secrets}}
umask 077
mkdir -p "$DIR"
chmod 700 "$DIR"
value() {   # value FILE KEY: KEY's value in an existing properties FILE, or nothing
    [[ -f $1 ]] && sed -n "s/^$2=//p" "$1" | head -1 || true
}
random() { od -An -N24 -tx1 /dev/urandom | tr -d ' \n'; }
db=$( [[ -s $DIR/db-password ]] && cat "$DIR/db-password" || random )
cluster=$(value "$DIR/cluster.properties" chainboot.common.cluster-secret)
cluster=${cluster:-$(random)}
token=$(value "$DIR/inventory.properties" chainboot.inventory.api-token)
token=${token:-$(random)}
printf '%s' "$db" > "$DIR/db-password"
printf 'chainboot.common.cluster-secret=%s\n' "$cluster" > "$DIR/cluster.properties"
printf 'chainboot.common.cluster-secret=%s\nchainboot.inventory.api-token=%s\nquarkus.datasource.password=%s\n' \
    "$cluster" "$token" "$db" > "$DIR/inventory.properties"
echo "secrets in $(cd "$DIR" && pwd): db-password, cluster.properties, inventory.properties (the admin API token: chainboot.inventory.api-token)" >&2
