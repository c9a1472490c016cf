#!/bin/bash
# First-boot latency: what iPXE does at sanboot (ipxe_sequence.py: login, REPORT LUNS, TEST UNIT
# READY, READ CAPACITY 10/16, INQUIRY, READ(10) of sector 0, a few more reads) against a FRESHLY
# STARTED iscsi-service (packaged jar, the launcher's JVM flags, started and waited for until
# /q/health/ready is UP, as ./chainboot up does), and against a freshly started tgtd (disk on LUN 1),
# each ROUNDS times with a restart before every round, without and with CHAP.
#
# Needs (root): python3, curl, tgt (tgtd, tgtadm). Build first: ./mvnw -q -DskipTests install
# Usage: bench/iscsi/first-boot.sh [ROUNDS]            (default 10)
#   BASELINE_APP=/path/to/other/quarkus-app  adds a column for another build (e.g. before a change)
#   APP=/path/to/quarkus-app                 measures that build instead of this checkout's
#   CB_OPTS="-Dchainboot.iscsi.warmup.rounds=3"  extra JVM options for the Chainboot service
#   BASELINE_OPTS=...                        extra JVM options for the baseline column (e.g. the same
#                                            build with -Dchainboot.iscsi.warmup.rounds=0)
set -euo pipefail
ROUNDS=${1:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
APP=${APP:-$ROOT/iscsi-service/target/quarkus-app}
BASELINE_APP=${BASELINE_APP:-}
SEQ="$ROOT/bench/iscsi/ipxe_sequence.py"
WORK=$(mktemp -d /tmp/cb-iscsi-first-boot.XXXXXX)
CB_PORT=23262; CB_HTTP=18094; TGT_PORT=23263; TGT_CTL=24
IQN=iqn.2026-01.io.chainboot:first-boot
CHAP_IQN=iqn.2026-01.io.chainboot:first-boot-chap
TGT_IQN=iqn.2026-01.io.chainboot:tgt-first-boot
INITIATOR=iqn.2010-04.org.ipxe:first-boot
CHAP_USER=ipxe-bench
CHAP_SECRET=bench-secret-77
CB_PID=; TGT_PID=

[ -f "$APP/quarkus-run.jar" ] || { echo "no $APP/quarkus-run.jar: build first (./mvnw -q -DskipTests install)"; exit 1; }
for b in python3 curl tgtd tgtadm java; do command -v $b >/dev/null || { echo "missing $b"; exit 1; }; done
if curl -s -o /dev/null "http://127.0.0.1:$CB_HTTP/" || (exec 3<>/dev/tcp/127.0.0.1/$CB_PORT) 2>/dev/null; then
  echo "port $CB_HTTP or $CB_PORT is in use: stop whatever holds it first"; exit 1
fi

stop_cb() {
  if [ -n "$CB_PID" ]; then kill "$CB_PID" 2>/dev/null || true; wait "$CB_PID" 2>/dev/null || true; CB_PID=; fi
}
stop_tgt() { # tgtd ignores SIGTERM; it leaves once asked through its control socket
  if [ -n "$TGT_PID" ]; then
    tgtadm -C $TGT_CTL --lld iscsi --op delete --mode target --tid 1 --force >/dev/null 2>&1 || true
    tgtadm -C $TGT_CTL --op delete --mode system >/dev/null 2>&1 || true
    wait "$TGT_PID" 2>/dev/null || true; TGT_PID=
  fi
}
cleanup() { stop_cb; stop_tgt; rm -rf "$WORK"; }
trap cleanup EXIT

# a 64 MiB disk whose sector 0 is a boot-sector-like pattern
python3 - "$WORK/disk.img" <<'EOF'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(bytes(range(256)) * 2 + b"\0" * 1024 * 1024)
    f.truncate(64 << 20)
EOF

ms_now() { date +%s%3N; }

# start_cb APP -> sets CB_PID, and READY_MS = ms from exec to /q/health/ready UP (not in a subshell:
# CB_PID must reach stop_cb)
start_cb() { # $1 = app, $2 = extra JVM options, $3 = log file
  local app=$1 t0; t0=$(ms_now)
  java -Xms32m -Xmx384m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:CICompilerCount=1 -Xshare:auto \
    -Djava.net.preferIPv4Stack=true -Dchainboot.common.kafka-enabled=false -Dquarkus.http.port=$CB_HTTP \
    -Dchainboot.iscsi.bind-address=127.0.0.1 -Dchainboot.iscsi.port=$CB_PORT \
    -Dchainboot.iscsi.disks-dir="$WORK/disks" -Dchainboot.iscsi.images-dir="$WORK/images" \
    "-Dchainboot.iscsi.targets.\"$IQN\".image=$WORK/disk.img" \
    "-Dchainboot.iscsi.targets.\"$CHAP_IQN\".image=$WORK/disk.img" \
    "-Dchainboot.iscsi.targets.\"$CHAP_IQN\".chap-user=$CHAP_USER" \
    "-Dchainboot.iscsi.targets.\"$CHAP_IQN\".chap-secret=$CHAP_SECRET" \
    $2 -jar "$app/quarkus-run.jar" >>"$3" 2>&1 &
  CB_PID=$!
  for _ in $(seq 1 1200); do
    curl -sf "http://127.0.0.1:$CB_HTTP/q/health/ready" >/dev/null 2>&1 && { READY_MS=$(( $(ms_now) - t0 )); return 0; }
    kill -0 "$CB_PID" 2>/dev/null || break
    sleep 0.05
  done
  echo "iscsi-service did not become ready (log: $3)" >&2; tail -20 "$3" >&2; exit 1
}

start_tgt() { # $1 = chap|none
  mkdir -p /var/run/tgtd
  tgtd -f -C $TGT_CTL --iscsi portal=127.0.0.1:$TGT_PORT >>"$WORK/tgtd.log" 2>&1 &
  TGT_PID=$!
  for _ in $(seq 1 200); do tgtadm -C $TGT_CTL --op show --mode system >/dev/null 2>&1 && break; sleep 0.02; done
  local ta="tgtadm -C $TGT_CTL --lld iscsi"
  $ta --op new --mode target --tid 1 -T $TGT_IQN
  $ta --op new --mode logicalunit --tid 1 --lun 1 -b "$WORK/disk.img"
  $ta --op bind --mode target --tid 1 -I ALL
  if [ "$1" = chap ]; then
    $ta --op new --mode account --user $CHAP_USER --password $CHAP_SECRET
    $ta --op bind --mode account --tid 1 --user $CHAP_USER
  fi
}

chap_args() { [ "$1" = chap ] && echo "--chap-user $CHAP_USER --chap-secret $CHAP_SECRET" || true; }

run_cb() { # $1 = label, $2 = app, $3 = chap|none, $4 = extra JVM options
  start_cb "$2" "$4" "$WORK/$1.log"
  local target=$IQN; [ "$3" = chap ] && target=$CHAP_IQN
  # shellcheck disable=SC2046
  python3 "$SEQ" 127.0.0.1 $CB_PORT $target 0 --initiator $INITIATOR $(chap_args "$3") \
    | python3 -c "import json,sys; d=json.load(sys.stdin); d['ready_ms']=$READY_MS; print(json.dumps(d))" >>"$WORK/$1-$3.jsonl"
  stop_cb
}

run_tgt() { # $1 = chap|none
  start_tgt "$1"
  # shellcheck disable=SC2046
  python3 "$SEQ" 127.0.0.1 $TGT_PORT $TGT_IQN 1 --initiator $INITIATOR $(chap_args "$1") >>"$WORK/tgtd-$1.jsonl"
  stop_tgt
}

echo "== $ROUNDS rounds, fresh start each (load average before: $(cut -d' ' -f1-3 /proc/loadavg))"
for i in $(seq 1 "$ROUNDS"); do
  for auth in none chap; do
    run_cb chainboot "$APP" $auth "${CB_OPTS:-}"
    [ -n "$BASELINE_APP" ] && run_cb baseline "$BASELINE_APP" $auth "${BASELINE_OPTS:-}"
    run_tgt $auth
  done
  printf '.'
done
echo

python3 - "$WORK" "$BASELINE_APP" <<'EOF'
import json, os, statistics, sys
work, baseline = sys.argv[1], sys.argv[2]
stacks = ["chainboot"] + (["baseline"] if baseline else []) + ["tgtd"]
steps = ["login", "report_luns", "test_unit_ready", "read_capacity10", "read_capacity16", "inquiry",
         "read10_lba0", "first_read", "read10_lba0_again", "read10_lba1_x8", "read10_lba63", "read10_lba2048_x64"]

def load(stack, auth):
    rows = [json.loads(l) for l in open(os.path.join(work, f"{stack}-{auth}.jsonl"))]
    bad = [r["error"] for r in rows if "error" in r]
    if bad:
        print(f"{stack} {auth}: {len(bad)} failed round(s): {bad[0]}")
    return [r for r in rows if "error" not in r]

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]

for auth in ["none", "chap"]:
    data = {s: load(s, auth) for s in stacks}
    print(f"\n## CHAP: {'yes' if auth == 'chap' else 'no'}  (ms; median / p90 over {len(data['tgtd'])} fresh starts)")
    print("%-20s" % "step" + "".join("%-22s" % s for s in stacks) + "chainboot/tgtd (medians)")
    for step in steps + (["ready_ms"] if True else []):
        cells, med = [], {}
        for s in stacks:
            xs = [r[step] for r in data[s] if step in r]
            if not xs:
                cells.append("%-22s" % "-")
                continue
            med[s] = statistics.median(xs)
            cells.append("%-22s" % ("%.2f / %.2f" % (med[s], pct(xs, 90))))
        ratio = "%.2fx" % (med["chainboot"] / med["tgtd"]) if "tgtd" in med and med.get("tgtd") else ""
        print("%-20s" % step + "".join(cells) + ratio)
import re
for s in stacks[:-1]:
    w = [int(m.group(2)) for m in re.finditer(r"warm-up: (\d+) rounds in (\d+) ms", open(os.path.join(work, s + ".log")).read())]
    if w:
        print(f"{s}: warm-up took {statistics.median(w):.0f} ms median (min {min(w)}, max {max(w)}) over {len(w)} starts")
print("\nfirst_read = TCP connect -> READ(10) of sector 0 answered; ready_ms = java start -> /q/health/ready UP")
print("load average after: " + " ".join(open("/proc/loadavg").read().split()[:3]))
EOF
