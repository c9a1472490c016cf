# Shared by bench/dhcp/run.sh and bench/dhcp/stack.sh (sourced, not run).

# netns_pair SERVER_NS CLIENT_NS SERVER_IF: two namespaces joined by a veth, server 10.214.0.1/16 on
# SERVER_IF, perfdhcp's side 10.214.0.2/16 on eth0.
netns_pair() {
  local s=$1 c=$2 ifname=$3
  ip netns add "$s"
  ip netns add "$c"
  ip link add "$ifname" netns "$s" type veth peer name eth0 netns "$c"
  ip -n "$s" link set lo up
  ip -n "$c" link set lo up
  ip -n "$s" addr add 10.214.0.1/16 dev "$ifname"
  ip -n "$s" link set "$ifname" up
  ip -n "$c" addr add 10.214.0.2/16 dev eth0
  ip -n "$c" link set eth0 up
}

# kea_config FILE OUTDIR IF: kea-dhcp4 with the pool the benchmarks use, memfile with persist=true.
kea_config() {
  cat > "$1" <<JSON
{ "Dhcp4": {
    "interfaces-config": { "interfaces": [ "$3" ], "dhcp-socket-type": "raw" },
    "lease-database": { "type": "memfile", "persist": true, "name": "$2/kea-leases.csv", "lfc-interval": 0 },
    "valid-lifetime": 3600,
    "subnet4": [ { "id": 1, "subnet": "10.214.0.0/16", "pools": [ { "pool": "10.214.1.0 - 10.214.250.255" } ] } ],
    "loggers": [ { "name": "kea-dhcp4", "severity": "WARN", "output_options": [ { "output": "stdout" } ] } ]
} }
JSON
}

# perfdhcp_stats FILE: "DORA/s DISCOVERs-sent drops-D-O drops-R-A" from perfdhcp's report
perfdhcp_stats() { # a field perfdhcp did not report is "?"
  local f=$1 rate sent d1 d2
  rate=$(grep -m1 -E "^Rate:" "$f" | sed -E 's/Rate: ([0-9.]+).*/\1/')
  sent=$(awk '/^\*\*\*Statistics for: DISCOVER-OFFER/{s=1} s&&/sent packets:/{print $3; exit}' "$f")
  d1=$(awk '/^\*\*\*Statistics for: DISCOVER-OFFER/{s=1} s&&/drops:/{print $2; exit}' "$f")
  d2=$(awk '/^\*\*\*Statistics for: REQUEST-ACK/{s=1} s&&/drops:/{print $2; exit}' "$f")
  echo "${rate:-?} ${sent:-?} ${d1:-?} ${d2:-?}"
}
