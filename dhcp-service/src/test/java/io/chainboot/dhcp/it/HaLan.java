package io.chainboot.dhcp.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Two links for the HA acceptance test, all in namespaces {@code cb-ha-*} (the host network is
 * untouched): a switch namespace holding bridge {@code br0} (the boot LAN, 10.216.0.0/16, no
 * address of its own) and bridge {@code br1} (a backbone, 10.217.0.1/24, where Kafka runs); each
 * DHCP server namespace has {@code eth0} on the LAN and {@code eth1} on the backbone (so it can be
 * cut from Kafka while clients still reach it); client namespaces have {@code eth0} on the LAN.
 */
final class HaLan implements AutoCloseable {
    static final String KAFKA_IP = "10.217.0.1";

    private final String id = Integer.toString(ThreadLocalRandom.current().nextInt(1000, 9999));
    private final String switchNs = "cb-ha-w" + id;
    private final List<String> namespaces = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> pidFiles = new ArrayList<>();

    HaLan() throws IOException, InterruptedException {
        ns(switchNs);
        run("ip", "-n", switchNs, "link", "add", "br0", "type", "bridge");
        run("ip", "-n", switchNs, "link", "set", "br0", "up");
        run("ip", "-n", switchNs, "link", "add", "br1", "type", "bridge");
        run("ip", "-n", switchNs, "addr", "add", KAFKA_IP + "/24", "dev", "br1");
        run("ip", "-n", switchNs, "link", "set", "br1", "up");
    }

    String switchNs() {
        return switchNs;
    }

    private void ns(String name) throws IOException, InterruptedException {
        run("ip", "netns", "add", name);
        namespaces.add(name);
        run("ip", "-n", name, "link", "set", "lo", "up");
    }

    private void plug(String ns, String bridge, String inner, String outer, String mac, String cidr)
            throws IOException, InterruptedException {
        run("ip", "link", "add", outer, "netns", switchNs, "type", "veth", "peer", "name", inner, "netns", ns);
        if (mac != null) {
            run("ip", "-n", ns, "link", "set", inner, "address", mac);
        }
        run("ip", "-n", switchNs, "link", "set", outer, "master", bridge);
        run("ip", "-n", switchNs, "link", "set", outer, "up");
        if (cidr != null) {
            run("ip", "-n", ns, "addr", "add", cidr, "dev", inner);
        }
        run("ip", "-n", ns, "link", "set", inner, "up");
    }

    /** A DHCP server namespace: {@code lanIp}/16 on eth0 (LAN), {@code backboneIp}/24 on eth1 (Kafka). */
    String addServer(String name, String lanIp, String backboneIp) throws IOException, InterruptedException {
        String ns = "cb-ha-" + name + id;
        ns(ns);
        plug(ns, "br0", "eth0", "l" + name + id, null, lanIp + "/16");
        plug(ns, "br1", "eth1", "k" + name + id, null, backboneIp + "/24");
        return ns;
    }

    /** A client namespace with {@code eth0} (MAC {@code mac}, address {@code cidr} or none) on the LAN. */
    String addClient(String name, String mac, String cidr) throws IOException, InterruptedException {
        String ns = "cb-ha-" + name + id;
        ns(ns);
        plug(ns, "br0", "eth0", "c" + name + id, mac, cidr);
        return ns;
    }

    /** Cuts ({@code up=false}) or restores a server namespace's backbone link: Kafka unreachable from it. */
    void backbone(String ns, boolean up) throws IOException, InterruptedException {
        run("ip", "-n", ns, "link", "set", "eth1", up ? "up" : "down");
    }

    String exec(String ns, String... cmd) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(List.of(cmd));
        return run(full.toArray(String[]::new));
    }

    Process start(String ns, List<String> cmd, Path log) throws IOException {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
        if (log != null) {
            pb.redirectOutput(log.toFile());
        }
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** A daemon that writes its PID to {@code pidFile} (dhclient): killed by that PID on close. */
    void daemonPidFile(Path pidFile) {
        pidFiles.add(pidFile);
    }

    static String run(String... cmd) throws IOException, InterruptedException {
        return Lan.run(cmd);
    }

    @Override
    public void close() {
        pidFiles.forEach(Lan::killPidFile);
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            try {
                p.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            try {
                run("ip", "netns", "del", namespaces.get(i));
            } catch (IOException | InterruptedException e) {
                System.err.println("could not delete namespace " + namespaces.get(i) + ": " + e.getMessage());
            }
        }
    }
}
