#!/usr/bin/env python3
"""Splits what the initiator sent in a captured iSCSI TCP stream into whole PDUs (RFC 7143 §11.2).

usage: split_pdus.py [--target] CAPTURE.pcap PORT HEADER_DIGEST(0|1) NAME=INDEX...
(--target: the target's PDUs instead of the initiator's)
Writes NAME.bin (one PDU as on the wire, digests included), NAME.pcap (that PDU alone in one TCP
segment to port 3260, made with text2pcap) and NAME.tshark.txt (tshark -V's iSCSI and SCSI layers
of it). INDEX counts the initiator's PDUs from 0. Run without NAME=INDEX to list them.
"""
import os, subprocess, sys, tempfile

def stream_bytes(pcap, port, target):
    out = subprocess.run(["tshark", "-r", pcap, "-q", "-z", "follow,tcp,raw,0"], capture_output=True, text=True).stdout
    data = bytearray()
    body = False
    for line in out.splitlines():
        if line.startswith("Node 1:"):
            body = True
            continue
        if not body or line.startswith("===") or not line.strip():
            continue
        if line.startswith("\t") != target:
            continue  # the other side's bytes
        data += bytes.fromhex(line.strip())
    return bytes(data)

def pdus(stream, hd, target):
    """Digests start with the full feature phase: after the Login Request/Response with T=1 and NSG=3."""
    at = 0
    digests = False
    while at + 48 <= len(stream):
        bhs = stream[at:at + 48]
        ahs = bhs[4] * 4
        dlen = int.from_bytes(bhs[5:8], "big")
        n = 48 + ahs + (4 if hd and digests else 0) + ((dlen + 3) & ~3)
        yield stream[at:at + n]
        at += n
        if (bhs[0] & 0x3F) == (0x23 if target else 0x03) and (bhs[1] & 0x80) and (bhs[1] & 0x03) == 3:
            digests = True

def main():
    target = sys.argv[1] == "--target"
    args = sys.argv[2:] if target else sys.argv[1:]
    pcap, port, hd = args[0], int(args[1]), args[2] == "1"
    all_pdus = list(pdus(stream_bytes(pcap, port, target), hd, target))
    if len(args) == 3:
        for i, p in enumerate(all_pdus):
            print(i, hex(p[0] & 0x3F), len(p), p[32:33].hex() if (p[0] & 0x3F) == 1 else "", p[16:20].hex())
        return
    for spec in args[3:]:
        name, index = spec.split("=")
        p = all_pdus[int(index)]
        open(name + ".bin", "wb").write(p)
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as t:
            for i in range(0, len(p), 16):
                t.write("%06x %s\n" % (i, " ".join("%02x" % b for b in p[i:i + 16])))
        subprocess.run(["text2pcap", "-q", "-T", "3260,40000" if target else "40000,3260", t.name, name + ".pcap"], check=True)
        os.unlink(t.name)
        txt = subprocess.run(["tshark", "-r", name + ".pcap", "-V", "-O", "iscsi,scsi"], capture_output=True,
                             text=True, check=True).stdout
        keep = txt[txt.index("iSCSI ("):] if "iSCSI (" in txt else txt
        keep = "\n".join(l for l in keep.splitlines() if l.strip("-").strip()) + "\n"
        open(name + ".tshark.txt", "w").write(keep)

main()
