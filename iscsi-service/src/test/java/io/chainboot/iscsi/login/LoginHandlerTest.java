package io.chainboot.iscsi.login;

import io.chainboot.events.DiskKind;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.common.testing.FixedMachines;
import io.chainboot.iscsi.pdu.Opcode;
import io.chainboot.iscsi.pdu.Pdu;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.targets.Access;
import io.chainboot.iscsi.targets.TargetRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

class LoginHandlerTest {
    static final String PREFIX = Names.DEFAULT_IQN_PREFIX;
    static final String CLUSTER = "a-cluster-secret-of-some-length";
    static final MacAddress MAC = MacAddress.parse("52:54:00:12:34:56");
    static final String OPEN = "iqn.2026-01.io.chainboot:open";
    static final String GUARDED = "iqn.2026-01.io.chainboot:guarded";

    @TempDir
    Path dir;
    TargetRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        Path img = FileBlockDevice.createSparse(dir.resolve("a.img"), 1 << 20);
        FileBlockDevice.createSparse(dir.resolve("52-54-00-12-34-56.img"), 1 << 20);
        MachineSpec spec = new MachineSpec(MAC, null, "pc1", null, null, null, null,
                new MachineSpec.DiskAssignment(DiskKind.RAW, null, null), new MachineSpec.ChapPolicy(true, true), true,
                null, Instant.now());
        registry = new TargetRegistry(PREFIX, Optional.of(CLUSTER), new FixedMachines(spec),
                TargetRegistry.rawDisks(dir), List.of(
                new TargetRegistry.StaticTarget(OPEN, img, List.of(), Optional.empty(), false),
                new TargetRegistry.StaticTarget(GUARDED, img, List.of("iqn.x:allowed"),
                        Optional.of(new Access.ChapCredentials("user", "secret-12345", Optional.of("tgt"),
                                Optional.of("mutual-12345"))), false)));
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    private LoginHandler handler() {
        return new LoginHandler(registry, tsih -> false, Negotiator.Limits.DEFAULT);
    }

    static Pdu login(int csg, int nsg, boolean transit, String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        Pdu p = new Pdu(Opcode.LOGIN_REQUEST, new byte[48], null, ByteBuffer.wrap(TextKeys.encode(m)));
        p.byteAt(0, 0x43).flags((transit ? 0x80 : 0) | (csg << 2) | (transit ? nsg : 0));
        p.byteAt(8, 0x80).byteAt(13, 1);
        return p;
    }

    static Map<String, String> keys(LoginHandler.Step s) {
        return TextKeys.parse(s.response().data()).orElseThrow();
    }

    static int status(LoginHandler.Step s) {
        return ((s.response().bhs()[36] & 0xff) << 8) | (s.response().bhs()[37] & 0xff);
    }

    @Test
    void noAuthLoginReachesFullFeature() {
        LoginHandler h = handler();
        LoginHandler.Step s = h.onRequest(login(0, 1, true, "InitiatorName", "iqn.x:i", "TargetName", OPEN,
                "AuthMethod", "None"));
        assertThat(s).isInstanceOf(LoginHandler.Continue.class);
        assertThat(keys(s)).containsEntry("AuthMethod", "None").containsEntry("TargetPortalGroupTag", "1");
        assertThat(s.response().flags() & 0x83).isEqualTo(0x81); // T=1, NSG=1
        s = h.onRequest(login(1, 3, true, "MaxRecvDataSegmentLength", "65536"));
        assertThat(s).isInstanceOf(LoginHandler.Complete.class);
        assertThat(((LoginHandler.Complete) s).result().params().initiatorMaxRecvDataSegmentLength).isEqualTo(65536);
        assertThat(s.response().opcode()).isEqualTo(Opcode.LOGIN_RESPONSE);
        assertThat(status(s)).isZero();
    }

    @Test
    void refusalsCarryTheirStatusCodes() {
        assertThat(status(handler().onRequest(login(1, 3, true, "TargetName", OPEN)))).isEqualTo(0x0207);
        assertThat(status(handler().onRequest(login(1, 3, true, "InitiatorName", "iqn.x:i")))).isEqualTo(0x0207);
        assertThat(status(handler().onRequest(login(1, 3, true, "InitiatorName", "iqn.x:i",
                "TargetName", "iqn.2026-01.io.chainboot:nope")))).isEqualTo(0x0203);
        assertThat(status(handler().onRequest(login(1, 3, true, "InitiatorName", "iqn.x:other",
                "TargetName", GUARDED)))).isEqualTo(0x0202);
        assertThat(status(handler().onRequest(login(1, 3, true, "InitiatorName", "iqn.x:i",
                "SessionType", "Weird")))).isEqualTo(0x0209);
        // CHAP required but the initiator skips the security stage
        assertThat(status(handler().onRequest(login(1, 3, true, "InitiatorName", "iqn.x:allowed",
                "TargetName", GUARDED)))).isEqualTo(0x0201);
        LoginHandler h = new LoginHandler(registry, tsih -> tsih == 7, Negotiator.Limits.DEFAULT);
        Pdu withTsih = login(1, 3, true, "InitiatorName", "iqn.x:i", "TargetName", OPEN);
        withTsih.int16(14, 9);
        assertThat(status(h.onRequest(withTsih))).isEqualTo(0x020a);
    }

    private LoginHandler.Step chap(LoginHandler h, String initiator, String target, String user, String secret,
                                   boolean mutual) {
        LoginHandler.Step s = h.onRequest(login(0, 1, false, "InitiatorName", initiator, "TargetName", target,
                "AuthMethod", "CHAP,None"));
        assertThat(keys(s)).containsEntry("AuthMethod", "CHAP");
        s = h.onRequest(login(0, 1, false, "CHAP_A", "5"));
        Map<String, String> c = keys(s);
        assertThat(c).containsEntry("CHAP_A", "5");
        int id = Integer.parseInt(c.get("CHAP_I"));
        byte[] challenge = Chap.binary(c.get("CHAP_C")).orElseThrow();
        String r = Chap.hex(Chap.response(id, secret, challenge));
        return mutual
                ? h.onRequest(login(0, 1, true, "CHAP_N", user, "CHAP_R", r, "CHAP_I", "77", "CHAP_C", "0x0102030405060708"))
                : h.onRequest(login(0, 1, true, "CHAP_N", user, "CHAP_R", r));
    }

    @Test
    void chapRightSecretPassesWrongSecretIsRefused() {
        LoginHandler.Step ok = chap(handler(), "iqn.x:allowed", GUARDED, "user", "secret-12345", false);
        assertThat(ok).isInstanceOf(LoginHandler.Continue.class);
        assertThat(ok.response().flags() & 0x80).isEqualTo(0x80);
        LoginHandler.Step bad = chap(handler(), "iqn.x:allowed", GUARDED, "user", "wrong-secret", false);
        assertThat(bad).isInstanceOf(LoginHandler.Refuse.class);
        assertThat(status(bad)).isEqualTo(0x0201);
    }

    @Test
    void mutualChapAnswersWithTheTargetSecret() {
        LoginHandler.Step ok = chap(handler(), "iqn.x:allowed", GUARDED, "user", "secret-12345", true);
        Map<String, String> k = keys(ok);
        assertThat(k).containsEntry("CHAP_N", "tgt");
        byte[] expected = Chap.response(77, "mutual-12345", Chap.binary("0x0102030405060708").orElseThrow());
        assertThat(Chap.binary(k.get("CHAP_R")).orElseThrow()).isEqualTo(expected);
    }

    @Test
    void machineDiskOnlyForItsOwnInitiatorWithTheDerivedSecret() {
        String target = Names.targetIqn(PREFIX, MAC, "pc1");
        String initiator = Names.initiatorIqn(PREFIX, MAC);
        assertThat(status(handler().onRequest(login(0, 1, false, "InitiatorName", "iqn.x:someone-else",
                "TargetName", target)))).isEqualTo(0x0202);
        LoginHandler.Step ok = chap(handler(), initiator, target, initiator, Names.chapSecret(CLUSTER, MAC), false);
        assertThat(ok).isInstanceOf(LoginHandler.Continue.class);
        LoginHandler.Step bad = chap(handler(), initiator, target, initiator, Names.chapSecret("another-cluster-secret", MAC), false);
        assertThat(status(bad)).isEqualTo(0x0201);
        assertThat(registry.visibleTo(initiator)).containsExactly(OPEN, target);
        assertThat(registry.visibleTo("iqn.x:allowed")).containsExactly(GUARDED, OPEN);
    }
}
