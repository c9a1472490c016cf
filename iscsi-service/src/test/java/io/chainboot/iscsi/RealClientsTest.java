package io.chainboot.iscsi;

import io.chainboot.common.testing.Eventually;
import io.chainboot.common.testing.RecordingPublisher;
import io.chainboot.events.IscsiEvents;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** libiscsi's command-line clients and qemu-img against the running service (Debian libiscsi-bin, qemu-utils, qemu-block-extra). */
@QuarkusTest
@TestProfile(IscsiTestProfile.class)
class RealClientsTest {
    @Inject
    IscsiService service;
    @Inject
    RecordingPublisher events;

    private String portal() {
        return "127.0.0.1:" + service.address().getPort();
    }

    private String url(String iqn) {
        return "iscsi://" + portal() + "/" + iqn + "/0";
    }

    @Test
    void iscsiLsDiscoversTheTargets() throws Exception {
        Tools.Result r = Tools.run(30, "iscsi-ls", "iscsi://" + portal());
        assertThat(r.exit()).isZero();
        assertThat(r.output()).contains("Target:" + IscsiTestProfile.OPEN + " Portal:" + portal() + ",1")
                .contains("Target:" + IscsiTestProfile.GUARDED);
        assertThat(events.of(IscsiEvents.Login.class))
                .anyMatch(l -> l.sessionType() == IscsiEvents.SessionType.DISCOVERY);
    }

    @Test
    void inquiryAndReadCapacityAnswer() throws Exception {
        Tools.Result inq = Tools.run(30, "iscsi-inq", url(IscsiTestProfile.OPEN));
        assertThat(inq.exit()).isZero();
        assertThat(inq.output()).contains("Peripheral Device Type:DIRECT_ACCESS");
        Tools.Result cap = Tools.run(30, "iscsi-readcapacity16", url(IscsiTestProfile.OPEN));
        assertThat(cap.exit()).isZero();
        assertThat(cap.output()).contains("Total size:" + (16 << 20)).contains("LOGICAL BLOCK LENGTH IN BYTES:512");
    }

    @Test
    void qemuImgConvertIsByteIdenticalToTheImage() throws Exception {
        Path out = IscsiTestProfile.DIR.resolve("copy.raw");
        Files.deleteIfExists(out);
        Tools.Result r = Tools.run(120, "qemu-img", "convert", "-f", "raw", "-O", "raw", url(IscsiTestProfile.OPEN),
                out.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(Files.mismatch(out, IscsiTestProfile.DIR.resolve("open.img"))).isEqualTo(-1L);
        assertThat(events.of(IscsiEvents.LunAttached.class))
                .anyMatch(a -> a.targetIqn().equals(IscsiTestProfile.OPEN) && a.blocks() == (16 << 20) / 512
                        && a.blockSize() == 512);
        assertThat(events.of(IscsiEvents.Logout.class))
                .anyMatch(l -> IscsiTestProfile.OPEN.equals(l.targetIqn()) && l.bytesRead() >= (4 << 20));
    }

    @Test
    void aWriteThroughQemuImgReadsBack() throws Exception {
        byte[] data = new byte[1 << 20];
        new Random(7).nextBytes(data);
        Path src = IscsiTestProfile.DIR.resolve("src.raw");
        Files.write(src, data);
        Tools.Result w = Tools.run(60, "qemu-img", "convert", "-n", "-f", "raw", "-O", "raw", src.toString(),
                url(IscsiTestProfile.SUITE));
        assertThat(w.exit()).as(w.output()).isZero();
        Path back = IscsiTestProfile.DIR.resolve("back.raw");
        Files.deleteIfExists(back);
        Tools.Result r = Tools.run(60, "qemu-img", "convert", "-f", "raw", "-O", "raw", url(IscsiTestProfile.SUITE),
                back.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        byte[] head = Arrays.copyOf(Files.readAllBytes(back), data.length);
        assertThat(head).isEqualTo(data);
    }

    @Test
    void chapRightSecretWorksWrongSecretIsRefused() throws Exception {
        String good = "iscsi://" + IscsiTestProfile.CHAP_USER + "%" + IscsiTestProfile.CHAP_SECRET + "@" + portal()
                + "/" + IscsiTestProfile.GUARDED + "/0";
        String bad = "iscsi://" + IscsiTestProfile.CHAP_USER + "%wrong-secret-99@" + portal()
                + "/" + IscsiTestProfile.GUARDED + "/0";
        Tools.Result ok = Tools.run(30, "iscsi-inq", "-i", "iqn.2026-01.io.chainboot:initiator:test", good);
        assertThat(ok.exit()).as(ok.output()).isZero();
        Tools.Result refused = Tools.run(30, "iscsi-inq", "-i", "iqn.2026-01.io.chainboot:initiator:test", bad);
        assertThat(refused.exit()).isNotZero();
        Tools.Result none = Tools.run(30, "iscsi-inq", url(IscsiTestProfile.GUARDED));
        assertThat(none.exit()).isNotZero();
        assertThat(events.of(IscsiEvents.LoginRejected.class))
                .anyMatch(e -> e.statusClass() == 2 && e.statusDetail() == 1 && e.reason().contains("CHAP"));
    }

    /** QEMU's libiscsi negotiates HeaderDigest=CRC32C: every PDU both ways carries a checked digest. */
    @Test
    void headerDigestCrc32cWithQemu() throws Exception {
        Path out = IscsiTestProfile.DIR.resolve("digest.raw");
        Files.deleteIfExists(out);
        Tools.Result r = Tools.run(120, "qemu-img", "convert", "--image-opts",
                "driver=iscsi,transport=tcp,portal=" + portal() + ",target=" + IscsiTestProfile.OPEN
                        + ",lun=0,header-digest=crc32c", "-O", "raw", out.toString());
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(Files.mismatch(out, IscsiTestProfile.DIR.resolve("open.img"))).isEqualTo(-1L);
    }

    /** A session in full feature phase is listed by the REST view while it lasts. */
    @Test
    void sessionsAreListedOverRest() throws Exception {
        Process qemu = new ProcessBuilder("qemu-io", "-f", "raw", url(IscsiTestProfile.OPEN))
                .redirectErrorStream(true).start(); // interactive: keeps its session open until stdin closes
        try {
            Eventually.until(() -> io.restassured.RestAssured.given().get("/iscsi/sessions").then().statusCode(200)
                    .extract().jsonPath().getList("target").contains(IscsiTestProfile.OPEN), "qemu-io's session listed");
        } finally {
            qemu.getOutputStream().close();
            qemu.destroy();
            qemu.waitFor();
        }
    }
}
