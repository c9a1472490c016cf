#!/bin/sh
# inventory-service benchmark: publish -> visible in the API at 1,000 events/s for 60 s.
# Runs the packaged service (target/quarkus-app) as a child process on a real Kafka broker and a
# durable PostgreSQL, all started and stopped by the benchmark itself. Usage:
#   bench/inventory/run.sh [rate] [seconds]
# The report is printed and written to inventory-service/target/inventory-bench.txt.
set -eu
cd "$(dirname "$0")/../.."
RATE=${1:-1000}
SECONDS_=${2:-60}
[ -f inventory-service/target/quarkus-app/quarkus-run.jar ] || mvn -q package -pl inventory-service -DskipTests
mvn -q verify -pl inventory-service -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false \
    -Dit.test=InventoryBench -Dbench.rate="$RATE" -Dbench.seconds="$SECONDS_"
cat inventory-service/target/inventory-bench.txt
