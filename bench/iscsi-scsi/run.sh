#!/bin/bash
# Micro-benchmark of the SCSI command layer (io.chainboot.iscsi.scsi) against bare FileChannel I/O
# on a 1 GiB image (page cache warm). Compiles the scsi package alone with javac, so it runs even
# while the rest of iscsi-service is being edited. Usage: bench/iscsi-scsi/run.sh [image-path]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
img=${1:-/tmp/chainboot-scsi-bench.img}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
logging=$(ls ~/.m2/repository/org/jboss/logging/jboss-logging/3.6.1.Final/jboss-logging-3.6.1.Final.jar)
javac -d "$out" -cp "$logging" $(find "$repo/iscsi-service/src/main/java/io/chainboot/iscsi/scsi" -name '*.java') "$here/ScsiLayerBench.java"
java -Xmx512m -cp "$out:$logging" io.chainboot.iscsi.scsi.ScsiLayerBench "$img"
rm -f "$img"
