#!/usr/bin/env bash
# Time ./chainboot up (all seven processes healthy) and ./chainboot down, N rounds, against an
# already-built checkout. Run by hand: bench/launcher-startup/run.sh [ROUNDS] [extra up options]
# Uses its own state directory (a fresh one per round unless KEEP_STATE=1, i.e. cold vs warm
# Kafka/PostgreSQL data). Prints one line per round and the median.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
ROUNDS="${1:-3}"; shift || true
BASE="$(mktemp -d /tmp/cb-bench-launcher.XXXXXX)"
trap '"$ROOT/chainboot" down --state "$BASE/state" >/dev/null 2>&1 || true; rm -rf "$BASE"' EXIT
ups=(); downs=()
printf '%-6s %-8s %-8s %-10s %-10s %s\n' round up_s down_s kafka_s pg_s "slowest service"
for r in $(seq 1 "$ROUNDS"); do
  [[ "${KEEP_STATE:-0}" == 1 ]] || rm -rf "$BASE/state"
  t0=$(date +%s.%N)
  "$ROOT/chainboot" up --no-build --state "$BASE/state" "$@" > "$BASE/up.out" 2>&1 || { cat "$BASE/up.out"; rm -rf /tmp/cb-bench-failed-logs; cp -r "$BASE/state/logs" /tmp/cb-bench-failed-logs; echo "logs kept in /tmp/cb-bench-failed-logs"; exit 1; }
  t1=$(date +%s.%N)
  log="$BASE/state/logs/launcher.log"
  kafka=$(grep -o 'kafka ready .* after [0-9.]* s' "$log" | tail -1 | grep -o '[0-9.]* s$' | tr -d ' s')
  pg=$(grep -o 'postgres ready .* after [0-9.]* s' "$log" | tail -1 | grep -o '[0-9.]* s$' | tr -d ' s')
  slow=$(grep -o '[a-z]*-service ready (pid [0-9]*) after [0-9.]* s' "$log" | tail -5 | sort -t' ' -k6 -n | tail -1 | awk '{print $1" "$6}')
  "$ROOT/chainboot" down --state "$BASE/state" > /dev/null
  t2=$(date +%s.%N)
  up=$(echo "$t1 - $t0" | bc); down=$(echo "$t2 - $t1" | bc)
  ups+=("$up"); downs+=("$down")
  printf '%-6s %-8.1f %-8.1f %-10s %-10s %s\n' "$r" "$up" "$down" "$kafka" "$pg" "$slow"
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo "median up $(median "${ups[@]}") s, down $(median "${downs[@]}") s (target: up < 90 s); load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
