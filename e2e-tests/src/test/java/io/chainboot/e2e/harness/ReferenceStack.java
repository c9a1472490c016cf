package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

/**
 * The classic stack Chainboot replaces, as in {@code /work/shared/reference/reference-boot-chain.sh}:
 * dnsmasq (DHCP + TFTP, no-ping, iPXE no-pxedhcp), python's http.server for the iPXE script, tgtd
 * with the disk on LUN 1. dnsmasq also sends the router advertisements (its own {@code enable-ra}, with
 * the prefix fd77::/64 on br0), as a dnsmasq user would configure it; no other daemon runs.
 * This is the peer the benchmark compares against, and the proof that the harness works.
 */
public final class ReferenceStack implements AutoCloseable {
    static final String IQN = "iqn.2024-01.test.e2e:disk1";
    static final int HTTP_PORT = 8080;

    private final TestNamespace ns;
    private final int ctlPort;
    private TestNamespace.Daemon tgtd;

    private ReferenceStack(TestNamespace ns) {
        this.ns = ns;
        // tgtd refuses control ports above 32767
        this.ctlPort = 1000 + (int) (ProcessHandle.current().pid() % 30000);
    }

    /** Starts dnsmasq, the HTTP server and tgtd serving {@code disk} inside {@code ns}. */
    public static ReferenceStack start(TestNamespace ns, Path disk) {
        ReferenceStack s = new ReferenceStack(ns);
        try {
            s.startAll(disk);
            return s;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw new IllegalStateException("reference stack did not start: " + e.getMessage(), e);
        }
    }

    private void startAll(Path disk) throws IOException {
        Path dir = ns.dir().resolve("reference");
        Path tftp = Files.createDirectories(dir.resolve("tftp"));
        Path www = Files.createDirectories(dir.resolve("www"));
        Files.copy(Path.of("/usr/lib/ipxe/undionly.kpxe"), tftp.resolve("undionly.kpxe"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(Path.of("/usr/lib/ipxe/ipxe.efi").toRealPath(), tftp.resolve("ipxe.efi"), StandardCopyOption.REPLACE_EXISTING);
        String ip = TestNamespace.SERVER_IP;
        Files.writeString(www.resolve("boot.ipxe"), """
                #!ipxe
                echo e2e: script loaded, running dhcp
                dhcp
                echo e2e: sanboot iscsi:%1$s:::1:%2$s
                sanboot iscsi:%1$s:::1:%2$s
                echo e2e: sanboot returned
                """.formatted(ip, IQN));
        Path conf = dir.resolve("dnsmasq.conf");
        Files.writeString(conf, """
                port=0
                interface=br0
                bind-interfaces
                dhcp-range=10.77.0.100,10.77.0.200,255.255.255.0,1h
                dhcp-leasefile=%1$s/leases
                dhcp-authoritative
                log-dhcp
                log-facility=%1$s/dnsmasq-full.log
                user=root
                enable-tftp
                tftp-root=%2$s
                dhcp-userclass=set:ipxe,iPXE
                dhcp-match=set:efi64,option:client-arch,7
                dhcp-match=set:efi64,option:client-arch,9
                dhcp-boot=tag:!ipxe,tag:efi64,ipxe.efi,,%3$s
                dhcp-boot=tag:!ipxe,tag:!efi64,undionly.kpxe,,%3$s
                dhcp-boot=tag:ipxe,http://%3$s:%4$d/boot.ipxe
                no-ping
                dhcp-option=tag:ipxe,encap:175,176,1b
                enable-ra
                dhcp-range=::,constructor:br0,ra-only,64
                """.formatted(dir, tftp, ip, HTTP_PORT));
        ns.exec("ip", "-6", "addr", "add", "fd77::1/64", "dev", "br0", "nodad");
        ns.start("dnsmasq", "dnsmasq", "--keep-in-foreground", "--conf-file=" + conf);
        ns.start("http", "python3", "-m", "http.server", "--bind", ip, "--directory", www.toString(),
                String.valueOf(HTTP_PORT));
        Files.createDirectories(Path.of("/var/run/tgtd"));
        tgtd = ns.start("tgtd", "tgtd", "-f", "-C", String.valueOf(ctlPort), "--iscsi", "portal=" + ip + ":3260");
        ns.beforeStop(this::shutdownTgtd);
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!tgtadm("--op", "show", "--mode", "target").ok()) {
            if (System.nanoTime() > end || !tgtd.alive()) {
                throw new IllegalStateException("tgtd did not come up: " + tgtd.logTail(500));
            }
            TestNamespace.sleep(100);
        }
        tgtadm("--op", "new", "--mode", "target", "--tid", "1", "-T", IQN).check();
        tgtadm("--op", "new", "--mode", "logicalunit", "--tid", "1", "--lun", "1", "-b", disk.toString()).check();
        tgtadm("--op", "bind", "--mode", "target", "--tid", "1", "-I", "ALL").check();
        if (!ns.waitListening("udp", 67, Duration.ofSeconds(10))
                || !ns.waitListening("tcp", HTTP_PORT, Duration.ofSeconds(10))
                || !ns.waitListening("tcp", 3260, Duration.ofSeconds(10))) {
            throw new IllegalStateException("reference daemons are not listening");
        }
    }

    private Cmd.Result tgtadm(String... args) {
        return Cmd.run(Duration.ofSeconds(10), null,
                Cmd.concat(new String[]{"tgtadm", "-C", String.valueOf(ctlPort), "--lld", "iscsi"}, args));
    }

    /** tgtd ignores SIGTERM: ask it to exit through its own control socket. */
    private void shutdownTgtd() {
        if (tgtd == null || !tgtd.alive()) {
            return;
        }
        tgtadm("--op", "delete", "--mode", "target", "--tid", "1", "--force");
        Cmd.run(Duration.ofSeconds(10), null, "tgtadm", "-C", String.valueOf(ctlPort), "--op", "delete", "--mode", "system");
        try {
            tgtd.process().waitFor(3, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(Path.of("/var/run/tgtd/socket." + ctlPort));
            Files.deleteIfExists(Path.of("/var/run/tgtd/socket." + ctlPort + ".lock"));
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public void close() {
        shutdownTgtd();
    }
}
