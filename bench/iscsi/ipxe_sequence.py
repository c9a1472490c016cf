#!/usr/bin/env python3
"""What iPXE does at `sanboot` against an iSCSI target, timed per request, from one fresh TCP connection.

Login as iPXE 1.0.0+git-20190125 (QEMU's e1000 ROM) sends it: security stage with
AuthMethod=None (or CHAP,None and the CHAP exchange), then the operational stage restating
iPXE's keys (InitialR2T=Yes, ImmediateData=No, MaxRecvDataSegmentLength=8192, ...), then
REPORT LUNS, TEST UNIT READY (repeated while it answers CHECK CONDITION, as iPXE does),
READ CAPACITY (10), READ CAPACITY (16), INQUIRY, READ (10) of sector 0, a few more reads, Logout.

Prints one JSON object: milliseconds per step (wall clock, send of the first request PDU to
the last answer PDU), and `first_read` = TCP connect started -> READ (10) of sector 0 answered.
Pure standard library, so a clean checkout runs it: bench/iscsi/first-boot.sh uses it.

usage: ipxe_sequence.py HOST PORT TARGET_IQN LUN [--initiator IQN] [--chap-user U --chap-secret S]
"""
import argparse
import hashlib
import json
import os
import socket
import struct
import sys
import time

IPXE_OPERATIONAL = [
    "HeaderDigest=None", "DataDigest=None", "MaxConnections=1", "InitialR2T=Yes", "ImmediateData=No",
    "MaxRecvDataSegmentLength=8192", "MaxBurstLength=262144", "FirstBurstLength=65536",
    "DefaultTime2Wait=0", "DefaultTime2Retain=0", "MaxOutstandingR2T=1", "DataPDUInOrder=Yes",
    "DataSequenceInOrder=Yes", "ErrorRecoveryLevel=0",
]


class Failure(Exception):
    pass


class Session:
    def __init__(self, host, port, lun):
        self.host, self.port = host, port
        self.lun = 0 if lun == 0 else (lun << 48)  # SAM peripheral addressing, bus 0
        self.itt = 0x1000
        self.cmdsn = 1
        self.expstatsn = 0
        self.isid = bytes([0x80, 0x00, 0x02, 0x3d, 0x00, 0x01])  # OUI format, like iPXE
        self.tsih = 0
        self.sock = None

    # ---------------------------------------------------------------- framing
    def connect(self):
        self.sock = socket.create_connection((self.host, self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def recv_exact(self, n):
        out = bytearray()
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise Failure("connection closed by the target")
            out += chunk
        return bytes(out)

    def read_pdu(self):
        bhs = self.recv_exact(48)
        ahs = bhs[4] * 4
        dlen = int.from_bytes(bhs[5:8], "big")
        rest = self.recv_exact(ahs + ((dlen + 3) & ~3))
        return bhs, rest[ahs:ahs + dlen]

    def send(self, bhs, data=b""):
        pad = (-len(data)) % 4
        self.sock.sendall(bytes(bhs) + data + b"\0" * pad)

    def next_itt(self):
        self.itt += 1
        return self.itt

    # ---------------------------------------------------------------- login
    def login_request(self, transit, csg, nsg, keys):
        data = b"".join(k.encode() + b"\0" for k in keys)
        bhs = bytearray(48)
        bhs[0] = 0x43  # immediate | Login Request
        bhs[1] = (0x80 if transit else 0) | (csg << 2) | (nsg if transit else 0)
        bhs[5:8] = len(data).to_bytes(3, "big")
        bhs[8:14] = self.isid
        bhs[14:16] = self.tsih.to_bytes(2, "big")
        struct.pack_into(">IHxxII", bhs, 16, self.next_itt(), 0, self.cmdsn, self.expstatsn)
        self.send(bhs, data)
        rsp, text = self.read_pdu()
        if rsp[0] & 0x3f != 0x23:
            raise Failure("expected a Login Response, got opcode 0x%02x" % rsp[0])
        if rsp[36] != 0:
            raise Failure("login refused: status 0x%02x%02x" % (rsp[36], rsp[37]))
        self.expstatsn = struct.unpack_from(">I", rsp, 24)[0] + 1
        self.tsih = int.from_bytes(rsp[14:16], "big")
        answer = dict(kv.split("=", 1) for kv in text.decode().split("\0") if "=" in kv)
        return rsp, answer

    def login(self, initiator, target, chap_user=None, chap_secret=None):
        first = ["InitiatorName=" + initiator, "TargetName=" + target, "SessionType=Normal",
                 "AuthMethod=" + ("CHAP,None" if chap_user else "None")]
        rsp, answer = self.login_request(True, 0, 1, first)
        if answer.get("AuthMethod") == "CHAP":
            if not chap_user:
                raise Failure("target wants CHAP; no credentials given")
            rsp, answer = self.login_request(False, 0, 0, ["CHAP_A=5"])
            ident = int(answer["CHAP_I"], 0)
            challenge = bytes.fromhex(answer["CHAP_C"][2:])
            digest = hashlib.md5(bytes([ident]) + chap_secret.encode() + challenge).hexdigest()
            rsp, answer = self.login_request(True, 0, 1, ["CHAP_N=" + chap_user, "CHAP_R=0x" + digest])
        if not rsp[1] & 0x80 or rsp[1] & 3 != 1:
            raise Failure("security stage did not transit to the operational stage")
        rsp, answer = self.login_request(True, 1, 3, IPXE_OPERATIONAL)
        if not rsp[1] & 0x80 or rsp[1] & 3 != 3:
            raise Failure("operational stage did not transit to full feature phase")

    # ---------------------------------------------------------------- SCSI
    def scsi(self, cdb, edtl):
        """One SCSI read-type command; returns (status, data, sense)."""
        bhs = bytearray(48)
        bhs[0] = 0x01
        bhs[1] = 0x80 | (0x40 if edtl else 0) | 0x01  # F, R, SIMPLE
        struct.pack_into(">QIIII", bhs, 8, self.lun, self.next_itt(), edtl, self.cmdsn, self.expstatsn)
        bhs[32:32 + len(cdb)] = cdb
        self.cmdsn += 1
        self.send(bhs)
        data = bytearray()
        while True:
            rsp, seg = self.read_pdu()
            op = rsp[0] & 0x3f
            if op == 0x25:  # Data-In
                off = struct.unpack_from(">I", rsp, 40)[0]
                data[off:off + len(seg)] = seg
                if rsp[1] & 0x01:  # status in the last Data-In (phase collapse)
                    self.expstatsn = struct.unpack_from(">I", rsp, 24)[0] + 1
                    return rsp[3], bytes(data), b""
            elif op == 0x21:  # SCSI Response
                self.expstatsn = struct.unpack_from(">I", rsp, 24)[0] + 1
                sense = seg[2:2 + int.from_bytes(seg[0:2], "big")] if len(seg) >= 2 else b""
                return rsp[3], bytes(data), sense
            elif op == 0x20:  # NOP-In ping: answer it (TTT echoed, ITT reserved)
                nop = bytearray(48)
                nop[0] = 0x40
                nop[1] = 0x80
                struct.pack_into(">QIIII", nop, 8, 0, 0xffffffff, struct.unpack_from(">I", rsp, 20)[0],
                                 self.cmdsn, self.expstatsn)
                self.send(nop)
            else:
                raise Failure("unexpected opcode 0x%02x during a SCSI command" % op)

    def logout(self):
        bhs = bytearray(48)
        bhs[0] = 0x46
        bhs[1] = 0x80
        struct.pack_into(">IxxxxII", bhs, 16, self.next_itt(), self.cmdsn, self.expstatsn)
        self.send(bhs)
        self.read_pdu()
        self.sock.close()


def read10(lba, blocks):
    return struct.pack(">BBIBHB", 0x28, 0, lba, 0, blocks, 0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("target")
    p.add_argument("lun", type=int)
    p.add_argument("--initiator", default="iqn.2010-04.org.ipxe:bench")
    p.add_argument("--chap-user")
    p.add_argument("--chap-secret")
    a = p.parse_args()

    s = Session(a.host, a.port, a.lun)
    ms = {}
    t_start = time.perf_counter()

    def step(name, fn):
        t0 = time.perf_counter()
        r = fn()
        ms[name] = round((time.perf_counter() - t0) * 1000, 3)
        return r

    def good(name, cdb, edtl):
        status, data, sense = step(name, lambda: s.scsi(cdb, edtl))
        if status != 0:
            raise Failure("%s: status 0x%02x sense %s" % (name, status, sense.hex()))
        return data

    try:
        step("connect", s.connect)
        step("login", lambda: s.login(a.initiator, a.target, a.chap_user, a.chap_secret))
        good("report_luns", bytes([0xa0, 0, 0, 0, 0, 0]) + struct.pack(">I", 4096) + b"\0\0", 4096)
        t0 = time.perf_counter()
        for attempt in range(10):  # iPXE retries TEST UNIT READY (a unit attention after login is normal)
            status, _, _ = s.scsi(bytes(6), 0)
            if status == 0:
                break
        ms["test_unit_ready"] = round((time.perf_counter() - t0) * 1000, 3)
        ms["tur_attempts"] = attempt + 1
        if status != 0:
            raise Failure("TEST UNIT READY never answered GOOD")
        good("read_capacity10", bytes([0x25]) + bytes(9), 8)
        good("read_capacity16", bytes([0x9e, 0x10]) + bytes(8) + struct.pack(">I", 32) + b"\0\0", 32)
        good("inquiry", bytes([0x12, 0, 0, 0, 96, 0]), 96)
        sector0 = good("read10_lba0", read10(0, 1), 512)
        ms["first_read"] = round((time.perf_counter() - t_start) * 1000, 3)
        good("read10_lba0_again", read10(0, 1), 512)
        good("read10_lba1_x8", read10(1, 8), 4096)
        good("read10_lba63", read10(63, 1), 512)
        good("read10_lba2048_x64", read10(2048, 64), 32768)
        step("logout", s.logout)
        ms["sector0_sha1"] = hashlib.sha1(sector0).hexdigest()[:12]
    except (Failure, OSError) as e:
        ms["error"] = str(e)
        print(json.dumps(ms))
        return 1
    print(json.dumps(ms))
    return 0


if __name__ == "__main__":
    sys.exit(main())
