# CPU accounting of a running ./chainboot stack, shared by bench/storm/run.sh and bench/dhcp/stack.sh
# (sourced, not run). Needs STATE (the stack's --state directory).

# descendants PID: every process below PID
descendants() { local c; for c in $(pgrep -P "$1" 2>/dev/null); do echo -n "$c "; descendants "$c"; done; }

# cpu_snapshot FILE: one "component clock-ticks" line per component of run/chainboot.state (utime+stime
# of the whole process tree: PostgreSQL is sh -> postmaster -> backends; the supervisor alone, since its
# children are the components, counted on their own lines)
cpu_snapshot() {
  local f="$1" name pid; : > "$f"
  while IFS=$'\t' read -r name pid _; do
    [[ "$pid" =~ ^[0-9]+$ ]] || continue
    local total=0
    local pids="$pid"
    [[ "$name" != supervisor ]] && pids="$pid $(descendants "$pid")"
    for p in $pids; do
      [[ -r /proc/$p/stat ]] && total=$(( total + $(awk '{print $14+$15}' /proc/$p/stat) ))
    done
    echo "$name $total" >> "$f"
  done < "$STATE/run/chainboot.state"
}

# cpu_delta BEFORE AFTER: "component seconds" per component, from two snapshots
cpu_delta() {
  join <(sort "$1") <(sort "$2") | awk '{printf "%s %.2f\n", $1, ($3-$2)/100}'
}

# thread_snapshot COMPONENT FILE: "tid name clock-ticks" per thread of one component's process (Java
# thread names, cut to 15 characters by the kernel), to see which threads a component's CPU went to
thread_snapshot() {
  local pid; pid=$(awk -v c="$1" '$1 == c {print $2}' "$STATE/run/chainboot.state")
  : > "$2"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  local t
  for t in /proc/"$pid"/task/*; do
    [[ -r $t/stat ]] || continue
    # comm may hold spaces: the fields after the closing parenthesis are fixed
    # a thread may end between the listing and the read: skip it (under set -e a failed read ended the bench)
    awk -v tid="${t##*/}" -v name="$(tr ' ' '_' < "$t/comm" 2>/dev/null)" '{sub(/^.*\) /, ""); print tid, name, $12 + $13}' "$t/stat" >> "$2" 2>/dev/null || true
  done
}

# thread_delta BEFORE AFTER [N]: the N (default 8) threads that used most CPU between the snapshots,
# as "seconds name" (threads of the same name summed)
thread_delta() {
  join <(sort "$1") <(sort "$2") | awk '{cpu[$2] += ($5 - $3) / 100} END {for (n in cpu) if (cpu[n] > 0) printf "%.2f %s\n", cpu[n], n}' \
    | sort -rn | head -"${3:-8}"
}
