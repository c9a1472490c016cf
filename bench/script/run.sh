#!/bin/bash
# script-service /boot.ipxe vs Debian nginx serving a static file of the same size, wrk -t2 -c64 --latency.
# Needs: wrk, nginx (Debian packages), the project built (mvn -q install -pl script-service; infra-runtime packaged).
#   bench/script/run.sh [SECONDS]      (default 20 s per measured run, after a warm-up)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
CP="script-service/target/quarkus-app/lib/main/*:infra/target/infra-0.1.0-SNAPSHOT.jar"
[ -f infra/target/infra-0.1.0-SNAPSHOT.jar ] || CP="script-service/target/quarkus-app/lib/main/*:$HOME/.m2/repository/io/chainboot/infra/0.1.0-SNAPSHOT/infra-0.1.0-SNAPSHOT.jar"
exec java -Dchainboot.root="$ROOT" -cp "$CP" bench/script/Bench.java "${1:-20}"
