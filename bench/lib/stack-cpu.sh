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
