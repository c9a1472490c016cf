#!/bin/bash
# One real firmware client: OVMF's own PXE (QEMU virtio-net with romfile= so the firmware's
# network stack, not an iPXE ROM, does the TFTP) fetches ipxe.efi from tftp-service.
# Everything runs in a network namespace cb-tftp-ovmf (deleted on exit): a tap device
# 10.77.0.1/24, dnsmasq as DHCP only (no DNS, no TFTP) pointing at our TFTP, tftp-service on
# port 69, QEMU. Prints the firmware's read request and our OACK, and whether the file was sent.
# Run as root from the repo root after `mvn -q package -pl tftp-service -DskipTests`.
# Needs: qemu-system-x86 ovmf ipxe dnsmasq-base tshark.
# Env: TFTP_OPTS (extra JVM options for tftp-service, e.g. -Dchainboot.tftp.max-window=64).
set -u
NS=cb-tftp-ovmf
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=$(mktemp -d /tmp/cb-tftp-ovmf.XXXXXX)
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  sleep 1
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $WORK" || rm -rf "$WORK"
}
trap cleanup EXIT
mkdir -p "$WORK/root"
cp /usr/lib/ipxe/ipxe.efi "$WORK/root/"
cp /usr/share/OVMF/OVMF_VARS_4M.fd "$WORK/vars.fd"
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip tuntap add dev tap0 mode tap
ip netns exec "$NS" ip addr add 10.77.0.1/24 dev tap0
ip netns exec "$NS" ip link set tap0 up
ip netns exec "$NS" tshark -q -i tap0 -f "udp" -w "$WORK/pxe.pcap" >/dev/null 2>&1 & PIDS+=($!)
ip netns exec "$NS" dnsmasq --no-daemon --port=0 --interface=tap0 --bind-interfaces \
  --dhcp-range=10.77.0.10,10.77.0.50,1h --dhcp-boot=ipxe.efi,,10.77.0.1 \
  --dhcp-leasefile="$WORK/leases" --pid-file="$WORK/dnsmasq.pid" >"$WORK/dnsmasq.log" 2>&1 & PIDS+=($!)
ip netns exec "$NS" java -Xmx128m ${TFTP_OPTS:-} -Dchainboot.tftp.port=69 -Dchainboot.tftp.root="$WORK/root" \
  -Dchainboot.common.kafka-enabled=false -Dquarkus.http.port=18093 \
  -jar "$REPO/tftp-service/target/quarkus-app/quarkus-run.jar" >"$WORK/tftp.log" 2>&1 & PIDS+=($!)
sleep 5
KVM=""; [ -n "${USE_KVM:-}" ] && KVM="-enable-kvm"  # nested KVM here fails in OVMF; TCG is the default
ip netns exec "$NS" qemu-system-x86_64 $KVM -machine q35 -m 512 -display none -serial file:"$WORK/serial.log" -monitor none \
  -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
  -drive if=pflash,format=raw,file="$WORK/vars.fd" \
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
  -device virtio-net-pci,netdev=n0,romfile= -boot n >"$WORK/qemu.log" 2>&1 & PIDS+=($!)
for i in $(seq 1 ${OVMF_WAIT:-240}); do
  grep -q "sent ipxe.efi" "$WORK/tftp.log" && break
  sleep 1
done
sleep 2
echo "--- TFTP requests and option acknowledgements on the wire"
tshark -r "$WORK/pxe.pcap" -Y "tftp.opcode == 1 || tftp.opcode == 6 || tftp.opcode == 5" 2>/dev/null
echo "--- tftp-service log"
grep -E "sent|failed|refused|probe" "$WORK/tftp.log"
if [ -n "${SAVE_RRQ:-}" ]; then
  tshark -r "$WORK/pxe.pcap" -Y "tftp.opcode == 1" -T fields -e udp.payload 2>/dev/null | tail -1 | xxd -r -p > "$SAVE_RRQ"
fi
grep -q "sent ipxe.efi" "$WORK/tftp.log" && echo "RESULT: OVMF PXE fetched ipxe.efi" || { echo "RESULT: no completed transfer"; tail -20 "$WORK/tftp.log"; cat "$WORK/dnsmasq.log" | tail -5; exit 1; }
