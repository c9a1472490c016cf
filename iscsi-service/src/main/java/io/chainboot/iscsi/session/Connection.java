package io.chainboot.iscsi.session;

import io.chainboot.iscsi.login.LoginHandler;
import io.chainboot.iscsi.login.LoginStatus;
import io.chainboot.iscsi.login.Negotiator;
import io.chainboot.iscsi.login.OperationalParams;
import io.chainboot.iscsi.pdu.DataInSequence;
import io.chainboot.iscsi.pdu.Opcode;
import io.chainboot.iscsi.pdu.LogoutResponse;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.RejectReason;
import io.chainboot.iscsi.pdu.TargetPdus;
import io.chainboot.iscsi.pdu.PduCodec;
import io.chainboot.iscsi.scsi.LunAddress;
import io.chainboot.iscsi.scsi.LunAttach;
import io.chainboot.iscsi.scsi.Nexus;
import io.chainboot.iscsi.scsi.Residual;
import io.chainboot.iscsi.scsi.Sense;
import io.chainboot.iscsi.scsi.ScsiRequest;
import io.chainboot.iscsi.scsi.ScsiResponse;
import io.chainboot.iscsi.scsi.ScsiTarget;
import io.chainboot.iscsi.targets.Target;
import io.chainboot.iscsi.targets.TargetRegistry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One iSCSI connection, which with MaxConnections=1 is also its session: login, then the full
 * feature phase (RFC 7143 §4, §11) at ErrorRecoveryLevel 0. Transport-agnostic: the server feeds
 * decoded PDUs to {@link #onPdu} from one reader thread and gives a {@link Transport} to write to.
 *
 * <p>The protocol decisions are pure classes this only applies: CmdSN ordering in {@link CommandWindow}
 * (commands ahead of a gap wait, those outside [ExpCmdSN, MaxCmdSN] are dropped), write data and R2Ts
 * in {@link WriteAssembly}, the answer's PDUs in {@link DataInSequence}, task management in
 * {@link TaskManagement}, Text in {@link TextExchange}, login in {@link LoginHandler}. SCSI commands run
 * on the I/O executor, except a small command alone on its connection, which runs on the reader
 * thread ({@link #INLINE_MAX_BYTES}); all PDUs of one command's answer are written in one gathering
 * write and StatSN is assigned under the write lock, so it follows the wire order.
 */
public final class Connection {
    private static final Logger LOG = Logger.getLogger(Connection.class);

    /** How bytes leave. {@code write} writes everything or throws. */
    public interface Transport {
        void write(ByteBuffer[] buffers, int count) throws IOException;

        void close();

        InetSocketAddress remote();

        InetSocketAddress local();
    }

    /** Per-service settings the connection needs. */
    public record Settings(Negotiator.Limits limits, int commandWindow, int maxWriteBytes, String portalAddress,
                           int portalPort, int inlineMaxDepth) {
        /** Small commands inline only when alone on the connection (queue depth 1). */
        public Settings(Negotiator.Limits limits, int commandWindow, int maxWriteBytes, String portalAddress,
                        int portalPort) {
            this(limits, commandWindow, maxWriteBytes, portalAddress, portalPort, 1);
        }
    }

    enum State { LOGIN, FULL_FEATURE, CLOSED }

    private final Transport transport;
    private final TargetRegistry registry;
    private final SessionRegistry sessions;
    private final SessionListener listener;
    private final Executor io;
    private final Settings settings;
    private LoginHandler login;
    private final Object writeLock = new Object();
    private final Map<Integer, Task> tasks = new ConcurrentHashMap<>();
    private final CommandWindow<Runnable> window;
    private final WriteAssembly.Tags ttts = new WriteAssembly.Tags(1);
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong bytesWritten = new AtomicLong();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final long startedAt = System.currentTimeMillis();

    private volatile State state = State.LOGIN;
    private int statSn; // guarded by writeLock
    private boolean statSnStarted;
    private volatile long lastReceived = System.nanoTime();
    private LoginHandler.Result session;
    private OperationalParams params = new OperationalParams();
    private ScsiTarget scsi;
    private Nexus nexus;
    private int tsih;
    private final LunAttach attach = new LunAttach();

    public Connection(Transport transport, TargetRegistry registry, SessionRegistry sessions, SessionListener listener,
                      Executor io, Settings settings) {
        this.transport = transport;
        this.registry = registry;
        this.sessions = sessions;
        this.listener = listener;
        this.io = io;
        this.settings = settings;
        this.window = new CommandWindow<>(settings.commandWindow());
        this.login = new LoginHandler(registry, sessions::exists, settings.limits());
    }

    // ---------------------------------------------------------------- accessors

    public String initiatorName() {
        return session != null ? session.initiatorName() : login.initiatorName();
    }

    public String targetName() {
        return session != null ? session.targetName() : login.targetName();
    }

    public String isid() {
        return session != null ? session.isid() : "";
    }

    public int tsih() {
        return tsih;
    }

    public boolean discovery() {
        return session != null && session.discovery();
    }

    public Target target() {
        return session == null ? null : session.target();
    }

    public InetSocketAddress remote() {
        return transport.remote();
    }

    public long bytesRead() {
        return bytesRead.get();
    }

    public long bytesWritten() {
        return bytesWritten.get();
    }

    public long durationMs() {
        return System.currentTimeMillis() - startedAt;
    }

    public boolean fullFeature() {
        return state == State.FULL_FEATURE;
    }

    /** Digests currently in force (after login). */
    public boolean headerDigest() {
        return state == State.FULL_FEATURE && params.headerDigest;
    }

    public boolean dataDigest() {
        return state == State.FULL_FEATURE && params.dataDigest;
    }

    public int maxRecvDataSegmentLength() {
        return state == State.FULL_FEATURE ? params.targetMaxRecvDataSegmentLength : 65536;
    }

    public long nanosSinceLastPdu() {
        return System.nanoTime() - lastReceived;
    }

    // ---------------------------------------------------------------- input

    /** Handles one PDU from the reader thread. */
    public void onPdu(Pdu pdu) {
        lastReceived = System.nanoTime();
        if (state == State.CLOSED) {
            return;
        }
        if (state == State.LOGIN) {
            onLogin(pdu);
            return;
        }
        switch (pdu.opcode()) {
            case SCSI_COMMAND:
                sequenced(pdu, () -> onScsiCommand(pdu), () -> registerTask(pdu));
                break;
            case DATA_OUT:
                onDataOut(pdu);
                break;
            case NOP_OUT:
                if (pdu.itt() == Pdu.RESERVED_TAG) {
                    return; // answer to our NOP-In ping (§11.18): nothing to do
                }
                sequenced(pdu, () -> onNopOut(pdu), null);
                break;
            case TASK_MGMT_REQUEST:
                sequenced(pdu, () -> onTaskManagement(pdu), null);
                break;
            case TEXT_REQUEST:
                sequenced(pdu, () -> onText(pdu), null);
                break;
            case LOGOUT_REQUEST:
                sequenced(pdu, () -> onLogout(pdu), null);
                break;
            case SNACK_REQUEST: // ErrorRecoveryLevel 0 has no SNACK support (§11.16)
                reject(pdu, RejectReason.PROTOCOL_ERROR);
                break;
            case LOGIN_REQUEST: // §11.12: no login in full feature phase
                reject(pdu, RejectReason.PROTOCOL_ERROR);
                break;
            default:
                reject(pdu, RejectReason.COMMAND_NOT_SUPPORTED);
        }
    }

    /** A PDU that could not be decoded: counted, and rejected when the header was readable. */
    public void onInvalid(byte[] bhs, String reason) {
        listener.invalidPdu(this, reason);
        if (bhs != null && state == State.FULL_FEATURE) {
            Pdu fake = new Pdu(Opcode.NOP_OUT, bhs, null, null);
            reject(fake, reason.contains("data digest") ? RejectReason.DATA_DIGEST_ERROR : RejectReason.COMMAND_NOT_SUPPORTED);
        }
    }

    /**
     * Delivers a command PDU as {@link CommandWindow} orders it: now, after the gap before it fills (its
     * write data keep arriving meanwhile: {@code onArrival} runs at once), or never (outside the window).
     */
    private void sequenced(Pdu pdu, Runnable action, Runnable onArrival) {
        CommandWindow.Verdict v = window.arrive(pdu.cmdSn(), pdu.immediate(), action);
        if (!v.accepted()) {
            LOG.debugf("%s: dropping %s with CmdSN %d outside [%d, %d]", who(), pdu.opcode(), pdu.cmdSn(),
                    window.expCmdSn(), window.maxCmdSn());
            return;
        }
        if (onArrival != null) {
            onArrival.run();
        }
        if (v == CommandWindow.Verdict.QUEUED) {
            return;
        }
        action.run();
        if (v == CommandWindow.Verdict.NEXT) {
            for (Runnable next = window.next(); next != null; next = window.next()) {
                next.run();
            }
        }
    }

    // ---------------------------------------------------------------- login

    /** Holds this connection's reader thread until the machine view is loaded or {@code deadline}; whether it loaded. */
    private boolean awaitMachineView(long deadline) {
        while (!registry.machinesLoaded()) {
            if (System.nanoTime() - deadline >= 0 || state == State.CLOSED) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    /**
     * How long a login for a machine target waits for the machine view to load (service start-up,
     * machines topic not read to its end yet) before it is refused with 0x0301 Service Unavailable:
     * its spec may be on the topic, and a refusal would end the machine's boot (docs/iscsi-service.md).
     */
    static final long VIEW_HOLD_NANOS = TimeUnit.SECONDS.toNanos(10);

    private void onLogin(Pdu pdu) {
        long arrived = System.nanoTime();
        LoginHandler.Step step = login.onRequest(pdu);
        if (step instanceof LoginHandler.Refuse r && r.status() == LoginStatus.SERVICE_UNAVAILABLE
                && awaitMachineView(arrived + VIEW_HOLD_NANOS)) {
            login = new LoginHandler(registry, sessions::exists, settings.limits()); // decide again, on the loaded view
            step = login.onRequest(pdu);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debugf("%s: login request CSG %d NSG %d T %b decided in %d us", who(), pdu.currentStage(),
                    pdu.nextStage(), pdu.transit(), (System.nanoTime() - arrived) / 1000);
        }
        if (!statSnStarted) {
            statSn = pdu.expStatSn();
            window.start(pdu.cmdSn());
            statSnStarted = true;
        }
        if (step instanceof LoginHandler.Refuse r) {
            send(r.response(), true);
            listener.loginRefused(this, r.initiatorName(), r.targetName(), r.status(), r.reason());
            closeQuietly();
        } else if (step instanceof LoginHandler.Complete c) {
            session = c.result();
            params = session.params();
            tsih = sessions.allocateTsih();
            c.response().tsih(tsih);
            if (!session.discovery()) {
                scsi = session.target().scsi();
                nexus = new Nexus(session.initiatorName(), session.isid(), session.targetName());
            }
            sessions.register(this).ifPresent(old -> {
                LOG.infof("%s: reinstating session (old TSIH %d)", who(), old.tsih());
                old.end("session reinstated");
            });
            send(c.response(), true);
            state = State.FULL_FEATURE;
            listener.loginCompleted(this, session);
        } else {
            send(step.response(), true);
        }
    }

    // ---------------------------------------------------------------- SCSI commands

    /** Called when a SCSI command arrives (even if it must wait for its CmdSN): its data may start flowing. */
    private void registerTask(Pdu pdu) {
        if (session.discovery()) {
            return;
        }
        int edtl = pdu.expectedDataTransferLength();
        boolean tooLarge = pdu.writeBit() && edtl > settings.maxWriteBytes(); // answered in onScsiCommand
        WriteAssembly writes = pdu.writeBit() && edtl > 0 && !tooLarge ? WriteAssembly.start(edtl, pdu.data(),
                pdu.finalBit(), new WriteAssembly.Limits(params.initialR2T, params.firstBurstLength,
                        params.maxBurstLength, params.maxOutstandingR2T)) : null;
        Task t = new Task(pdu.itt(), pdu.lun(), pdu.cdb(), edtl, pdu.cmdSn(), writes, tooLarge);
        tasks.put(t.itt, t);
    }

    private void onScsiCommand(Pdu pdu) {
        if (session.discovery()) {
            reject(pdu, RejectReason.COMMAND_NOT_SUPPORTED); // §4.3: no SCSI in a discovery session
            return;
        }
        Task t = tasks.get(pdu.itt());
        if (t == null || t.cmdSn != pdu.cmdSn()) {
            return; // aborted before it was ordered
        }
        if (t.tooLarge) {
            tasks.remove(t.itt);
            finish(t, ScsiResponse.checkCondition(Sense.of(Sense.ILLEGAL_REQUEST, Sense.SYSTEM_RESOURCE_FAILURE)));
            return;
        }
        t.ordered = true;
        if (t.write) {
            sendR2ts(t, t.writes.ordered(ttts));
        }
        maybeExecute(t);
    }

    /** Sends the R2Ts {@link WriteAssembly} asked for (§11.8), unless the task was aborted meanwhile. */
    private void sendR2ts(Task t, List<WriteAssembly.R2t> asked) {
        if (asked.isEmpty() || t.aborted) {
            return;
        }
        List<Pdu> r2ts = new ArrayList<>(asked.size());
        for (WriteAssembly.R2t r : asked) {
            r2ts.add(TargetPdus.r2t(t.lun, t.itt, r.ttt(), r.r2tSn(), r.offset(), r.length()));
        }
        sendAll(r2ts, false);
    }

    /** Data-Out (§11.7): placed at its buffer offset; DataSN must run 0,1,2… within each sequence. */
    private void onDataOut(Pdu pdu) {
        Task t = tasks.get(pdu.itt());
        if (t == null || !t.write) {
            return; // task aborted or finished: ignore its data (§4.2.5)
        }
        WriteAssembly.Step step = t.writes.dataOut(pdu.targetTransferTag(), pdu.dataSn(), pdu.bufferOffset(),
                pdu.data(), ttts);
        if (step instanceof WriteAssembly.Step.Error e) {
            protocolError(e.reason());
            return;
        }
        sendR2ts(t, ((WriteAssembly.Step.Placed) step).r2ts());
        maybeExecute(t);
    }

    /**
     * A command alone on its connection (queue depth 1, all iPXE ever has) moving at most this many
     * bytes runs on the reader thread itself: no hand-off to the I/O pool and back, so one thread
     * wake-up per command instead of two. With more commands in flight, or larger transfers, commands
     * go to the pool, where those of one connection overlap.
     */
    static final int INLINE_MAX_BYTES = 64 * 1024;

    private void maybeExecute(Task t) {
        if (!t.ordered || t.submitted || !t.allDataReceived() || t.aborted) {
            return;
        }
        t.submitted = true;
        t.submittedNanos = System.nanoTime();
        if (t.edtl <= INLINE_MAX_BYTES && tasks.size() <= settings.inlineMaxDepth()) {
            execute(t);
            return;
        }
        try {
            io.execute(() -> execute(t));
        } catch (RejectedExecutionException e) {
            tasks.remove(t.itt);
            finish(t, new ScsiResponse(ScsiResponse.TASK_SET_FULL, null, null));
        }
    }

    private static final ThreadLocal<ByteBuffer[]> DATA_IN = ThreadLocal.withInitial(() -> new ByteBuffer[1]);

    /**
     * Runs on an I/O thread (or inline, see {@link #INLINE_MAX_BYTES}): the command, then its answer, then
     * the LUN-attached event. Residuals, truncation and the attach are the SCSI layer's; this only carries them.
     */
    private void execute(Task t) {
        long started = System.nanoTime();
        try {
            ByteBuffer dataOut = t.write ? t.writes.data(t.edtl) : null;
            ByteBuffer[] holder = DATA_IN.get();
            ScsiResponse r = scsi.execute(new ScsiRequest(nexus, LunAddress.index(t.lun), t.cdb, dataOut, t.edtl, attach), n -> {
                ByteBuffer b = holder[0];
                if (b == null || b.capacity() < n) {
                    b = ByteBuffer.allocateDirect(Math.max(n, 64 * 1024));
                    holder[0] = b;
                }
                b.clear().limit(n);
                return b;
            });
            if (r.written() > 0) {
                bytesWritten.addAndGet(r.written());
                listener.bytesWritten(r.written());
            }
            finish(t, r);
            if (LOG.isDebugEnabled()) {
                long now = System.nanoTime();
                LOG.debugf("%s: CDB %s EDTL %d -> status 0x%02x sense %s; answered %d us after arrival (%d us in the"
                                + " I/O queue, %d us executing and writing)", who(),
                        java.util.HexFormat.of().formatHex(t.cdb), t.edtl, r.status(),
                        r.sense() == null ? "-" : java.util.HexFormat.of().formatHex(r.sense()),
                        (now - t.arrivedNanos) / 1000, (started - t.submittedNanos) / 1000, (now - started) / 1000);
            }
            if (r.attached() != null) { // after the answer: the first READ does not wait for the event
                LunAttach.Attached a = r.attached();
                listener.lunAttached(this, (int) a.lun(), a.blocks(), a.blockSize());
            }
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s: SCSI command 0x%02x failed", who(), t.cdb[0] & 0xff);
            finish(t, ScsiResponse.checkCondition(Sense.of(Sense.HARDWARE_ERROR, Sense.INTERNAL_TARGET_FAILURE)));
        }
    }

    private static int residualFlags(Residual r) {
        return switch (r.kind()) {
            case NONE -> 0;
            case UNDERFLOW -> TargetPdus.RESIDUAL_UNDERFLOW;
            case OVERFLOW -> TargetPdus.RESIDUAL_OVERFLOW;
        };
    }

    /** Sends the answer the SCSI layer measured, as {@link DataInSequence} splits it (Data-In, status, SCSI Response). */
    private void finish(Task t, ScsiResponse r) {
        tasks.remove(t.itt, t);
        if (t.aborted) {
            return;
        }
        ByteBuffer data = r.dataIn() == null ? null : r.dataIn().duplicate();
        DataInSequence.Answer answer = new DataInSequence.Answer(r.status(), r.sense(), data,
                residualFlags(r.residual()), r.residual().count(), t.writes == null ? 0 : t.writes.r2tsSent());
        List<Pdu> out = DataInSequence.plan(t.itt, answer, params.initiatorMaxRecvDataSegmentLength, params.maxBurstLength);
        int send = data == null ? 0 : data.remaining();
        if (send > 0) {
            bytesRead.addAndGet(send);
            listener.bytesRead(send);
        }
        sendAll(out, true);
    }

    // ---------------------------------------------------------------- other requests

    /** NOP-Out with a task tag: echo its data in a NOP-In (§11.18, §11.19). */
    private void onNopOut(Pdu pdu) {
        ByteBuffer data = pdu.data();
        if (data.remaining() > params.initiatorMaxRecvDataSegmentLength) {
            data.limit(data.position() + params.initiatorMaxRecvDataSegmentLength);
        }
        send(TargetPdus.nopInReply(pdu, data), true);
    }

    /** A target-initiated ping (§11.19): TTT set, ITT reserved, StatSN not advanced. Never drops the session. */
    public void ping() {
        if (state != State.FULL_FEATURE) {
            return;
        }
        send(TargetPdus.nopInPing(0x7fffffff), false);
    }

    /** Task management (§11.5, §11.6): {@link TaskManagement} decides, this applies it and answers. */
    private void onTaskManagement(Pdu pdu) {
        long lun = pdu.lun();
        boolean discovery = session.discovery();
        Task referenced = tasks.get(pdu.referencedTaskTag());
        TaskManagement.Decision d = TaskManagement.decide(new TaskManagement.Request(pdu.function(), discovery,
                referenced != null, window.before(pdu.refCmdSn()),
                !discovery && LunAddress.index(lun) < scsi.luns()));
        switch (d.aborts()) {
            case REFERENCED_TASK -> abort(referenced);
            case TASKS_OF_LUN -> tasks.values().stream().filter(x -> x.lun == lun).forEach(this::abort);
            case ALL_TASKS -> tasks.values().forEach(this::abort);
            case NONE -> { }
        }
        switch (d.reset()) {
            case LOGICAL_UNIT -> scsi.lunReset(LunAddress.index(lun));
            case TARGET -> scsi.targetReset();
            case NONE -> { }
        }
        LOG.debugf("%s: TMF function %d -> response %s", who(), pdu.function(), d.response());
        send(TargetPdus.taskManagementResponse(pdu.itt(), d.response()), true);
        if (d.closeAfter()) {
            end("target cold reset");
        }
    }

    private void abort(Task t) {
        t.aborted = true;
        tasks.remove(t.itt, t);
    }

    /** Text request (§11.10, §11.11): {@link TextExchange} answers (SendTargets, else NotUnderstood). */
    private void onText(Pdu pdu) {
        InetSocketAddress local = settings.portalAddress() == null || settings.portalAddress().isBlank()
                ? transport.local() : null;
        String portal = TextExchange.portal(settings.portalAddress(), settings.portalPort(),
                local == null ? null : local.getAddress().getHostAddress(), local == null ? 0 : local.getPort());
        TextExchange.View view = new TextExchange.View(session.discovery(), session.targetName(),
                registry.visibleTo(session.initiatorName()), portal);
        TextExchange.answer(pdu.data(), view).ifPresentOrElse(
                text -> send(TargetPdus.textResponse(pdu, ByteBuffer.wrap(text)), true),
                () -> reject(pdu, RejectReason.INVALID_PDU_FIELD));
    }

    /** Logout (§11.14, §11.15): answer, then close. Connection recovery (reason 2) needs ERL 2. */
    private void onLogout(Pdu pdu) {
        send(TargetPdus.logoutResponse(pdu.itt(), LogoutResponse.forReason(pdu.function())), true);
        end("logout");
    }

    /** Reject (§11.17) carrying the offending header. */
    private void reject(Pdu pdu, RejectReason reason) {
        send(TargetPdus.reject(pdu.bhs(), reason), true);
    }

    /** ErrorRecoveryLevel 0: any protocol error ends the connection and with it the session (§7.1.4). */
    private void protocolError(String what) {
        LOG.warnf("%s: protocol error: %s; closing the connection", who(), what);
        listener.invalidPdu(this, what);
        end("protocol error: " + what);
    }

    // ---------------------------------------------------------------- output

    private void send(Pdu pdu, boolean advanceStatSn) {
        sendAll(List.of(pdu), advanceStatSn);
    }

    /**
     * Writes PDUs in one gathering write. StatSN/ExpCmdSN/MaxCmdSN (bytes 24-35 of every target PDU)
     * are filled here; only the last PDU of a status-bearing answer advances StatSN.
     */
    private void sendAll(List<Pdu> pdus, boolean advanceStatSn) {
        boolean hd = headerDigest();
        boolean dd = dataDigest();
        ByteBuffer[] buffers = new ByteBuffer[pdus.size() * 3];
        try {
            synchronized (writeLock) {
                int n = 0;
                for (int i = 0; i < pdus.size(); i++) {
                    Pdu p = pdus.get(i);
                    boolean statusCarrier = advanceStatSn && i == pdus.size() - 1;
                    TargetPdus.setSequenceNumbers(p, TargetPdus.isDataInWithoutStatus(p) ? null : statSn,
                            window.expCmdSn(), window.maxCmdSn());
                    if (statusCarrier) {
                        statSn++;
                    }
                    n = PduCodec.encode(p, hd, dd, buffers, n);
                }
                transport.write(buffers, n);
            }
        } catch (IOException e) {
            LOG.debugf("%s: write failed: %s", who(), e.getMessage());
            end("connection lost");
        }
    }

    // ---------------------------------------------------------------- end

    /** The transport reached end of stream or failed. */
    public void transportClosed(String reason) {
        end(reason);
    }

    /** Ends the session: aborts its tasks, tells the SCSI layer the nexus is gone, closes the socket. */
    public void end(String reason) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        boolean wasFullFeature = state == State.FULL_FEATURE;
        state = State.CLOSED;
        tasks.values().forEach(t -> t.aborted = true);
        tasks.clear();
        closeQuietly();
        if (wasFullFeature) {
            sessions.remove(this);
            if (scsi != null) {
                scsi.nexusLost(nexus);
            }
            listener.sessionEnded(this, reason);
        }
    }

    private void closeQuietly() {
        state = State.CLOSED;
        transport.close();
    }

    public String who() {
        String i = initiatorName();
        return (i == null ? "?" : i) + "@" + transport.remote();
    }
}
