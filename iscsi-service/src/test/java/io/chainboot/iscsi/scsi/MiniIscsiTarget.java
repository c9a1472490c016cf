package io.chainboot.iscsi.scsi;

import io.chainboot.iscsi.pdu.LogoutResponse;
import io.chainboot.iscsi.pdu.Opcode;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.PduCodec;
import io.chainboot.iscsi.pdu.RejectReason;
import io.chainboot.iscsi.pdu.TargetPdus;
import io.chainboot.iscsi.pdu.TmfResponse;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deliberately minimal, blocking, test-only iSCSI transport (RFC 7143 subset: login without
 * authentication, InitialR2T=Yes/ImmediateData=No, one R2T at a time, Data-In, SCSI Response,
 * NOP, TMF, Text SendTargets, Logout) — just enough for libiscsi's iscsi-test-cu to exercise the
 * SCSI layer before the real transport of iscsi-service exists. Loopback only; not product code.
 * Its answers are built by the product's {@link TargetPdus} and framed by {@link PduCodec} (the one
 * encoder); residuals and truncation are the SCSI layer's ({@link ScsiResponse#residual()}).
 */
final class MiniIscsiTarget implements AutoCloseable {
    private static final int MAX_RECV = 262144;
    private static final int MAX_BURST = 262144;

    private final ScsiTarget scsi;
    private final ServerSocket server;
    private final Thread acceptor;
    private final Map<Socket, Boolean> open = new ConcurrentHashMap<>();
    private final AtomicInteger tsih = new AtomicInteger(1);

    MiniIscsiTarget(ScsiTarget scsi) throws IOException {
        this.scsi = scsi;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        acceptor = new Thread(this::acceptLoop, "mini-iscsi-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                s.setTcpNoDelay(true);
                open.put(s, true);
                Thread t = new Thread(() -> serve(s), "mini-iscsi-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open.keySet()) {
            s.close();
        }
    }

    // ------------------------------------------------------------------ one connection

    private final class Conn {
        final Socket socket;
        final DataInputStream in;
        final OutputStream out;
        int statSn = 1;
        int expCmdSn;
        int peerMaxRecv = 8192;
        Nexus nexus;
        String initiator = "?";
        byte[] isid = new byte[6];
        /** PDUs that arrived while a command waited for its Data-Out (pipelined commands). */
        final java.util.ArrayDeque<byte[][]> backlog = new java.util.ArrayDeque<>();

        Conn(Socket s) throws IOException {
            socket = s;
            in = new DataInputStream(s.getInputStream());
            out = s.getOutputStream();
        }

        byte[] readBhs() throws IOException {
            byte[] bhs = new byte[48];
            in.readFully(bhs);
            return bhs;
        }

        byte[] readData(byte[] bhs) throws IOException {
            in.skipNBytes(PduCodec.ahsLength(bhs));
            int dsl = PduCodec.dataSegmentLength(bhs);
            byte[] d = new byte[dsl];
            in.readFully(d);
            in.skipNBytes(PduCodec.padded(dsl) - dsl);
            return d;
        }

        /** StatSN (advanced when {@code status}; none on a Data-In without status), ExpCmdSN, MaxCmdSN; then the wire. */
        void send(Pdu p, boolean status) throws IOException {
            TargetPdus.setSequenceNumbers(p, TargetPdus.isDataInWithoutStatus(p) ? null : statSn, expCmdSn,
                    expCmdSn + 31);
            if (status) {
                statSn++;
            }
            ByteBuffer wire = PduCodec.encode(p, false, false);
            out.write(wire.array(), 0, wire.remaining());
        }
    }

    private void serve(Socket s) {
        Conn c = null;
        try {
            c = new Conn(s);
            if (!login(c)) {
                return;
            }
            while (true) {
                byte[] bhs;
                byte[] data;
                if (!c.backlog.isEmpty()) {
                    byte[][] p = c.backlog.poll();
                    bhs = p[0];
                    data = p[1];
                } else {
                    bhs = c.readBhs();
                    data = c.readData(bhs);
                }
                int op = bhs[0] & 0x3F;
                boolean immediate = (bhs[0] & 0x40) != 0;
                int cmdSn = (int) Cdb.u32(bhs, 24);
                if (!immediate && op != 0x05) {
                    c.expCmdSn = cmdSn + 1;
                }
                switch (op) {
                    case 0x00 -> nop(c, bhs, data);
                    case 0x01 -> command(c, bhs, data);
                    case 0x02 -> tmf(c, bhs);
                    case 0x04 -> text(c, bhs);
                    case 0x06 -> {
                        c.send(TargetPdus.logoutResponse((int) Cdb.u32(bhs, 16), LogoutResponse.CLOSED), true);
                        c.out.flush();
                        return;
                    }
                    case 0x05 -> { } // unsolicited Data-Out: not negotiated, ignore
                    default -> reject(c, bhs);
                }
                c.out.flush();
            }
        } catch (IOException e) {
            // connection ended
        } finally {
            if (c != null && c.nexus != null) {
                scsi.nexusLost(c.nexus);
            }
            open.remove(s);
            try {
                s.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private boolean login(Conn c) throws IOException {
        Map<String, String> all = new LinkedHashMap<>();
        while (true) {
            byte[] bhs = c.readBhs();
            byte[] data = c.readData(bhs);
            if ((bhs[0] & 0x3F) != 0x03) {
                return false;
            }
            Map<String, String> keys = parse(data);
            all.putAll(keys);
            boolean transit = (bhs[1] & 0x80) != 0;
            int csg = (bhs[1] >> 2) & 3;
            int nsg = bhs[1] & 3;
            System.arraycopy(bhs, 8, c.isid, 0, 6);
            c.expCmdSn = (int) Cdb.u32(bhs, 24);
            StringBuilder reply = new StringBuilder();
            for (Map.Entry<String, String> e : keys.entrySet()) {
                String k = e.getKey();
                String v = e.getValue();
                String r = switch (k) {
                    case "InitiatorName", "SessionType", "TargetName", "InitiatorAlias" -> null;
                    case "AuthMethod" -> "None";
                    case "HeaderDigest", "DataDigest" -> "None";
                    case "MaxRecvDataSegmentLength" -> {
                        c.peerMaxRecv = Integer.parseInt(v);
                        yield Integer.toString(MAX_RECV);
                    }
                    case "MaxBurstLength", "FirstBurstLength" -> Integer.toString(Math.min(Integer.parseInt(v), MAX_BURST));
                    case "InitialR2T" -> "Yes";
                    case "ImmediateData" -> "No";
                    case "MaxConnections", "MaxOutstandingR2T" -> "1";
                    case "DataPDUInOrder", "DataSequenceInOrder" -> "Yes";
                    case "ErrorRecoveryLevel", "DefaultTime2Retain" -> "0";
                    case "DefaultTime2Wait" -> "2";
                    case "IFMarker", "OFMarker" -> "No";
                    default -> "NotUnderstood";
                };
                if (r != null) {
                    reply.append(k).append('=').append(r).append('\0');
                }
            }
            if (csg == 0 || (all.containsKey("InitiatorName") && !all.containsKey("tpgt-sent"))) {
                if (!"Discovery".equals(all.get("SessionType"))) {
                    reply.append("TargetPortalGroupTag=1\0");
                }
                all.put("tpgt-sent", "1");
            }
            if (csg == 1 && transit && !all.containsKey("sent-op")) {
                // declare ours even if the initiator did not offer them
                for (String k : new String[] {"InitialR2T=Yes", "ImmediateData=No", "MaxOutstandingR2T=1"}) {
                    if (!keys.containsKey(k.substring(0, k.indexOf('=')))) {
                        reply.append(k).append('\0');
                    }
                }
                all.put("sent-op", "1");
            }
            byte[] d = reply.toString().getBytes(StandardCharsets.UTF_8);
            Pdu r = Pdu.newTargetPdu(Opcode.LOGIN_RESPONSE, ByteBuffer.wrap(d))
                    .flags((transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0)).copy(bhs, 8, 14)
                    .itt((int) Cdb.u32(bhs, 16));
            boolean done = transit && nsg == 3;
            if (done) {
                r.tsih(tsih.getAndIncrement());
            }
            c.send(r, true);
            c.out.flush();
            if (done) {
                c.initiator = all.getOrDefault("InitiatorName", "?");
                c.nexus = new Nexus(c.initiator, HexFormat.of().formatHex(c.isid), scsi.targetName());
                return !"Discovery".equals(all.get("SessionType")) || true;
            }
        }
    }

    private static Map<String, String> parse(byte[] data) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : new String(data, StandardCharsets.UTF_8).split("\0")) {
            int i = kv.indexOf('=');
            if (i > 0) {
                m.put(kv.substring(0, i), kv.substring(i + 1));
            }
        }
        return m;
    }

    private void nop(Conn c, byte[] bhs, byte[] data) throws IOException {
        if (Cdb.u32(bhs, 16) == 0xFFFFFFFFL) {
            return;
        }
        c.send(TargetPdus.nopInReply(new Pdu(Opcode.NOP_OUT, bhs, null, null), ByteBuffer.wrap(data)), true);
    }

    private void tmf(Conn c, byte[] bhs) throws IOException {
        int fn = bhs[1] & 0x7F;
        long lun = lunOf(bhs);
        if (fn == 5) {
            scsi.lunReset(lun);
        } else if (fn == 6 || fn == 7) {
            scsi.targetReset();
        }
        c.send(TargetPdus.taskManagementResponse((int) Cdb.u32(bhs, 16), TmfResponse.FUNCTION_COMPLETE), true);
    }

    private void text(Conn c, byte[] bhs) throws IOException {
        String s = "TargetName=" + scsi.targetName() + "\0TargetAddress=127.0.0.1:" + port() + ",1\0";
        byte[] d = s.getBytes(StandardCharsets.UTF_8);
        c.send(TargetPdus.textResponse(new Pdu(Opcode.TEXT_REQUEST, bhs, null, null), ByteBuffer.wrap(d)), true);
    }

    private void reject(Conn c, byte[] bhs) throws IOException {
        c.send(TargetPdus.reject(bhs, RejectReason.COMMAND_NOT_SUPPORTED), true);
    }

    private static long lunOf(byte[] bhs) {
        int b0 = bhs[8] & 0xFF;
        int method = b0 >> 6;
        return method == 1 ? ((b0 & 0x3F) << 8) | (bhs[9] & 0xFF) : bhs[9] & 0xFF;
    }

    private void command(Conn c, byte[] bhs, byte[] immediateData) throws IOException {
        boolean read = (bhs[1] & 0x40) != 0;
        boolean write = (bhs[1] & 0x20) != 0;
        long edtl = Cdb.u32(bhs, 20);
        byte[] cdb = new byte[16];
        System.arraycopy(bhs, 32, cdb, 0, 16);
        int cdbLen = cdbLength(cdb[0] & 0xFF);
        byte[] exact = java.util.Arrays.copyOf(cdb, cdbLen);
        ByteBuffer dataOut = null;
        if (write && edtl > 0) {
            int want = (int) edtl; // all the initiator will send; the SCSI layer uses what the CDB covers
            byte[] buf = new byte[want];
            int got = 0;
            int r2tsn = 0;
            while (got < want) {
                int burst = Math.min(MAX_BURST, want - got);
                c.send(TargetPdus.r2t(ByteBuffer.wrap(bhs, 8, 8).getLong(), (int) Cdb.u32(bhs, 16), 0x1000 + r2tsn,
                        r2tsn, got, burst), false);
                r2tsn++;
                c.out.flush();
                int end = got + burst;
                while (true) {
                    byte[] d = c.readBhs();
                    byte[] seg = c.readData(d);
                    if ((d[0] & 0x3F) != 0x05) {
                        c.backlog.add(new byte[][] {d, seg});
                        continue;
                    }
                    int off = (int) Cdb.u32(d, 40);
                    System.arraycopy(seg, 0, buf, off, Math.min(seg.length, buf.length - off));
                    if ((d[1] & 0x80) != 0) {
                        break;
                    }
                }
                got = end;
            }
            dataOut = ByteBuffer.wrap(buf);
        }
        ScsiResponse resp = scsi.execute(new ScsiRequest(c.nexus, lunOf(bhs), exact, dataOut, (int) edtl));
        int dataLen = resp.dataIn() == null ? 0 : resp.dataIn().remaining(); // at most EDTL: the SCSI layer cut it
        int flags = switch (resp.residual().kind()) {
            case NONE -> 0;
            case UNDERFLOW -> 0x02;
            case OVERFLOW -> 0x04;
        };
        long residual = resp.residual().count();
        int itt = (int) Cdb.u32(bhs, 16);
        if (resp.status() == ScsiResponse.GOOD && read && dataLen > 0 && edtl > 0) {
            ByteBuffer d = resp.dataIn();
            int n = d.remaining();
            int sent = 0;
            int dataSn = 0;
            while (sent < n) {
                int len = Math.min(c.peerMaxRecv, n - sent);
                boolean last = sent + len == n;
                ByteBuffer slice = d.duplicate();
                slice.position(d.position() + sent).limit(d.position() + sent + len);
                c.send(last ? TargetPdus.dataInWithStatus(itt, dataSn++, sent, slice, ScsiResponse.GOOD, flags, (int) residual)
                        : TargetPdus.dataIn(itt, dataSn++, sent, slice, false), last);
                sent += len;
            }
            return;
        }
        c.send(TargetPdus.scsiResponse(itt, resp.status(), resp.sense(), flags, (int) residual, 0), true);
    }

    /** CDB length from the group code of the operation code (SPC-4 §4.2.5.1). */
    static int cdbLength(int op) {
        return switch (op >> 5) {
            case 0 -> 6;
            case 1, 2 -> 10;
            case 4 -> 16;
            case 5 -> 12;
            default -> 16;
        };
    }
}
