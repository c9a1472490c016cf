#!/bin/bash
# Power-on -> systemd marker of the project's Debian 12 golden image (images/debian-12/build.sh,
# cached), one machine at a time: Chainboot (sanboot, a fresh overlay each round) vs the reference
# stack (dnsmasq + python http.server + tgtd serving a fresh copy of the same image), same run.
# Run as root after the services are packaged (./mvnw -DskipTests package):
#   bench/diskless-debian/run.sh [ROUNDS]     (default 2 boots per stack)
# The table is printed and written to e2e-tests/target/e2e/bench-diskless-debian/result.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS="${1:-2}"
cd "$ROOT"
exec ./mvnw -B -q test -pl e2e-tests -am -Dtest=DisklessDebianBenchmark -Dbench.rounds="$ROUNDS" \
    -Dsurefire.failIfNoSpecifiedTests=false ${MAVEN_REPO:+-Dmaven.repo.local=$MAVEN_REPO}
