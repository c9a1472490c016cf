package io.chainboot.iscsi.warmup;

import io.chainboot.events.Decoded;
import io.chainboot.iscsi.login.Chap;
import io.chainboot.iscsi.pdu.InitiatorPdus;
import io.chainboot.iscsi.pdu.Opcode;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.PduCodec;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A minimal blocking iSCSI initiator (RFC 7143) for the start-up warm-up: one connection, one
 * command at a time, the login stages with CHAP (one-way or mutual), SCSI reads and writes (immediate
 * data and R2T/Data-Out), NOP-Out, SendTargets and Logout, optional CRC32C header digests. PDUs are
 * built as {@link Pdu}s and framed, digested and parsed by the target's own {@link PduCodec} (so the
 * target's header digests are checked too). Every unexpected answer is an {@link IOException}. It only
 * has to be correct against our own target.
 */
final class WarmupClient implements AutoCloseable {
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
        send(InitiatorPdus.loginRequest(transit, csg, nsg, isid, itt++, cmdSn, expStatSn, ByteBuffer.wrap(text(keys))),
                false);
        Pdu rsp = read(false);
        if (rsp.opcode() != Opcode.LOGIN_RESPONSE) {
            throw new IOException("expected a Login Response, got " + rsp.opcode());
        }
        int status = rsp.loginStatus();
        if (status != 0) {
            throw new IOException(String.format("login refused 0x%04x", status));
        }
        expStatSn = rsp.statSn() + 1;
        Map<String, String> answer = new HashMap<>();
        if (transit && rsp.transit() && rsp.nextStage() == nsg) {
            answer.put(TRANSIT, "");
        }
        for (String kv : StandardCharsets.UTF_8.decode(rsp.data()).toString().split("\0")) {
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
        byte[] immediate = new byte[0];
        if (write != null && immediateData) {
            immediate = java.util.Arrays.copyOf(write, Math.min(write.length, Math.min(firstBurst, targetMaxRecv)));
        }
        int task = itt++;
        send(InitiatorPdus.scsiCommand(lunField(lun), task, cdb, edtl, write != null, cmdSn++, expStatSn,
                ByteBuffer.wrap(immediate)), true);
        ByteBuffer data = ByteBuffer.allocate(Math.max(edtl, 0));
        while (true) {
            Pdu p = read(headerDigest);
            switch (p.opcode()) {
                case DATA_IN -> {
                    data.put(p.bufferOffset(), p.data(), p.data().position(), p.dataLength());
                    if (p.statusBit()) { // status in this Data-In (phase collapse)
                        expStatSn = p.statSn() + 1;
                        return new Answer(p.scsiStatus(), data.array(), new byte[0]);
                    }
                }
                case R2T -> dataOut(p, write);
                case SCSI_RESPONSE -> {
                    expStatSn = p.statSn() + 1;
                    byte[] sense = new byte[0];
                    ByteBuffer d = p.data();
                    if (d.remaining() >= 2) {
                        int n = d.getShort() & 0xffff;
                        sense = new byte[Math.min(n, d.remaining())];
                        d.get(sense);
                    }
                    return new Answer(p.scsiStatus(), data.array(), sense);
                }
                case NOP_IN -> { } // a ping needs no answer here
                default -> throw new IOException("unexpected " + p.opcode() + " during a SCSI command");
            }
        }
    }

    /** Data-Out PDUs (§11.7) for one R2T: at most the target's MaxRecvDataSegmentLength each, DataSN from 0. */
    private void dataOut(Pdu r2t, byte[] write) throws IOException {
        int offset = r2t.bufferOffset();
        int length = r2t.desiredDataTransferLength();
        int dataSn = 0;
        for (int done = 0; done < length; ) {
            int n = Math.min(targetMaxRecv, length - done);
            send(InitiatorPdus.dataOut(r2t, done + n == length, expStatSn, dataSn++, offset + done,
                    ByteBuffer.wrap(write, offset + done, n)), true);
            done += n;
        }
    }

    /** NOP-Out with a task tag: the target echoes it in a NOP-In (§11.18). */
    void ping() throws IOException {
        send(InitiatorPdus.nopOut(itt++, cmdSn, expStatSn, ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII))),
                true);
        expStatSn = expect(Opcode.NOP_IN).statSn() + 1;
    }

    /** SendTargets=All in a discovery session (RFC 7143 Appendix C); returns the answer's text. */
    String sendTargets() throws IOException {
        send(InitiatorPdus.textRequest(itt++, cmdSn++, expStatSn, ByteBuffer.wrap(text(List.of("SendTargets=All")))),
                true);
        Pdu rsp = expect(Opcode.TEXT_RESPONSE);
        expStatSn = rsp.statSn() + 1;
        return StandardCharsets.UTF_8.decode(rsp.data()).toString();
    }

    void logout() throws IOException {
        send(InitiatorPdus.logoutRequest(itt++, cmdSn, expStatSn), true);
        expect(Opcode.LOGOUT_RESPONSE);
    }

    /** LUN {@code lun} (below 256) in SAM peripheral device addressing, as the BHS's LUN field (§11.3.4). */
    private static long lunField(int lun) {
        return (long) (lun & 0xff) << 48;
    }

    private Pdu expect(Opcode op) throws IOException {
        Pdu p = read(headerDigest);
        if (p.opcode() != op) {
            throw new IOException("expected " + op + ", got " + p.opcode());
        }
        return p;
    }

    // ---------------------------------------------------------------- framing (§11.2): PduCodec's

    private void send(Pdu pdu, boolean fullFeature) throws IOException {
        ByteBuffer wire = PduCodec.encode(pdu, fullFeature && headerDigest, false);
        out.write(wire.array(), wire.arrayOffset() + wire.position(), wire.remaining()); // one segment
    }

    /** One PDU from the target, its header digest checked when negotiated. */
    private Pdu read(boolean hd) throws IOException {
        byte[] bhs = new byte[Pdu.BHS_LENGTH];
        in.readFully(bhs);
        byte[] ahs = new byte[PduCodec.ahsLength(bhs)];
        in.readFully(ahs);
        Integer digest = null;
        if (hd) {
            byte[] d = new byte[4];
            in.readFully(d);
            digest = PduCodec.digestValue(d);
        }
        int len = PduCodec.dataSegmentLength(bhs);
        byte[] data = new byte[len];
        in.readFully(data);
        in.skipNBytes(PduCodec.padded(len) - len);
        Decoded<Pdu> p = PduCodec.assembleFromTarget(bhs, ahs.length == 0 ? null : ahs, digest, ByteBuffer.wrap(data),
                null);
        if (p instanceof Decoded.Valid<Pdu> v) {
            return v.value();
        }
        throw new IOException("bad PDU from the target: " + ((Decoded.Invalid<Pdu>) p).reason());
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
