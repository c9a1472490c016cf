#!/bin/sh
# inventory-service benchmark: publish -> visible in the API at 1,000 events/s for 60 s.
# Runs the packaged service (target/quarkus-app) as a child process on a real Kafka broker and a
# durable PostgreSQL (pg_stat_statements loaded: statements per stored event are reported), all
# started and stopped by the benchmark itself; 60 s of the same load warm the service first
# (BENCH_ARGS="-Dbench.warmup.seconds=0" to measure cold; -Dinventory.app=<jar> for a peer). Usage:
#   bench/inventory/run.sh [rate] [seconds]
# The report is printed and written to inventory-service/target/inventory-bench.txt.
set -eu
cd "$(dirname "$0")/../.."
RATE=${1:-1000}
SECONDS_=${2:-60}
[ -f inventory-service/target/quarkus-app/quarkus-run.jar ] || mvn -q package -pl inventory-service -DskipTests
mvn -q verify -pl inventory-service -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=InventoryBench -Dbench.rate="$RATE" -Dbench.seconds="$SECONDS_" ${BENCH_ARGS:-}
cat inventory-service/target/inventory-bench.txt
