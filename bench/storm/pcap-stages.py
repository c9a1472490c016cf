#!/usr/bin/env python3
"""Stage times of each guest of a qemu-storm.sh CAPTURE=1 run, read from the pcaps (needs tshark).

   bench/storm/pcap-stages.py bench/storm/target/qemu-<run>/*.pcap

Per guest (by the MAC in DHCP, then its leased address), in seconds: PXE DHCP (first DISCOVER ->
first ACK; the firmware's own wait for offers is most of it), TFTP (first RRQ -> last DATA) with
its data phase (ACK 0 -> last DATA), the loader's start (last DATA -> iPXE's DISCOVER), iPXE DHCP,
-> HTTP GET, -> iSCSI SYN, and for the TFTP data phase the client's and the server's share: the
sum of the client's delays (a DATA that ends a window -> its ACK) and of the server's (ACK -> the
next DATA), with the window the OACK granted. It prints; it judges nothing.
"""
import subprocess
import sys

FIELDS = ["frame.time_relative", "ip.src", "ip.dst", "dhcp.hw.mac_addr", "dhcp.option.dhcp", "dhcp.ip.your",
          "tftp.opcode", "tftp.option.name", "tftp.option.value", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack",
          "http.request.method"]


def rows(pcap):
    cmd = ["tshark", "-r", pcap, "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=,"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    for line in out.splitlines():
        yield dict(zip(FIELDS, line.split("\t")))


def stages(pcap):
    g = {}      # mac -> guest
    by_ip = {}  # leased address -> guest
    for r in rows(pcap):
        t = float(r["frame.time_relative"])
        mac, msg = r["dhcp.hw.mac_addr"].split(",")[0], r["dhcp.option.dhcp"]
        if mac and msg:
            x = g.setdefault(mac, {"mac": mac})
            # the second DHCP is iPXE's: after a TFTP (UEFI: OVMF PXE -> ipxe.efi), or a second DORA at all
            # (BIOS: QEMU's iPXE ROM, then the script's own `dhcp` in the reference chain)
            pre = "ipxe_" if ("tftp_end" in x or ("pxe_ack" in x and msg == "1")) else "pxe_"
            if msg == "1":
                x.setdefault(pre + "disc", t)
            if msg == "5":
                x.setdefault(pre + "ack", t)
                if r["dhcp.ip.your"]:
                    by_ip[r["dhcp.ip.your"]] = x
            continue
        src, dst = r["ip.src"], r["ip.dst"]
        op = r["tftp.opcode"]
        if op:
            if op == "1" and src in by_ip:
                x = by_ip[src]
                x.setdefault("rrq", t)
                x["window"] = 1
                x.pop("last_data", None)
            elif op == "6" and dst in by_ip:
                x = by_ip[dst]
                names, vals = r["tftp.option.name"].split(","), r["tftp.option.value"].split(",")
                opts = dict(zip(names, vals))
                x["window"] = int(opts.get("windowsize", "1") or 1)
            elif op == "4" and src in by_ip:
                x = by_ip[src]
                if x.get("last_data") is not None:
                    x["client"] = x.get("client", 0) + t - x["last_data"]
                    x["last_data"] = None
                else:
                    x.setdefault("ack0", t)
                x["last_ack"] = t
            elif op == "3" and dst in by_ip:
                x = by_ip[dst]
                if x.get("last_ack") is not None:
                    x["server"] = x.get("server", 0) + t - x["last_ack"]
                    x["last_ack"] = None
                x["last_data"] = t
                x["tftp_end"] = t
            continue
        if src in by_ip:
            x = by_ip[src]
            if r["http.request.method"] == "GET":
                x.setdefault("get", t)
            if r["tcp.dstport"] == "3260" and r["tcp.flags.syn"] == "1" and r["tcp.flags.ack"] == "0":
                x.setdefault("syn", t)
    return g


def d(x, a, b):
    return "%6.2f" % (x[b] - x[a]) if a in x and b in x else "     -"


for pcap in sys.argv[1:]:
    name = pcap.rsplit("/", 1)[-1].removesuffix(".pcap")
    for mac, x in sorted(stages(pcap).items()):
        print(f"{name:18s} {mac[-5:]} pxe-dhcp {d(x, 'pxe_disc', 'pxe_ack')} tftp {d(x, 'rrq', 'tftp_end')}"
              f" (data {d(x, 'ack0', 'tftp_end')}, window {x.get('window', '-')}, client {x.get('client', 0):5.2f}"
              f" server {x.get('server', 0):5.2f}) loader-start {d(x, 'tftp_end', 'ipxe_disc')}"
              f" ipxe-dhcp {d(x, 'ipxe_disc', 'ipxe_ack')} ->get {d(x, 'ipxe_ack', 'get')} ->iscsi {d(x, 'get', 'syn')}")
