#!/usr/bin/env bash
# deploy/offline/build-images.sh — the base images docker-compose.yml needs, built with no image
# registry: Debian 12 root filesystems (rootfs.sh, cached by content) imported into the Docker
# engine $DOCKER_HOST talks to, plus a Kafka image made of the jars the Maven build already has.
#
#   ./mvnw -B -DskipTests package                       # the services' jars, infra-runtime's Kafka classpath
#   sudo deploy/offline/build-images.sh >> .env         # prints the four CHAINBOOT_*_IMAGE lines
#   docker compose up -d --build                        # (docker-compose 1.29: docker-compose up -d --build)
#
# Images (each tag names the inputs it was built from, so a new build never reuses a stale one):
#   chainboot-local/jre:<key>        openjdk-17-jre-headless       in place of eclipse-temurin:17-jre
#   chainboot-local/postgres:<key>   PostgreSQL 15 + entrypoint    in place of postgres:17
#   chainboot-local/edge:<key>       nginx 1.22 + wget             in place of nginx:1.27-alpine
#   chainboot-local/kafka:<version>-<key>  FROM the jre image      in place of apache/kafka:4.1.0
# Needs: root, debootstrap (first build only), the docker CLI and a running engine, the Maven build.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
export DOCKER_BUILDKIT=0   # the classic builder: BuildKit would look the FROM images up in a registry
command -v docker >/dev/null || { echo "build-images: missing docker — apt-get install docker.io" >&2; exit 1; }
docker version --format '{{.Server.Version}}' >/dev/null 2>&1 \
    || { echo "build-images: no Docker engine answers at ${DOCKER_HOST:-the default socket}" >&2; exit 1; }

T0=$SECONDS
have() { docker image inspect "$1" >/dev/null 2>&1; }
# build ARGS...: docker build, quiet; errors shown, the legacy builder's deprecation notice not
build() {
    local out
    out=$(docker build -q "$@" 2>&1) || { echo "$out" >&2; return 1; }
}

# base NAME: import rootfs.sh NAME and build deploy/offline/NAME on it; prints the image's name
base() {
    local name=$1 tar key image
    tar=$("$HERE/rootfs.sh" "$name")
    key=$(basename "$tar" .tar)                   # NAME-<16 hex of rootfs.sh and NAME/packages>
    local rootfs=chainboot-local/$name-rootfs:${key#"$name-"}
    image=chainboot-local/$name:$(cat "$HERE/$name/"* | sha256sum | cut -c1-8)-${key#"$name-"}
    if ! have "$image"; then
        have "$rootfs" || docker import "$tar" "$rootfs" >/dev/null
        build --build-arg ROOTFS="$rootfs" -t "$image" "$HERE/$name"
    fi
    echo "$image"
}

jre=$(base jre)
postgres=$(base postgres)
edge=$(base edge)

# Kafka: infra-runtime's broker classpath (kafka_2.13 and its dependencies, log4j2) plus kafka-tools
# (kafka-topics.sh, kafka-broker-api-versions.sh) and slf4j-api 2, which the deploy module copies at package time.
broker_lib="$ROOT/infra-runtime/target/lib"
tools_lib="$ROOT/deploy/target/kafka-tools"
ls "$broker_lib"/kafka_2.13-*.jar >/dev/null 2>&1 && ls "$tools_lib"/kafka-tools-*.jar >/dev/null 2>&1 \
    || { echo "build-images: no Kafka jars in $broker_lib and $tools_lib — run ./mvnw -B -DskipTests package first" >&2; exit 1; }
version=$(basename "$(ls "$broker_lib"/kafka_2.13-*.jar | head -1)" .jar | sed 's/^kafka_2.13-//')
ctx=$(mktemp -d)
trap 'rm -rf "$ctx"' EXIT
cp -r "$HERE/kafka/." "$ctx/"
mkdir -p "$ctx/libs"
for j in "$broker_lib"/*.jar "$tools_lib"/*.jar; do
    case $(basename "$j") in
        chainboot-*|boot-events-*) continue ;;   # Chainboot's own launcher classes
        slf4j-api-1.*) continue ;;               # replaced by the slf4j-api 2 in $tools_lib (log4j-slf4j2-impl binds it)
    esac
    cp "$j" "$ctx/libs/"
done
kkey=$( { echo "$jre"; (cd "$ctx" && find . -type f | sort | xargs sha256sum); } | sha256sum | cut -c1-8)
kafka=chainboot-local/kafka:$version-$kkey
have "$kafka" || build --build-arg JRE_IMAGE="$jre" -t "$kafka" "$ctx"

echo "build-images: $jre $postgres $edge $kafka ready after $((SECONDS - T0)) s" >&2
cat <<EOF
CHAINBOOT_JRE_IMAGE=$jre
CHAINBOOT_POSTGRES_IMAGE=$postgres
CHAINBOOT_EDGE_IMAGE=$edge
CHAINBOOT_KAFKA_IMAGE=$kafka
EOF
