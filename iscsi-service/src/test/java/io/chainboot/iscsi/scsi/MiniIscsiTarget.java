package io.chainboot.iscsi.scsi;

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
            int ahs = (bhs[4] & 0xFF) * 4;
            in.skipNBytes(ahs);
            int dsl = Cdb.u24(bhs, 5);
            byte[] d = new byte[dsl];
            in.readFully(d);
            in.skipNBytes((4 - dsl % 4) % 4);
            return d;
        }

        void send(byte[] bhs, byte[] data, int off, int len) throws IOException {
            bhs[4] = 0;
            bhs[5] = (byte) (len >> 16);
            bhs[6] = (byte) (len >> 8);
            bhs[7] = (byte) len;
            out.write(bhs);
            if (len > 0) {
                out.write(data, off, len);
                out.write(new byte[(4 - len % 4) % 4]);
            }
        }

        void sns(byte[] bhs, boolean withStat) {
            if (withStat) {
                Cdb.put32(bhs, 24, statSn++);
            }
            Cdb.put32(bhs, 28, expCmdSn);
            Cdb.put32(bhs, 32, expCmdSn + 31);
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
                        byte[] r = new byte[48];
                        r[0] = 0x26;
                        r[1] = (byte) 0x80;
                        System.arraycopy(bhs, 16, r, 16, 4);
                        c.sns(r, true);
                        c.send(r, null, 0, 0);
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
            byte[] r = new byte[48];
            r[0] = 0x23;
            r[1] = (byte) ((transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
            System.arraycopy(bhs, 8, r, 8, 6);
            boolean done = transit && nsg == 3;
            if (done) {
                Cdb.put16(r, 14, tsih.getAndIncrement());
            }
            System.arraycopy(bhs, 16, r, 16, 4);
            Cdb.put32(r, 24, c.statSn++);
            Cdb.put32(r, 28, c.expCmdSn);
            Cdb.put32(r, 32, c.expCmdSn + 31);
            byte[] d = reply.toString().getBytes(StandardCharsets.UTF_8);
            c.send(r, d, 0, d.length);
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
        byte[] r = new byte[48];
        r[0] = 0x20;
        r[1] = (byte) 0x80;
        System.arraycopy(bhs, 8, r, 8, 8);
        System.arraycopy(bhs, 16, r, 16, 4);
        Cdb.put32(r, 20, 0xFFFFFFFFL);
        c.sns(r, true);
        c.send(r, data, 0, data.length);
    }

    private void tmf(Conn c, byte[] bhs) throws IOException {
        int fn = bhs[1] & 0x7F;
        long lun = lunOf(bhs);
        if (fn == 5) {
            scsi.lunReset(lun);
        } else if (fn == 6 || fn == 7) {
            scsi.targetReset();
        }
        byte[] r = new byte[48];
        r[0] = 0x22;
        r[1] = (byte) 0x80;
        r[2] = 0; // function complete
        System.arraycopy(bhs, 16, r, 16, 4);
        c.sns(r, true);
        c.send(r, null, 0, 0);
    }

    private void text(Conn c, byte[] bhs) throws IOException {
        String s = "TargetName=" + scsi.targetName() + "\0TargetAddress=127.0.0.1:" + port() + ",1\0";
        byte[] d = s.getBytes(StandardCharsets.UTF_8);
        byte[] r = new byte[48];
        r[0] = 0x24;
        r[1] = (byte) 0x80;
        System.arraycopy(bhs, 16, r, 16, 4);
        Cdb.put32(r, 20, 0xFFFFFFFFL);
        c.sns(r, true);
        c.send(r, d, 0, d.length);
    }

    private void reject(Conn c, byte[] bhs) throws IOException {
        byte[] r = new byte[48];
        r[0] = 0x3F;
        r[1] = (byte) 0x80;
        r[2] = 0x05; // command not supported
        Cdb.put32(r, 16, 0xFFFFFFFFL);
        c.sns(r, true);
        c.send(r, bhs, 0, 48);
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
                byte[] r2t = new byte[48];
                r2t[0] = 0x31;
                r2t[1] = (byte) 0x80;
                System.arraycopy(bhs, 8, r2t, 8, 12);
                Cdb.put32(r2t, 20, 0x1000 + r2tsn);
                c.sns(r2t, false);
                Cdb.put32(r2t, 24, c.statSn);
                Cdb.put32(r2t, 36, r2tsn++);
                Cdb.put32(r2t, 40, got);
                Cdb.put32(r2t, 44, burst);
                c.send(r2t, null, 0, 0);
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
        if (resp.status() == ScsiResponse.GOOD && read && dataLen > 0 && edtl > 0) {
            int n = (int) Math.min(dataLen, edtl);
            byte[] d = new byte[n];
            resp.dataIn().duplicate().get(d);
            int sent = 0;
            int dataSn = 0;
            while (sent < n) {
                int len = Math.min(c.peerMaxRecv, n - sent);
                boolean last = sent + len == n;
                byte[] r = new byte[48];
                r[0] = 0x25;
                r[1] = (byte) (last ? 0x81 | flags : 0);
                r[3] = 0;
                System.arraycopy(bhs, 16, r, 16, 4);
                Cdb.put32(r, 20, 0xFFFFFFFFL);
                c.sns(r, last);
                Cdb.put32(r, 36, dataSn++);
                Cdb.put32(r, 40, sent);
                if (last) {
                    Cdb.put32(r, 44, residual);
                }
                c.send(r, d, sent, len);
                sent += len;
            }
            return;
        }
        byte[] r = new byte[48];
        r[0] = 0x21;
        r[1] = (byte) (0x80 | (resp.status() == ScsiResponse.GOOD ? flags : flags));
        r[3] = (byte) resp.status();
        System.arraycopy(bhs, 16, r, 16, 4);
        c.sns(r, true);
        Cdb.put32(r, 44, residual);
        byte[] sense = resp.sense();
        if (sense != null) {
            byte[] seg = new byte[2 + sense.length];
            Cdb.put16(seg, 0, sense.length);
            System.arraycopy(sense, 0, seg, 2, sense.length);
            c.send(r, seg, 0, seg.length);
        } else {
            c.send(r, null, 0, 0);
        }
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
