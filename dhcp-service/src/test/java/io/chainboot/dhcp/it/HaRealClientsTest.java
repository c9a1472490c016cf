package io.chainboot.dhcp.it;

import io.chainboot.dhcp.ha.Shares;
import io.chainboot.events.MacAddress;
import io.chainboot.infra.InfraPaths;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/dhcp-ha.md with real clients: two dhcp-service instances (HA index 0 and 1) on one bridge,
 * a real Kafka broker (the infra launcher's KafkaMain) on a separate backbone link, 500 perfdhcp
 * clients and 10 busybox udhcpc / ISC dhclient clients, in one run:
 * <ol>
 *   <li>both up: both serve, by hash bucket;</li>
 *   <li>{@code kill -9} of instance 1 during perfdhcp load: its udhcpc/dhclient clients rebind to
 *   instance 0 on the same address before their lease ends; a new client of its bucket is served
 *   within 15 s (partner-down-after 5 s + the client's retransmissions);</li>
 *   <li>instance 1 restarted on its state: it serves its bucket again;</li>
 *   <li>Kafka stopped (SIGSTOP) for 60 s under load: every udhcpc/dhclient client keeps renewing
 *   its address;</li>
 *   <li>a split: instance 0 cut from Kafka for 20 s while both still see clients;</li>
 * </ol>
 * and at the end: no address ever bound to two clients, from both lease journals, the servers'
 * lease outputs, the chainboot.leases topic and the clients' own logs; no HA conflict counted.
 * Leases 60 s, MCLT 60 s. Needs root, iproute2, busybox, isc-dhcp-client, kea-admin (perfdhcp).
 */
class HaRealClientsTest {
    static final String A_IP = "10.216.0.2";
    static final String B_IP = "10.216.0.3";
    static final int LEASE = 60;
    static final Pattern EVENT = Pattern.compile("(?m)^(\\d+) (\\S+) (\\S+) (\\S+)$");

    @TempDir
    Path tmp;
    HaLan lan;
    String nsA;
    String nsB;
    Process kafka;
    final List<Client> clients = new ArrayList<>();
    final List<ServerProcess> runsOfA = new ArrayList<>();
    final List<ServerProcess> runsOfB = new ArrayList<>();

    record Client(String name, String mac, String ns, Path log, boolean udhcpc) {
    }

    @AfterEach
    void teardown() throws IOException {
        // kept for reading after a failure: target/ha-it/ (the servers' output, the clients' logs)
        Path keep = Path.of("target", "ha-it");
        Files.createDirectories(keep);
        for (int i = 0; i < runsOfA.size(); i++) {
            Files.write(keep.resolve("a-" + i + ".log"), runsOfA.get(i).lines());
        }
        for (int i = 0; i < runsOfB.size(); i++) {
            Files.write(keep.resolve("b-" + i + ".log"), runsOfB.get(i).lines());
        }
        try (var files = Files.list(tmp)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, keep.resolve(f.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (lan != null) {
            lan.close();
        }
    }

    @Test
    void twoInstancesNeverBindOneAddressTwiceThroughDeathRestartKafkaOutageAndSplit() throws Exception {
        Prerequisite.require("ip", "iproute2");
        Prerequisite.require("busybox", "busybox");
        Prerequisite.require("dhclient", "isc-dhcp-client");
        Prerequisite.require("perfdhcp", "kea-admin");
        lan = new HaLan();
        nsA = lan.addServer("a", A_IP, "10.217.0.2");
        nsB = lan.addServer("b", B_IP, "10.217.0.3");
        String perf = lan.addClient("p", null, "10.216.0.9/16");
        startKafka();
        ServerProcess a = server(nsA, 0);
        runsOfA.add(a);
        ServerProcess b = server(nsB, 1);
        runsOfB.add(b);
        a.await("HA-LOADED"::equals, 90);
        b.await("HA-LOADED"::equals, 90);

        // 1. both up: 10 real clients (5 per bucket) and 500 perfdhcp clients
        Shares shares = new Shares(2);
        int n = 0;
        for (int bucketOwner = 0; bucketOwner < 2; bucketOwner++) {
            int found = 0;
            for (int i = 0; found < 5; i++) {
                String mac = String.format("52:54:00:ac:%02x:%02x", bucketOwner, i);
                if (shares.clientOwner(MacAddress.parse(mac)) == bucketOwner) {
                    clients.add(startClient("c" + n, mac, n % 2 == 0));
                    found++;
                    n++;
                }
            }
        }
        for (Client c : clients) {
            awaitEvent(c, 0, "bound|BOUND|REBOOT", 30);
        }
        Map<String, Long> p1 = perfdhcp(perf, "both-up", 50, 12);
        assertThat(p1.get("acks")).as("perfdhcp ACKs with both up: " + p1).isGreaterThanOrEqualTo(p1.get("requests") * 9 / 10);
        assertThat(puts(a)).as("instance 0 served").isPositive();
        assertThat(puts(b)).as("instance 1 served").isPositive();
        for (Client c : clients) {
            String sid = lastEvent(c).group(4);
            assertThat(sid).as(c + " served by its bucket's owner")
                    .isEqualTo(shares.clientOwner(MacAddress.parse(c.mac())) == 0 ? A_IP : B_IP);
        }

        // 2. kill -9 instance 1 during load
        Process load = startPerfdhcp(perf, "during-kill", 30, 20);
        Thread.sleep(5000);
        long killedAt = Instant.now().getEpochSecond();
        b.process().destroyForcibly();
        b.process().waitFor(10, TimeUnit.SECONDS);
        String fresh = null;
        for (int i = 0; fresh == null; i++) {
            String mac = String.format("52:54:00:ad:00:%02x", i);
            if (shares.clientOwner(MacAddress.parse(mac)) == 1) {
                fresh = mac;
            }
        }
        long newClientStart = System.nanoTime();
        Client late = startClient("n1", fresh, true);
        awaitEvent(late, killedAt, "bound", 30);
        double newClientSeconds = (System.nanoTime() - newClientStart) / 1e9;
        System.out.printf("HA: a new client of the killed instance's bucket was bound after %.1f s%n", newClientSeconds);
        assertThat(newClientSeconds).as("new client of the dead instance's bucket served").isLessThan(15);
        assertThat(lastEvent(late).group(4)).isEqualTo(A_IP);
        for (Client c : clients) {
            Matcher before = lastEventBefore(c, killedAt);
            if (!before.group(4).equals(B_IP)) {
                continue;
            }
            long ackedAt = Long.parseLong(before.group(1));
            Matcher after = awaitEvent(c, killedAt, "renew|bound|RENEW|REBIND|BOUND|REBOOT", LEASE + 15);
            System.out.printf("HA: %s (%s) ACKed by instance 1 at %d, by instance 0 %d s after the kill%n", c.name(),
                    before.group(3), ackedAt, Long.parseLong(after.group(1)) - killedAt);
            assertThat(after.group(3)).as(c + " keeps its address; log:\n" + Files.readString(c.log()) + "\nkilled at "
                    + killedAt).isEqualTo(before.group(3));
            assertThat(after.group(4)).isEqualTo(A_IP);
            System.out.printf("HA: %s (%s) got %s by %s from instance 0 %d s after its last ACK%n", c.name(),
                    c.udhcpc() ? "udhcpc" : "dhclient", after.group(3), after.group(2), Long.parseLong(after.group(1)) - ackedAt);
            if (c.udhcpc()) {
                assertThat(Long.parseLong(after.group(1))).as(c + " rebound before its lease ended").isLessThanOrEqualTo(ackedAt + LEASE);
            } else {
                // ISC dhclient's renewal backoff overshoots T2 with a 60 s lease: it goes from RENEWING to
                // EXPIRE without REBINDING, and its DISCOVER at expiry gets its own address back at once
                assertThat(Long.parseLong(after.group(1))).as(c + " has its address back at its lease end")
                        .isLessThanOrEqualTo(ackedAt + LEASE + 3);
            }
        }
        load.waitFor(60, TimeUnit.SECONDS);
        clients.add(late);

        // 3. restart instance 1 on its state: it serves its bucket again
        ServerProcess b2 = server(nsB, 1);
        runsOfB.add(b2);
        b2.await("HA-LOADED"::equals, 90);
        perfdhcp(perf, "after-restart", 50, 8);
        assertThat(puts(b2)).as("restarted instance 1 serves again").isPositive();

        // 4. Kafka stopped for 60 s under load: renewals continue
        long stoppedAt = Instant.now().getEpochSecond();
        signal(kafka, "STOP");
        Process outageLoad = startPerfdhcp(perf, "kafka-stopped", 20, 50);
        Thread.sleep(60_000);
        signal(kafka, "CONT");
        long resumedAt = Instant.now().getEpochSecond();
        outageLoad.waitFor(60, TimeUnit.SECONDS);
        for (Client c : clients) {
            List<Matcher> during = events(c).stream().filter(m -> Long.parseLong(m.group(1)) > stoppedAt
                    && Long.parseLong(m.group(1)) <= resumedAt).toList();
            assertThat(during).as(c + " renewed while Kafka was stopped").isNotEmpty();
            String held = lastEventBefore(c, stoppedAt).group(3);
            assertThat(during).as(c + " kept one address").allMatch(m -> m.group(3).equals(held));
        }

        // 5. split: instance 0 cut from Kafka for 20 s, both still see clients
        lan.backbone(nsA, false);
        perfdhcp(perf, "split", 20, 15);
        Thread.sleep(5000);
        lan.backbone(nsA, true);
        Thread.sleep(8000); // instance 0 catches up

        // the verdict: one client per address, from every source
        Map<String, String> holder = new LinkedHashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (ServerProcess s : List.of(a, b, b2)) {
            for (String l : s.lines()) {
                String[] f = l.split(" ");
                if (l.startsWith("LEASE PUT ")) {
                    bind(holder, duplicates, f[2], f[3], "server output");
                }
            }
        }
        for (String ns : List.of("a", "b")) {
            for (String l : Files.readAllLines(tmp.resolve("state-" + ns).resolve("leases.journal"))) {
                String[] f = l.split(" ");
                if (f.length >= 4) {
                    bind(holder, duplicates, f[0], f[1], "journal of " + ns);
                }
            }
        }
        Path dump = tmp.resolve("leases-topic.txt");
        lan.exec(lan.switchNs(), withJava(LeaseTopicDumpMain.class, HaLan.KAFKA_IP + ":9092", dump.toString()));
        String topic = Files.readString(dump);
        assertThat(topic).contains("END");
        long topicPuts = topic.lines().filter(l -> l.startsWith("PUT ")).peek(l -> {
            String[] f = l.split(" ");
            bind(holder, duplicates, f[1], f[2], "chainboot.leases");
        }).count();
        for (Client c : clients) {
            for (Matcher m : events(c)) {
                if (!m.group(3).equals("-") && !m.group(3).isEmpty()) {
                    bind(holder, duplicates, m.group(3), c.mac(), c.name() + "'s log");
                }
            }
        }
        System.out.printf("HA: %d addresses checked, %d records on chainboot.leases%n", holder.size(), topicPuts);
        assertThat(duplicates).as("addresses bound to two clients").isEmpty();
        assertThat(holder.size()).isGreaterThan(400);
        assertThat(a.counters()).endsWith("CONFLICTS 0");
        assertThat(b2.counters()).endsWith("CONFLICTS 0");
    }

    static void bind(Map<String, String> holder, List<String> duplicates, String ip, String mac, String source) {
        String m = mac.toLowerCase();
        String was = holder.putIfAbsent(ip, m + " (" + source + ")");
        if (was != null && !was.startsWith(m + " ")) {
            duplicates.add(ip + ": " + was + " and " + m + " (" + source + ")");
        }
    }

    ServerProcess server(String ns, int index) throws Exception {
        String ip = index == 0 ? A_IP : B_IP;
        List<String> cmd = ServerProcess.command("mode=full", "server=" + ip, "start=10.216.1.0", "end=10.216.8.255",
                "mask=255.255.0.0", "lease-seconds=" + LEASE, "state=" + tmp.resolve(index == 0 ? "state-a" : "state-b"),
                "ha-index=" + index, "kafka=" + HaLan.KAFKA_IP + ":9092", "mclt=60", "partner-down=5", "view-stale=3", "debug=1");
        return new ServerProcess(lan.start(ns, cmd, null));
    }

    void startKafka() throws Exception {
        Path dir = tmp.resolve("kafka");
        Files.createDirectories(dir.resolve("data"));
        Path props = dir.resolve("server.properties");
        String host = HaLan.KAFKA_IP;
        Files.writeString(props, String.join("\n", "process.roles=broker,controller", "node.id=1",
                "controller.quorum.voters=1@" + host + ":9093",
                "listeners=PLAINTEXT://" + host + ":9092,CONTROLLER://" + host + ":9093",
                "advertised.listeners=PLAINTEXT://" + host + ":9092", "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT", "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"), "num.partitions=3", "offsets.topic.replication.factor=1",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1", "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=true", ""));
        String clusterId = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                java.nio.ByteBuffer.allocate(16).putLong(42L).putLong(System.nanoTime()).array());
        lan.exec(lan.switchNs(), kafkaJava("format", props.toString(), clusterId).toArray(String[]::new));
        kafka = lan.start(lan.switchNs(), kafkaJava("run", props.toString(), host + ":9092", "3"), dir.resolve("kafka.log"));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            try {
                lan.exec(lan.switchNs(), "bash", "-c", "echo > /dev/tcp/" + host + "/9092");
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline || !kafka.isAlive()) {
                    throw new AssertionError("kafka did not start:\n" + Files.readString(dir.resolve("kafka.log")));
                }
                Thread.sleep(500);
            }
        }
    }

    static List<String> kafkaJava(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=classpath:chainboot-kafka-log4j2.properties",
                "-cp", InfraPaths.kafkaLibs() + "/*", "io.chainboot.infra.runtime.KafkaMain"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    static String[] withJava(Class<?> main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(ServerProcess.java(main));
        cmd.addAll(List.of(args));
        return cmd.toArray(String[]::new);
    }

    static void signal(Process p, String sig) throws IOException, InterruptedException {
        Lan.run("kill", "-" + sig, Long.toString(p.pid()));
    }

    static long puts(ServerProcess s) {
        return s.lines().stream().filter(l -> l.startsWith("LEASE PUT ")).count();
    }

    /** udhcpc or dhclient in its own namespace; its hook logs "epoch event ip server-id" per event. */
    Client startClient(String name, String mac, boolean udhcpc) throws Exception {
        String ns = lan.addClient(name, mac, null);
        Path log = tmp.resolve(name + ".log");
        Files.writeString(log, "");
        Path hook = tmp.resolve(name + "-hook.sh");
        Files.writeString(hook, """
                #!/bin/sh
                if [ -n "$reason" ]; then
                  echo "$(date +%%s) $reason ${new_ip_address:--} ${new_dhcp_server_identifier:--}" >> %1$s
                  case "$reason" in
                    BOUND|RENEW|REBIND|REBOOT) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
                    EXPIRE|FAIL|RELEASE|STOP) ip addr flush dev "$interface" ;;
                  esac
                else
                  echo "$(date +%%s) $1 ${ip:--} ${serverid:--}" >> %1$s
                  case "$1" in
                    bound|renew) ip addr replace "$ip/$mask" dev "$interface" ;;
                    deconfig) ip addr flush dev "$interface" ;;
                  esac
                fi
                exit 0
                """.formatted(log));
        Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (udhcpc) {
            lan.start(ns, List.of("busybox", "udhcpc", "-f", "-i", "eth0", "-s", hook.toString(), "-t", "30", "-T", "1",
                    "-A", "1"), tmp.resolve(name + ".out"));
        } else {
            Files.writeString(tmp.resolve(name + ".conf"), "request subnet-mask, routers, dhcp-lease-time;\ninitial-interval 2;\n");
            Path pid = tmp.resolve(name + ".pid");
            lan.daemonPidFile(pid);
            lan.start(ns, List.of("dhclient", "-d", "-v", "-sf", hook.toString(), "-lf", tmp.resolve(name + ".leases").toString(),
                    "-pf", pid.toString(), "-cf", tmp.resolve(name + ".conf").toString(), "eth0"), tmp.resolve(name + ".out"));
        }
        return new Client(name, mac, ns, log, udhcpc);
    }

    List<Matcher> events(Client c) throws IOException {
        List<Matcher> all = new ArrayList<>();
        Matcher m = EVENT.matcher(Files.readString(c.log()));
        while (m.find()) {
            Matcher one = EVENT.matcher(m.group());
            one.find();
            if (one.group(2).matches("bound|renew|BOUND|RENEW|REBIND|REBOOT")) {
                all.add(one);
            }
        }
        return all;
    }

    Matcher lastEvent(Client c) throws IOException {
        List<Matcher> e = events(c);
        assertThat(e).as(c + " has a lease").isNotEmpty();
        return e.get(e.size() - 1);
    }

    Matcher lastEventBefore(Client c, long epoch) throws IOException {
        Matcher last = null;
        for (Matcher m : events(c)) {
            if (Long.parseLong(m.group(1)) <= epoch) {
                last = m;
            }
        }
        assertThat(last).as(c + " had a lease before " + epoch).isNotNull();
        return last;
    }

    /** Waits for a lease event of one of {@code kinds} logged after {@code after} (epoch seconds). */
    Matcher awaitEvent(Client c, long after, String kinds, int seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < deadline) {
            for (Matcher m : events(c)) {
                if (Long.parseLong(m.group(1)) > after && m.group(2).matches(kinds)) {
                    return m;
                }
            }
            Thread.sleep(250);
        }
        throw new AssertionError(c + ": no " + kinds + " after " + after + " in " + seconds + " s; log:\n"
                + Files.readString(c.log()) + "\nclient output:\n" + readIfThere(tmp.resolve(c.name() + ".out")));
    }

    static String readIfThere(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** perfdhcp DORA at {@code rate}/s for {@code seconds} over 500 client MACs; returns its counts. */
    Map<String, Long> perfdhcp(String ns, String name, int rate, int seconds) throws Exception {
        Process p = startPerfdhcp(ns, name, rate, seconds);
        assertThat(p.waitFor(seconds + 40L, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(tmp.resolve("perfdhcp-" + name + ".txt"));
        Map<String, Long> r = new LinkedHashMap<>();
        r.put("requests", section(out, "REQUEST-ACK", "sent packets"));
        r.put("acks", section(out, "REQUEST-ACK", "received packets"));
        System.out.println("perfdhcp " + name + ": " + r);
        return r;
    }

    Process startPerfdhcp(String ns, String name, int rate, int seconds) throws IOException {
        return lan.start(ns, List.of("perfdhcp", "-4", "-l", "eth0", "-r", Integer.toString(rate), "-p",
                Integer.toString(seconds), "-R", "500"), tmp.resolve("perfdhcp-" + name + ".txt"));
    }

    static long section(String out, String section, String field) {
        int at = out.indexOf("***Statistics for: " + section);
        assertThat(at).as("perfdhcp report has " + section + ":\n" + out).isGreaterThanOrEqualTo(0);
        Matcher m = Pattern.compile(field + ": (\\d+)").matcher(out.substring(at));
        assertThat(m.find()).isTrue();
        return Long.parseLong(m.group(1));
    }
}
