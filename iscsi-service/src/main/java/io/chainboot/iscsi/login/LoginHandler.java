package io.chainboot.iscsi.login;

import io.chainboot.events.Decoded;
import io.chainboot.iscsi.pdu.Opcode;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.pdu.TargetPdus;
import io.chainboot.iscsi.targets.Access;
import io.chainboot.iscsi.targets.Target;
import io.chainboot.iscsi.targets.TargetRegistry;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * The login phase of one connection (RFC 7143 §6.3, §11.12-11.13) as a state machine: each Login
 * Request yields one {@link Step} with the Login Response to send. Stages: security (CSG 0: CHAP MD5
 * §12.1.3, one-way or mutual, or None where the target allows it), operational (CSG 1: {@link
 * Negotiator}), then full feature phase (NSG 3). Every refusal carries its §11.13.5 status.
 * Sequence numbers (StatSN, ExpCmdSN, MaxCmdSN) and the TSIH of a new session are filled in by the
 * caller when it sends the response.
 */
public final class LoginHandler {
    public static final int SECURITY = 0;
    public static final int OPERATIONAL = 1;
    public static final int FULL_FEATURE = 3;

    /** The answer to one Login Request. */
    public sealed interface Step {
        Pdu response();
    }

    public record Continue(Pdu response) implements Step {
    }

    /** The session may enter full feature phase; {@code response} still needs its TSIH. */
    public record Complete(Pdu response, Result result) implements Step {
    }

    public record Refuse(Pdu response, LoginStatus status, String reason, String initiatorName, String targetName)
            implements Step {
    }

    /** A successful login. {@code target} is null for discovery sessions. */
    public record Result(String initiatorName, String targetName, boolean discovery, String isid, int tsih,
                         Target target, OperationalParams params, int cmdSn) {
    }

    private enum ChapState { NOT_STARTED, CHOSEN, CHALLENGED, DONE }

    private final TargetRegistry registry;
    private final IntPredicate sessionExists;
    private final Negotiator negotiator;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    private boolean first = true;
    private String initiatorName;
    private String targetName;
    private boolean discovery;
    private Target target;
    private Optional<Access.ChapCredentials> chap = Optional.empty();
    private boolean authenticated;
    private ChapState chapState = ChapState.NOT_STARTED;
    private int chapId;
    private byte[] chapChallenge;
    private int stage = SECURITY;
    private String isid;
    private int tsih;
    private int cmdSn;

    public LoginHandler(TargetRegistry registry, IntPredicate sessionExists, Negotiator.Limits limits) {
        this.registry = registry;
        this.sessionExists = sessionExists;
        this.negotiator = new Negotiator(limits);
    }

    public String initiatorName() {
        return initiatorName;
    }

    public String targetName() {
        return targetName;
    }

    public Step onRequest(Pdu req) {
        if (req.opcode() != Opcode.LOGIN_REQUEST) {
            return refuse(req, LoginStatus.INVALID_DURING_LOGIN, req.opcode() + " during login");
        }
        int csg = req.currentStage();
        int nsg = req.nextStage();
        if (first) {
            isid = req.isid();
            tsih = req.tsih();
            cmdSn = req.cmdSn();
            if (req.versionMin() > 0) { // §11.12.4: we speak version 0 only
                return refuse(req, LoginStatus.UNSUPPORTED_VERSION, "version-min " + req.versionMin());
            }
        } else if (!req.isid().equals(isid) || req.tsih() != tsih) {
            return refuse(req, LoginStatus.INITIATOR_ERROR, "ISID/TSIH changed during login");
        }
        if (csg == 2 || csg > 3 || csg == FULL_FEATURE || csg < stage) {
            return refuse(req, LoginStatus.INITIATOR_ERROR, "invalid current stage " + csg);
        }
        if (req.transit() && req.continueBit()) {
            return refuse(req, LoginStatus.INITIATOR_ERROR, "T and C both set");
        }
        if (req.transit() && (nsg == 2 || nsg <= csg)) {
            return refuse(req, LoginStatus.INITIATOR_ERROR, "invalid next stage " + nsg);
        }
        ByteBuffer data = req.data();
        byte[] chunk = new byte[data.remaining()];
        data.get(chunk);
        pending.writeBytes(chunk);
        if (pending.size() > 65536) {
            return refuse(req, LoginStatus.INITIATOR_ERROR, "login text too long");
        }
        if (req.continueBit()) { // §11.12.2: more text follows; answer with an empty response
            return new Continue(response(req, false, csg, csg, Map.of()));
        }
        Decoded<Map<String, String>> parsed = TextKeys.parse(pending.toByteArray());
        pending.reset();
        if (!(parsed instanceof Decoded.Valid<Map<String, String>> v)) {
            return refuse(req, LoginStatus.INITIATOR_ERROR, ((Decoded.Invalid<Map<String, String>>) parsed).reason());
        }
        Map<String, String> keys = v.value();
        Map<String, String> answer = new LinkedHashMap<>();
        if (first) {
            first = false;
            Step refusal = firstRequest(req, keys, answer);
            if (refusal != null) {
                return refusal;
            }
        }
        stage = csg;
        if (csg == SECURITY) {
            Step refusal = security(req, keys, answer);
            if (refusal != null) {
                return refusal;
            }
        } else if (!authenticated) { // CSG 1 with security skipped
            if (chap.isPresent()) {
                return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "target requires CHAP; initiator skipped security");
            }
            authenticated = true;
        }
        answer.putAll(negotiator.negotiate(withoutSecurityKeys(keys), discovery));
        boolean transit = req.transit() && authenticated;
        if (transit && nsg == FULL_FEATURE) {
            Pdu rsp = response(req, true, csg, nsg, answer);
            return new Complete(rsp, new Result(initiatorName, targetName, discovery, isid, tsih, target,
                    negotiator.params(), cmdSn));
        }
        if (transit) {
            stage = nsg;
        }
        return new Continue(response(req, transit, csg, transit ? nsg : csg, answer));
    }

    private static Map<String, String> withoutSecurityKeys(Map<String, String> keys) {
        Map<String, String> m = new LinkedHashMap<>(keys);
        m.keySet().removeIf(k -> k.startsWith("CHAP_") || k.equals("AuthMethod"));
        return m;
    }

    private Step firstRequest(Pdu req, Map<String, String> keys, Map<String, String> answer) {
        initiatorName = keys.get("InitiatorName");
        if (initiatorName == null || initiatorName.isBlank()) {
            return refuse(req, LoginStatus.MISSING_PARAMETER, "InitiatorName missing");
        }
        String type = keys.getOrDefault("SessionType", "Normal");
        if (!type.equals("Normal") && !type.equals("Discovery")) {
            return refuse(req, LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "SessionType " + type);
        }
        discovery = type.equals("Discovery");
        if (tsih != 0) { // §6.3.1: adding a connection to an existing session; MaxConnections is 1
            return sessionExists.test(tsih)
                    ? refuse(req, LoginStatus.TOO_MANY_CONNECTIONS, "MaxConnections=1: no second connection for TSIH " + tsih)
                    : refuse(req, LoginStatus.SESSION_DOES_NOT_EXIST, "no session with TSIH " + tsih);
        }
        if (discovery) {
            return null;
        }
        targetName = keys.get("TargetName");
        if (targetName == null || targetName.isBlank()) {
            return refuse(req, LoginStatus.MISSING_PARAMETER, "TargetName missing in a normal session");
        }
        Access access = registry.access(initiatorName, targetName);
        if (access instanceof Access.Refused r) {
            return refuse(req, r.status(), r.reason());
        }
        Access.Allowed allowed = (Access.Allowed) access;
        target = allowed.target();
        chap = allowed.chap();
        answer.put("TargetPortalGroupTag", "1"); // §13.9: in the first response of a normal session
        return null;
    }

    /** The security stage (§6.3.2, §12.1.3). Returns a refusal or null. */
    private Step security(Pdu req, Map<String, String> keys, Map<String, String> answer) {
        if (chapState == ChapState.NOT_STARTED) {
            String methods = keys.get("AuthMethod");
            if (methods == null) {
                if (chap.isPresent()) {
                    if (req.transit()) {
                        return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "target requires CHAP; no AuthMethod offered");
                    }
                    return null;
                }
                authenticated = true;
                return null;
            }
            List<String> offered = Arrays.stream(methods.split(",")).map(String::trim).toList();
            if (chap.isPresent()) {
                if (!offered.contains("CHAP")) {
                    answer.put("AuthMethod", "Reject");
                    return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "target requires CHAP; offered " + methods);
                }
                answer.put("AuthMethod", "CHAP");
                chapState = ChapState.CHOSEN;
                return null;
            }
            if (offered.contains("None")) {
                answer.put("AuthMethod", "None");
                authenticated = true;
                chapState = ChapState.DONE;
                return null;
            }
            return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "no CHAP secret configured; offered " + methods);
        }
        if (chapState == ChapState.CHOSEN) {
            String algorithms = keys.get("CHAP_A");
            if (algorithms == null) {
                return req.transit() ? refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "CHAP_A missing") : null;
            }
            if (Arrays.stream(algorithms.split(",")).map(String::trim).noneMatch(Chap.ALGORITHM_MD5::equals)) {
                return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "CHAP_A " + algorithms + " (only MD5=5)");
            }
            chapId = Chap.newIdentifier();
            chapChallenge = Chap.newChallenge();
            answer.put("CHAP_A", Chap.ALGORITHM_MD5);
            answer.put("CHAP_I", Integer.toString(chapId));
            answer.put("CHAP_C", Chap.hex(chapChallenge));
            chapState = ChapState.CHALLENGED;
            return null;
        }
        if (chapState == ChapState.CHALLENGED) {
            Access.ChapCredentials cred = chap.orElseThrow();
            String user = keys.get("CHAP_N");
            Optional<byte[]> response = Chap.binary(keys.get("CHAP_R"));
            if (user == null || response.isEmpty()) {
                return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "CHAP_N/CHAP_R missing or malformed");
            }
            if (!user.equals(cred.user()) || !Chap.verify(chapId, cred.secret(), chapChallenge, response.get())) {
                return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "CHAP response wrong for user " + user);
            }
            String mutualId = keys.get("CHAP_I");
            String mutualChallenge = keys.get("CHAP_C");
            if (mutualId != null || mutualChallenge != null) {
                Optional<Integer> id = Chap.identifier(mutualId);
                Optional<byte[]> challenge = Chap.binary(mutualChallenge);
                if (id.isEmpty() || challenge.isEmpty()) {
                    return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "mutual CHAP_I/CHAP_C malformed");
                }
                if (cred.mutualSecret().isEmpty()) {
                    return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "mutual CHAP asked but no target secret configured");
                }
                if (Arrays.equals(challenge.get(), chapChallenge)) { // RFC 7143 §12.1.3: reflection
                    return refuse(req, LoginStatus.AUTHENTICATION_FAILURE, "initiator reflected our CHAP challenge");
                }
                answer.put("CHAP_N", cred.mutualUser().orElse(targetName));
                answer.put("CHAP_R", Chap.hex(Chap.response(id.get(), cred.mutualSecret().get(), challenge.get())));
            }
            chapState = ChapState.DONE;
            authenticated = true;
            return null;
        }
        return null;
    }

    private Step refuse(Pdu req, LoginStatus status, String reason) {
        Pdu rsp = TargetPdus.loginResponse(req, false, req.currentStage() & 1, req.currentStage() & 1,
                ByteBuffer.wrap(TextKeys.encode(Map.of())), status.statusClass(), status.detail());
        return new Refuse(rsp, status, reason, initiatorName, targetName);
    }

    /** A successful Login Response (§11.13) answering {@code req}. */
    static Pdu response(Pdu req, boolean transit, int csg, int nsg, Map<String, String> keys) {
        return TargetPdus.loginResponse(req, transit, csg, nsg, ByteBuffer.wrap(TextKeys.encode(keys)), 0, 0);
    }
}
