#!/usr/bin/env bash
# Image upload through the entry point: a SIZE_MIB (default 1024) random raw image, and the same
# content as qcow2, PUT to http://127.0.0.1:8080/api/images/NAME (inventory-service) which streams
# it to iscsi-service. Prints the time, MiB/s, both JVMs' heap used before/after (and the peak seen
# by a sampler every 250 ms during the upload), the max heap each JVM was
# given (-Xmx, so that an upload larger than it shows it cannot have been buffered), and the load.
# Heap figures are jstat -gc of each JVM (S0U+S1U+EU+OU; no GC forced: garbage included).
# Runs in its own network namespace (cb-console-up) with a throwaway PostgreSQL; needs root, the
# packaged services, jstat (the JDK) (./mvnw -DskipTests package -pl inventory-service,iscsi-service -am),
# PostgreSQL 15 server binaries, qemu-img (qemu-utils), curl.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SIZE_MIB=${SIZE_MIB:-1024}
XMX=${XMX:-256m}
NS=cb-console-up
W=$(mktemp -d /tmp/cb-console-up.XXXX); chmod 755 "$W"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
TOKEN=bench-admin-token-0123456789
SECRET=bench-cluster-secret-0123456789
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  [ -f "$W/pg/postmaster.pid" ] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$W/pg" stop -m immediate >/dev/null 2>&1 || true
  sleep 2
  ip netns del "$NS" 2>/dev/null || true
  rm -rf "$W"
}
trap cleanup EXIT
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
inns() { ip netns exec "$NS" "$@"; }

mkdir -p "$W/pg" "$W/iscsi/images" "$W/iscsi/disks" "$W/iscsi/import"
chown postgres "$W/pg"
runuser -u postgres -- "$PGBIN/initdb" -D "$W/pg" -U chainboot --auth=trust >/dev/null
ip netns exec "$NS" runuser -u postgres -- "$PGBIN/postgres" -D "$W/pg" -p 5432 -k "$W/pg" -c listen_addresses=127.0.0.1 >"$W/pg.log" 2>&1 &
pids+=($!)
for i in $(seq 100); do inns "$PGBIN/pg_isready" -h 127.0.0.1 -p 5432 -q && break; sleep 0.5; done
inns runuser -u postgres -- "$PGBIN/createdb" -h 127.0.0.1 -U chainboot chainboot

ip netns exec "$NS" java -Xmx$XMX -Dquarkus.http.port=8084 -Dchainboot.common.kafka-enabled=false -Dchainboot.common.cluster-secret=$SECRET \
  -Dchainboot.iscsi.images-dir="$W/iscsi/images" -Dchainboot.iscsi.disks-dir="$W/iscsi/disks" -Dchainboot.iscsi.import-dir="$W/iscsi/import" \
  -Dchainboot.iscsi.upload-limit-bytes=$((SIZE_MIB * 3 / 2 << 20)) -Dchainboot.iscsi.bind-address=127.0.0.1 -Dchainboot.iscsi.port=3260 \
  -jar "$ROOT/iscsi-service/target/quarkus-app/quarkus-run.jar" >"$W/iscsi.log" 2>&1 &
ISCSI=$!; pids+=($ISCSI)
ip netns exec "$NS" java -Xmx$XMX -Dquarkus.http.port=8080 -Dchainboot.common.kafka-enabled=false -Dchainboot.common.cluster-secret=$SECRET \
  -Dchainboot.inventory.api-token=$TOKEN -Dquarkus.datasource.jdbc.url=jdbc:postgresql://127.0.0.1:5432/chainboot \
  -Dchainboot.inventory.upstream.iscsi-url=http://127.0.0.1:8084 -Dchainboot.inventory.upstream.script-url=http://127.0.0.1:8081 \
  -jar "$ROOT/inventory-service/target/quarkus-app/quarkus-run.jar" >"$W/inventory.log" 2>&1 &
INV=$!; pids+=($INV)
for i in $(seq 240); do
  inns curl -sf -o /dev/null http://127.0.0.1:8084/api/images && inns curl -sf -o /dev/null http://127.0.0.1:8080/api/machines && break
  sleep 1
done
inns curl -sf -o /dev/null http://127.0.0.1:8080/api/machines || { echo "services did not start"; tail -20 "$W"/*.log; exit 1; }

pid_of() { [ "$1" = 8080 ] && echo "$INV" || echo "$ISCSI"; }
used() { # jstat -gc lines on stdin -> heap used, MiB, per line (S0U+S1U+EU+OU, KiB); the header names the columns
  awk 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
       $1 ~ /^[0-9]/ { printf "%d\n", ($(c["S0U"]) + $(c["S1U"]) + $(c["EU"]) + $(c["OU"])) / 1024 }'
}
heap() { # heap used now, MiB, read by jstat from the JVM's perf data (garbage included, no GC forced)
  jstat -gc "$(pid_of "$1")" | used | tail -1
}
sampler() { # jstat every 250 ms while the upload runs; the peak heap used is written when it stops
  jstat -gc "$(pid_of "$1")" 250 > "$W/jstat-$1" &
  local j=$!
  while [ -f "$W/sampling" ]; do sleep 0.25; done
  kill "$j"; wait "$j" 2>/dev/null || true
  used < "$W/jstat-$1" | sort -n | tail -1 > "$W/peak-$1"
}

head -c $((SIZE_MIB << 20)) /dev/urandom > "$W/image.raw"
SHA=$(sha256sum "$W/image.raw" | cut -d' ' -f1)
upload() { # name file format
  local name=$1 file=$2 fmt=$3 bi bv ai av
  bi=$(heap 8080); bv=$(heap 8084)
  touch "$W/sampling"; sampler 8080 & s1=$!; sampler 8084 & s2=$!
  local fsha; fsha=$(sha256sum "$file" | cut -d' ' -f1)
  local t0; t0=$(date +%s.%N)
  local code; code=$(inns curl -s -o "$W/answer.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/octet-stream' -T "$file" "http://127.0.0.1:8080/api/images/$name?sha256=$fsha")
  local t1; t1=$(date +%s.%N)
  rm -f "$W/sampling"; wait $s1 $s2
  ai=$(heap 8080); av=$(heap 8084)
  local mib=$(( $(stat -c %s "$file") >> 20 ))
  local secs; secs=$(echo "$t1 - $t0" | bc -l)
  printf '%-6s %5d MiB sent  HTTP %s  %6.1f s  %6.1f MiB/s\n' "$fmt" "$mib" "$code" "$secs" "$(echo "$mib / $secs" | bc -l)"
  printf '       heap used (MiB) inventory %s before, %s after, peak %s during; iscsi-service %s before, %s after, peak %s during (-Xmx%s each)\n' \
    "$bi" "$ai" "$(cat "$W/peak-8080")" "$bv" "$av" "$(cat "$W/peak-8084")" "$XMX"
  printf '       answer: %s\n' "$(cat "$W/answer.json")"
  printf '       load: %s\n' "$(uptime | sed 's/.*load average: //')"
}
echo "# image upload through :8080, $SIZE_MIB MiB random content (sha256 $SHA)"
upload big-raw "$W/image.raw" raw
if [ "${QCOW2:-1}" = 1 ]; then
  qemu-img convert -f raw -O qcow2 "$W/image.raw" "$W/image.qcow2"
  upload big-qcow2 "$W/image.qcow2" qcow2
fi

# failures through :8080 leave nothing: a connection cut after ~5 s, a chunked body over the limit
# (1.5 x SIZE_MIB), a wrong checksum
left() { ls -A "$W/iscsi/images" | grep -c '^\.' || true; }
inns curl -s -o /dev/null -m 5 --limit-rate 20M -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/octet-stream' \
  -T "$W/image.raw" http://127.0.0.1:8080/api/images/cut || true
sleep 3
echo "cut after 5 s: imports $(inns curl -s http://127.0.0.1:8080/api/images/imports), hidden files left $(left)"
code=$(cat "$W/image.raw" "$W/image.raw" | inns curl -s -o "$W/answer.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/octet-stream' -H 'Transfer-Encoding: chunked' -T - http://127.0.0.1:8080/api/images/twice)
echo "chunked $((2 * SIZE_MIB)) MiB over the $((SIZE_MIB * 3 / 2)) MiB limit: HTTP $code $(cat "$W/answer.json"); hidden files left $(left)"
truncate -s $((2 * SIZE_MIB << 20)) "$W/twice.raw" # sparse: refused before it is read
t0=$(date +%s.%N)
code=$(inns curl -s -o "$W/answer.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/octet-stream' \
  -T "$W/twice.raw" http://127.0.0.1:8080/api/images/twice-declared)
echo "Content-Length $((2 * SIZE_MIB)) MiB over the limit: HTTP $code after $(echo "$(date +%s.%N) - $t0" | bc -l | cut -c1-5) s $(cat "$W/answer.json"); hidden files left $(left)"
rm -f "$W/twice.raw"
code=$(inns curl -s -o "$W/answer.json" -w '%{http_code}' -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/octet-stream' \
  -T "$W/image.raw" "http://127.0.0.1:8080/api/images/badsum?sha256=$(printf '0%.0s' $(seq 64))")
echo "wrong sha256: HTTP $code $(cut -c1-160 "$W/answer.json"); hidden files left $(left)"
echo "images: $(ls "$W/iscsi/images" | tr '\n' ' ')"
echo "load: $(uptime | sed 's/.*load average: //')"
