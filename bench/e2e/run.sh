#!/bin/bash
# Power-on -> marker through Chainboot vs the reference stack (dnsmasq + python http.server + tgtd),
# BIOS (e1000 iPXE ROM) and UEFI (OVMF's own PXE + TFTP of ipxe.efi), in the same run.
# Run as root from anywhere, after the services are packaged (./mvnw -DskipTests install):
#   bench/e2e/run.sh [ROUNDS]        (default 3 boots per stack and firmware)
# The table is printed and written to e2e-tests/target/e2e/bench/result.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
ROUNDS="${1:-3}"
cd "$ROOT"
exec mvn -q -o test -pl e2e-tests -Dtest=BootBenchmark -Dbench.rounds="$ROUNDS" -Dsurefire.failIfNoSpecifiedTests=false
