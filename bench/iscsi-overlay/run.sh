#!/bin/bash
# Overlay vs raw at the BlockDevice level (see README.md). Compiles the scsi and disk packages
# alone with javac. Usage: bench/iscsi-overlay/run.sh [work-dir] [disk-bytes]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-$(mktemp -d /tmp/chainboot-overlay-bench.XXXXXX)}
size=${2:-1073741824}
out=$(mktemp -d)
trap 'rm -rf "$out" "$work"' EXIT
logging=$(ls ~/.m2/repository/org/jboss/logging/jboss-logging/3.6.1.Final/jboss-logging-3.6.1.Final.jar)
src="$repo/iscsi-service/src/main/java/io/chainboot/iscsi"
javac -d "$out" -cp "$logging" $(find "$src/scsi" "$src/disk" -name '*.java' ! -name 'Disk*Resource.java' ! -name 'DiskStore*.java' ! -name 'Preflight*.java') "$here/OverlayBench.java"
java -Xmx1g -cp "$out:$logging" io.chainboot.iscsi.disk.OverlayBench "$work" "$size"
