package io.chainboot.iscsi.warmup;

import io.chainboot.iscsi.login.Chap;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * A minimal blocking iSCSI initiator (RFC 7143) for the start-up warm-up: one connection, one
 * command at a time, the login stages with CHAP (one-way or mutual), SCSI reads and writes (immediate
 * data and R2T/Data-Out), NOP-Out, SendTargets and Logout, optional CRC32C header digests. Every
 * unexpected answer is an {@link IOException}. It only has to be correct against our own target.
 */
final class WarmupClient implements AutoCloseable {
    private static final int LOGIN = 0x03;
    private static final int SCSI_COMMAND = 0x01;
    private static final int DATA_OUT = 0x05;
    private static final int TEXT = 0x04;
    private static final int NOP_OUT = 0x00;
    private static final int LOGOUT = 0x06;
    private static final int IMMEDIATE = 0x40;
    /** Marks, in a login answer's keys, that the target moved to the requested next stage. */
    private static final String TRANSIT = " transit";

    /** CHAP credentials: the initiator's name and secret, and the target's secret when mutual. */
    record Credentials(String user, String secret, Optional<String> targetSecret) {
    }

    /** A finished SCSI command: status, data-in, sense. */
    record Answer(int status, byte[] data, byte[] sense) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final byte[] isid = {(byte) 0x80, 0, 0x02, 0x3d, 0, 0x01};
    private int itt = 1;
    private int cmdSn = 1;
    private int expStatSn;
    private boolean headerDigest;
    private boolean immediateData;
    private int targetMaxRecv = 8192;
    private int firstBurst = 65536;

    WarmupClient(InetSocketAddress target) throws IOException {
        socket = new Socket();
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        socket.connect(target, 10_000);
        in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), 65536));
        out = socket.getOutputStream();
    }

    // ---------------------------------------------------------------- login (§6.3)

    /**
     * Logs in: security stage (AuthMethod None, or CHAP with {@code chap}), then the operational
     * stage with {@code operational} keys. {@code target} null = a discovery session.
     */
    void login(String initiator, String target, Credentials chap, List<String> operational) throws IOException {
        List<String> first = new ArrayList<>(List.of("InitiatorName=" + initiator));
        if (target == null) {
            first.add("SessionType=Discovery");
        } else {
            first.add("TargetName=" + target);
            first.add("SessionType=Normal");
        }
        first.add("AuthMethod=" + (chap == null ? "None" : "CHAP,None"));
        Map<String, String> answer = loginRequest(true, 0, 1, first);
        if ("CHAP".equals(answer.get("AuthMethod"))) {
            if (chap == null) {
                throw new IOException("target asks for CHAP");
            }
            answer = loginRequest(false, 0, 0, List.of("CHAP_A=5"));
            int id = Chap.identifier(answer.get("CHAP_I")).orElseThrow(() -> new IOException("no CHAP_I"));
            byte[] challenge = Chap.binary(answer.get("CHAP_C")).orElseThrow(() -> new IOException("no CHAP_C"));
            List<String> reply = new ArrayList<>(List.of("CHAP_N=" + chap.user(),
                    "CHAP_R=" + Chap.hex(Chap.response(id, chap.secret(), challenge))));
            int mutualId = Chap.newIdentifier();
            byte[] mutualChallenge = Chap.newChallenge();
            if (chap.targetSecret().isPresent()) {
                reply.add("CHAP_I=" + mutualId);
                reply.add("CHAP_C=" + Chap.hex(mutualChallenge));
            }
            answer = loginRequest(true, 0, 1, reply);
            if (!answer.containsKey(TRANSIT)) {
                throw new IOException("CHAP accepted but the security stage did not end");
            }
            if (chap.targetSecret().isPresent() && !Chap.verify(mutualId, chap.targetSecret().get(), mutualChallenge,
                    Chap.binary(answer.get("CHAP_R")).orElse(new byte[0]))) {
                throw new IOException("mutual CHAP: the target's answer is wrong");
            }
        } else if (!answer.containsKey(TRANSIT)) {
            throw new IOException("the security stage did not end: " + answer);
        }
        answer = loginRequest(true, 1, 3, operational);
        if (!answer.containsKey(TRANSIT)) {
            throw new IOException("the operational stage did not end in full feature phase: " + answer);
        }
        headerDigest = "CRC32C".equals(answer.get("HeaderDigest"));
        immediateData = "Yes".equals(answer.get("ImmediateData"));
        targetMaxRecv = Integer.parseInt(answer.getOrDefault("MaxRecvDataSegmentLength", "8192"));
        firstBurst = Integer.parseInt(answer.getOrDefault("FirstBurstLength", "65536"));
    }

    private Map<String, String> loginRequest(boolean transit, int csg, int nsg, List<String> keys) throws IOException {
        byte[] bhs = new byte[48];
        bhs[0] = (byte) (IMMEDIATE | LOGIN);
        bhs[1] = (byte) ((transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
        System.arraycopy(isid, 0, bhs, 8, 6);
        ByteBuffer b = ByteBuffer.wrap(bhs);
        b.putInt(16, itt++).putInt(24, cmdSn).putInt(28, expStatSn);
        send(bhs, text(keys), false);
        byte[][] rsp = read(false);
        if ((rsp[0][0] & 0x3f) != 0x23) {
            throw new IOException("expected a Login Response, got opcode " + (rsp[0][0] & 0x3f));
        }
        if (rsp[0][36] != 0) {
            throw new IOException(String.format("login refused 0x%02x%02x", rsp[0][36], rsp[0][37]));
        }
        ByteBuffer r = ByteBuffer.wrap(rsp[0]);
        expStatSn = r.getInt(24) + 1;
        Map<String, String> answer = new HashMap<>();
        if (transit && (rsp[0][1] & 0x80) != 0 && (rsp[0][1] & 3) == nsg) {
            answer.put(TRANSIT, "");
        }
        for (String kv : new String(rsp[1], StandardCharsets.UTF_8).split("\0")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                answer.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
        }
        return answer;
    }

    private static byte[] text(List<String> keys) {
        StringBuilder s = new StringBuilder();
        keys.forEach(k -> s.append(k).append('\0'));
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    // ---------------------------------------------------------------- full feature phase

    /** A SCSI command on {@code lun}; {@code write} data go as immediate data when allowed, the rest on R2T. */
    Answer command(int lun, byte[] cdb, int edtl, byte[] write) throws IOException {
        byte[] bhs = new byte[48];
        bhs[0] = SCSI_COMMAND;
        bhs[1] = (byte) (0x80 | (write == null && edtl > 0 ? 0x40 : 0) | (write != null ? 0x20 : 0) | 0x01);
        int task = itt++;
        ByteBuffer b = ByteBuffer.wrap(bhs);
        b.put(9, (byte) lun).putInt(16, task).putInt(20, edtl).putInt(24, cmdSn++).putInt(28, expStatSn);
        System.arraycopy(cdb, 0, bhs, 32, cdb.length);
        byte[] immediate = new byte[0];
        if (write != null && immediateData) {
            immediate = java.util.Arrays.copyOf(write, Math.min(write.length, Math.min(firstBurst, targetMaxRecv)));
        }
        send(bhs, immediate, true);
        ByteBuffer data = ByteBuffer.allocate(Math.max(edtl, 0));
        while (true) {
            byte[][] pdu = read(headerDigest);
            ByteBuffer h = ByteBuffer.wrap(pdu[0]);
            int op = pdu[0][0] & 0x3f;
            if (op == 0x25) { // Data-In
                int offset = h.getInt(40);
                data.put(offset, pdu[1], 0, pdu[1].length);
                if ((pdu[0][1] & 0x01) != 0) {
                    expStatSn = h.getInt(24) + 1;
                    return new Answer(pdu[0][3] & 0xff, data.array(), new byte[0]);
                }
            } else if (op == 0x31) { // R2T: send the solicited data
                dataOut(pdu[0], write, h.getInt(20), h.getInt(40), h.getInt(44));
            } else if (op == 0x21) { // SCSI Response
                expStatSn = h.getInt(24) + 1;
                byte[] sense = new byte[0];
                if (pdu[1].length >= 2) {
                    int n = ((pdu[1][0] & 0xff) << 8) | (pdu[1][1] & 0xff);
                    sense = java.util.Arrays.copyOfRange(pdu[1], 2, 2 + Math.min(n, pdu[1].length - 2));
                }
                return new Answer(pdu[0][3] & 0xff, data.array(), sense);
            } else if (op != 0x20) { // a NOP-In ping needs no answer here
                throw new IOException("unexpected opcode 0x" + Integer.toHexString(op) + " during a SCSI command");
            }
        }
    }

    /** Data-Out PDUs (§11.7) for one R2T: at most the target's MaxRecvDataSegmentLength each, DataSN from 0. */
    private void dataOut(byte[] r2t, byte[] write, int ttt, int offset, int length) throws IOException {
        int dataSn = 0;
        for (int done = 0; done < length; ) {
            int n = Math.min(targetMaxRecv, length - done);
            byte[] bhs = new byte[48];
            bhs[0] = DATA_OUT;
            bhs[1] = (byte) (done + n == length ? 0x80 : 0);
            System.arraycopy(r2t, 8, bhs, 8, 12); // LUN, ITT
            ByteBuffer.wrap(bhs).putInt(20, ttt).putInt(28, expStatSn).putInt(36, dataSn++).putInt(40, offset + done);
            send(bhs, java.util.Arrays.copyOfRange(write, offset + done, offset + done + n), true);
            done += n;
        }
    }

    /** NOP-Out with a task tag: the target echoes it in a NOP-In (§11.18). */
    void ping() throws IOException {
        byte[] bhs = new byte[48];
        bhs[0] = IMMEDIATE | NOP_OUT;
        bhs[1] = (byte) 0x80;
        ByteBuffer.wrap(bhs).putInt(16, itt++).putInt(20, -1).putInt(24, cmdSn).putInt(28, expStatSn);
        send(bhs, "ping".getBytes(StandardCharsets.US_ASCII), true);
        byte[][] rsp = read(headerDigest);
        if ((rsp[0][0] & 0x3f) != 0x20) {
            throw new IOException("expected a NOP-In");
        }
        expStatSn = ByteBuffer.wrap(rsp[0]).getInt(24) + 1;
    }

    /** SendTargets=All in a discovery session (RFC 7143 Appendix C); returns the answer's text. */
    String sendTargets() throws IOException {
        byte[] bhs = new byte[48];
        bhs[0] = TEXT;
        bhs[1] = (byte) 0x80;
        ByteBuffer.wrap(bhs).putInt(16, itt++).putInt(20, -1).putInt(24, cmdSn++).putInt(28, expStatSn);
        send(bhs, text(List.of("SendTargets=All")), true);
        byte[][] rsp = read(headerDigest);
        if ((rsp[0][0] & 0x3f) != 0x24) {
            throw new IOException("expected a Text Response");
        }
        expStatSn = ByteBuffer.wrap(rsp[0]).getInt(24) + 1;
        return new String(rsp[1], StandardCharsets.UTF_8);
    }

    void logout() throws IOException {
        byte[] bhs = new byte[48];
        bhs[0] = IMMEDIATE | LOGOUT;
        bhs[1] = (byte) 0x80;
        ByteBuffer.wrap(bhs).putInt(16, itt++).putInt(24, cmdSn).putInt(28, expStatSn);
        send(bhs, new byte[0], true);
        byte[][] rsp = read(headerDigest);
        if ((rsp[0][0] & 0x3f) != 0x26) {
            throw new IOException("expected a Logout Response");
        }
    }

    // ---------------------------------------------------------------- framing (§11.2)

    private void send(byte[] bhs, byte[] data, boolean fullFeature) throws IOException {
        bhs[5] = (byte) (data.length >>> 16);
        bhs[6] = (byte) (data.length >>> 8);
        bhs[7] = (byte) data.length;
        boolean hd = fullFeature && headerDigest;
        int padded = (data.length + 3) & ~3;
        ByteBuffer pdu = ByteBuffer.allocate(48 + (hd ? 4 : 0) + padded);
        pdu.put(bhs);
        if (hd) {
            CRC32C c = new CRC32C();
            c.update(bhs);
            pdu.order(ByteOrder.LITTLE_ENDIAN).putInt((int) c.getValue()).order(ByteOrder.BIG_ENDIAN);
        }
        pdu.put(data);
        out.write(pdu.array()); // one write: header, digest and data in one segment
    }

    /** One PDU: {BHS, data segment}. */
    private byte[][] read(boolean hd) throws IOException {
        byte[] bhs = new byte[48];
        in.readFully(bhs);
        int ahs = (bhs[4] & 0xff) * 4;
        int len = ((bhs[5] & 0xff) << 16) | ((bhs[6] & 0xff) << 8) | (bhs[7] & 0xff);
        in.skipNBytes(ahs + (hd ? 4 : 0));
        byte[] data = new byte[len];
        in.readFully(data);
        in.skipNBytes(((len + 3) & ~3) - len);
        return new byte[][] {bhs, data};
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
