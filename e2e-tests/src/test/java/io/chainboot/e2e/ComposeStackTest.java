package io.chainboot.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chainboot.e2e.harness.BootChain;
import io.chainboot.e2e.harness.BootImages;
import io.chainboot.e2e.harness.Chainboot;
import io.chainboot.e2e.harness.Cmd;
import io.chainboot.e2e.harness.ComposeStack;
import io.chainboot.e2e.harness.DockerEngine;
import io.chainboot.e2e.harness.Firmware;
import io.chainboot.e2e.harness.Inventory;
import io.chainboot.e2e.harness.Prerequisites;
import io.chainboot.e2e.harness.Qemu;
import io.chainboot.e2e.harness.TestNamespace;
import io.chainboot.events.BootStage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The production deployment for real: the project's own docker-compose.yml (docker-compose 1.29,
 * no override file; an env file with what a user's .env holds) in a Docker engine contained in a
 * private namespace {@code cb-compose-<pid>}, on images built with no registry
 * (deploy/offline/build-images.sh, cached by content) and the five service images built from their
 * Dockerfiles. Every healthcheck must pass ({@code docker-compose ps}: all healthy), then a QEMU BIOS
 * guest on the namespace's bridge boots through the containerized dhcp (host network), script
 * (behind the edge), iscsi (published 3260) to its own iSCSI disk, and the inventory API, read
 * through the edge's :8080, shows the boot's stages. Nothing is left behind: no daemon, mount, data
 * root, cgroup or namespace ({@link #teardown}, also when a test fails).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeStackTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String DISKS = "/var/lib/chainboot/iscsi/disks";

    Path dir;
    TestNamespace ns;
    DockerEngine engine;
    ComposeStack stack;
    Inventory inventory;
    double imagesSeconds;
    double buildSeconds;
    double healthySeconds;
    int machines;

    @BeforeAll
    void up() throws Exception {
        Prerequisites.requireCompose();
        dir = Path.of("target", "e2e", "compose").toAbsolutePath();
        BootImages.deleteTree(dir);
        Files.createDirectories(dir);
        ns = TestNamespace.createNamed("cb-compose-" + ProcessHandle.current().pid(), dir);
        try {
            engine = DockerEngine.start(ns, Duration.ofSeconds(90));
            long t0 = System.nanoTime();
            stack = ComposeStack.prepare(engine, dir, Duration.ofMinutes(30));
            imagesSeconds = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Cmd.Result build = stack.composeLogged(Duration.ofMinutes(15), "compose-build.log", "build");
            assertThat(build.ok()).as("docker-compose build (exit %d):%n%s", build.exit(), build.output()).isTrue();
            buildSeconds = (System.nanoTime() - t0) / 1e9;
            t0 = System.nanoTime();
            Cmd.Result up = stack.composeLogged(Duration.ofMinutes(10), "compose-up.log", "up", "-d");
            List<String> notHealthy = stack.awaitHealthy(Duration.ofMinutes(5));
            healthySeconds = (System.nanoTime() - t0) / 1e9;
            assertThat(up.ok() && notHealthy.isEmpty()).as("docker-compose up -d (exit %d):%n%s%nnot healthy: %s%n%s%n%s",
                    up.exit(), up.output(), notHealthy, stack.ps(), stack.logs("", 30)).isTrue();
            inventory = new Inventory(stack);
            System.out.printf("compose: base images %.1f s, service images %.1f s, up -d to all healthy %.1f s%n",
                    imagesSeconds, buildSeconds, healthySeconds);
            System.out.println(engine.docker(Duration.ofSeconds(30), "images", "--format", "{{.Repository}}:{{.Tag}} {{.Size}}").output().strip());
        } catch (Throwable e) {
            teardown();
            throw e;
        }
    }

    @AfterAll
    void teardown() {
        List<String> left = new ArrayList<>();
        try {
            if (stack != null) {
                try {
                    Files.writeString(dir.resolve("compose-logs.txt"), stack.compose(Duration.ofSeconds(120), "logs", "--no-color",
                            "--timestamps").output());
                } catch (Exception e) {
                    // the post-mortem log is best effort
                }
            }
        } finally {
            if (engine != null) {
                engine.close();
                left.addAll(engine.leftovers());
            }
            if (ns != null) {
                ns.close();
                if (Cmd.run("ip", "netns", "list").output().lines().anyMatch(l -> l.split(" ")[0].equals(ns.name()))) {
                    left.add("namespace " + ns.name());
                }
            }
        }
        assertThat(left).as("what the compose test left behind").isEmpty();
    }

    @Test
    @Order(1)
    @Timeout(120)
    void everyServiceIsHealthyInDockerComposePs() {
        String ps = stack.ps();
        Map<String, String> rows = ComposeStack.psRows(ps);
        for (String svc : ComposeStack.SERVICES) {
            String name = ComposeStack.PROJECT + "_" + svc + "_1";
            assertThat(rows).as("docker-compose ps:%n%s", ps).containsKey(name);
            assertThat(rows.get(name)).as("%s in docker-compose ps:%n%s", name, ps).contains("Up (healthy)");
        }
        assertThat(rows.get(ComposeStack.PROJECT + "_" + ComposeStack.ONE_SHOT + "_1")).as("kafka-init created the topics:%n%s", ps)
                .contains("Exit 0");
        // secrets are files: the token and passwords are in no container's environment
        String token = stack.apiToken();
        for (String svc : List.of("inventory-service", "dhcp-service", "postgres")) {
            String env = engine.docker(Duration.ofSeconds(30), "inspect", "--format", "{{json .Config.Env}}",
                    stack.containers(svc).get(0)).output();
            assertThat(env).as(svc + " environment").doesNotContain(token).doesNotContainIgnoringCase("password=");
        }
    }

    @Test
    @Order(2)
    @Timeout(420)
    void biosMachineBootsThroughTheContainersToItsIscsiDisk() throws Exception {
        Guest g = prepare("52:54:00:77:03:01", "compose-bios", "COMPOSE-DISK-BOOTED");
        Booted b = boot(g, Duration.ofSeconds(180));
        assertChain(g, b);
        // script-service sits behind the edge: its event carries the machine's address (X-Forwarded-For)
        JsonNode script = event(g.mac(), "script.rendered").orElseThrow();
        assertThat(script.path("ip").asText()).as("script.rendered's ip: the machine's lease, not the edge's address: %s", script)
                .startsWith("10.77.0.");
    }

    /**
     * Per-service scaling while machines boot: script-service to 3 replicas and inventory-service to 2
     * while guest A boots, then B and C at once through the scaled tiers. Every event on
     * chainboot.boot-events is stored exactly once (as many stored events as the topic holds, no id
     * twice in a timeline), both inventory replicas are members of the consumer group with partitions
     * of their own, and the stall detector and outbox relay run on one leader only (one holder of the
     * PostgreSQL advisory lock, one replica that logged it leads).
     */
    @Test
    @Order(3)
    @Timeout(1200)
    void scaledScriptAndInventoryShareTheWorkAndStoreEveryEventOnce() throws Exception {
        Guest a = prepare("52:54:00:77:03:02", "compose-scale-a", "DISK-OF-SCALE-A");
        Guest b = prepare("52:54:00:77:03:03", "compose-scale-b", "DISK-OF-SCALE-B");
        Guest c = prepare("52:54:00:77:03:04", "compose-scale-c", "DISK-OF-SCALE-C");
        CompletableFuture<Booted> fa = CompletableFuture.supplyAsync(() -> boot(a, Duration.ofSeconds(300)));
        TestNamespace.sleep(3000);
        long t0 = System.nanoTime();
        Cmd.Result scale = stack.composeLogged(Duration.ofMinutes(10), "compose-scale.log", "up", "-d", "--no-recreate",
                "--scale", "script-service=3", "--scale", "inventory-service=2");
        assertThat(scale.ok()).as("docker-compose up --scale (exit %d):%n%s", scale.exit(), scale.output()).isTrue();
        List<String> notHealthy = stack.awaitHealthy(Duration.ofMinutes(5));
        assertThat(notHealthy).as("after scaling:%n%s", stack.ps()).isEmpty();
        System.out.printf("compose: scaled to script-service=3 inventory-service=2, all healthy after %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        assertThat(stack.containers("script-service")).hasSize(3);
        assertThat(stack.containers("inventory-service")).hasSize(2);
        assertChain(a, fa.get());

        TestNamespace.sleep(11_000);   // the edge re-resolves Docker's DNS every 10 s
        // the edge spreads boot scripts over the replicas: 30 /boot.ipxe of one more machine through
        // :8081, each replica's own chainboot_script_rendered_total (read on its container address)
        Map<String, Double> before = renderedPerReplica();
        for (int i = 0; i < 30; i++) {
            Chainboot.Http r = stack.http("GET", stack.scriptUrl("/boot.ipxe?mac=52-54-00-77-03-7f"), null, false);
            assertThat(r.status()).as("/boot.ipxe through the edge: %s", r.body()).isEqualTo(200);
        }
        Map<String, Double> after = renderedPerReplica();
        long serving = after.keySet().stream().filter(id -> after.get(id) > before.getOrDefault(id, 0.0)).count();
        System.out.printf("compose: 30 boot scripts through the edge, rendered per replica before %s after %s%n", before, after);
        assertThat(serving).as("script-service replicas that rendered some of 30 scripts through the edge (before %s, after %s)",
                before, after).isEqualTo(3);
        CompletableFuture<Booted> fb = CompletableFuture.supplyAsync(() -> boot(b, Duration.ofSeconds(300)));
        CompletableFuture<Booted> fc = CompletableFuture.supplyAsync(() -> boot(c, Duration.ofSeconds(300)));
        Booted bb = fb.get();
        Booted bc = fc.get();
        assertChain(b, bb);
        assertChain(c, bc);
        assertThat(bb.boot().serial()).doesNotContain(c.marker());
        assertThat(bc.boot().serial()).doesNotContain(b.marker());
        for (Guest g : List.of(a, b, c)) {
            System.out.printf("compose: %s's script from %s%n", g.hostname(), event(g.mac(), "script.rendered")
                    .map(e -> e.path("source").asText()).orElse("?"));
        }

        assertEveryEventStoredOnce(List.of(a, b, c));
        String members = kafka("kafka-consumer-groups.sh", "--bootstrap-server", "kafka:9092", "--describe",
                "--group", "chainboot-inventory", "--members");
        List<String[]> rows = members.lines().map(String::strip).filter(l -> l.startsWith("chainboot-inventory "))
                .map(l -> l.split("\\s+")).toList();
        assertThat(rows).as("members of chainboot-inventory:%n%s", members).hasSize(2);
        for (String[] r : rows) {
            assertThat(Integer.parseInt(r[r.length - 1])).as("partitions of member %s:%n%s", r[1], members).isPositive();
        }
        assertOneLeader();
    }

    /**
     * Crashes mid-run: the main processes of a script-service replica, of the inventory leader and of
     * Kafka's broker are killed (SIGKILL, as the OOM killer does; {@code docker kill} would switch the
     * restart policy off until the next start — Docker's rule for a person's kill). The restart policy
     * brings all three back, a machine powered on meanwhile boots, the other inventory replica takes
     * over the leadership (a machine registered afterwards is relayed and boots), and every event is
     * still stored exactly once.
     */
    @Test
    @Order(4)
    @Timeout(900)
    void crashedContainersAreRestartedAndNothingIsLost() throws Exception {
        Guest d = prepare("52:54:00:77:03:05", "compose-crash", "DISK-AFTER-CRASHES");
        String script = stack.containers("script-service").get(0);
        String kafka = stack.containers("kafka").get(0);
        String leader = assertOneLeader();
        String follower = stack.containers("inventory-service").stream().filter(id -> !id.equals(leader)).findFirst().orElseThrow();
        int scriptRestarts = restarts(script);
        int kafkaRestarts = restarts(kafka);
        int leaderRestarts = restarts(leader);
        crash(kafka);
        crash(script);
        crash(leader);
        Booted booted = boot(d, Duration.ofSeconds(300));
        long t0 = System.nanoTime();
        List<String> notHealthy = stack.awaitHealthy(Duration.ofMinutes(6));
        assertThat(notHealthy).as("after the crashes:%n%s", stack.ps()).isEmpty();
        System.out.printf("compose: after the crashes all healthy again %.1f s after the boot%n", (System.nanoTime() - t0) / 1e9);
        assertThat(restarts(kafka)).as("Kafka restarted by its policy").isGreaterThan(kafkaRestarts);
        assertThat(restarts(script)).as("the script-service replica restarted by its policy").isGreaterThan(scriptRestarts);
        assertThat(restarts(leader)).as("the inventory leader restarted by its policy").isGreaterThan(leaderRestarts);
        assertChain(d, booted, Duration.ofSeconds(240));
        // the leader's session died with it: the other replica took the lock and relays the outbox
        // (a machine registered now reaches script-service only through the relay)
        assertThat(assertOneLeader()).as("the leader after the old one crashed").isEqualTo(follower);
        Guest e = prepare("52:54:00:77:03:06", "compose-after", "DISK-AFTER-FAILOVER");
        assertChain(e, boot(e, Duration.ofSeconds(300)));
        assertEveryEventStoredOnce(List.of(d, e));
    }

    /**
     * UEFI: OVMF's own PXE client (virtio-net without option ROM) gets its boot file name from the
     * containerized dhcp-service, fetches ipxe.efi over TFTP from tftp-service (host network; the
     * boot files copied into its volume with {@code docker cp}, as docs/deploy.md tells a user), then
     * iPXE's DHCP, the script and the ESP on its iSCSI disk: all five stages in the inventory.
     */
    @Test
    @Order(5)
    @Timeout(600)
    void uefiMachineBootsThroughOvmfPxeAndTheTftpContainer() throws Exception {
        for (String f : List.of("ipxe.efi", "snponly.efi", "undionly.kpxe")) {
            stack.copyInto("tftp-service", Path.of("/usr/lib/ipxe", f), "/srv/tftp");
        }
        Guest u = prepare("52:54:00:77:03:07", "compose-uefi", Firmware.UEFI.marker(), Firmware.UEFI);
        assertChain(u, boot(u, Duration.ofSeconds(300)), Duration.ofSeconds(120));
    }

    /**
     * DHCP high availability from the compose file (docs/dhcp-ha.md): the env file gets what a
     * user's .env gets ({@code COMPOSE_PROFILES=ha}, {@code CHAINBOOT_DHCP_HA=true},
     * {@code CHAINBOOT_ADDRESS_2}, a second address of the host on the boot LAN), and
     * {@code docker-compose up -d --no-deps dhcp-service dhcp-service-2} recreates the first instance
     * with HA on and starts the second (host network both). Both are healthy; 12 busybox udhcpc
     * clients (macvlan interfaces with fixed MACs, on a second host of the LAN) and perfdhcp (40 client
     * MACs) get leases, from both server identifiers; no address is bound to two MACs across both
     * lease journals, the chainboot.leases topic and the clients' own answers, and the conflict
     * counter of both instances is 0.
     */
    @Test
    @Order(6)
    @Timeout(600)
    void dhcpHaPairFromTheComposeProfileLeasesFromBothWithoutADuplicate() throws Exception {
        for (String[] tool : new String[][]{{"busybox", "busybox"}, {"perfdhcp", "kea-admin"}}) {
            assertThat(Cmd.onPath(tool[0])).as("the HA compose step needs %s (apt-get install %s)", tool[0], tool[1]).isTrue();
        }
        String second = "10.77.0.2";
        ns.exec("ip", "addr", "add", second + "/24", "dev", TestNamespace.BRIDGE);
        stack.addEnv("COMPOSE_PROFILES=ha", "CHAINBOOT_DHCP_HA=true", "CHAINBOOT_ADDRESS_2=" + second);
        long t0 = System.nanoTime();
        Cmd.Result build = stack.composeLogged(Duration.ofMinutes(10), "compose-ha.log", "build", "dhcp-service-2");
        assertThat(build.ok()).as("docker-compose build dhcp-service-2 (exit %d):%n%s", build.exit(), build.output()).isTrue();
        Cmd.Result up = stack.composeLogged(Duration.ofMinutes(10), "compose-ha.log", "up", "-d", "--no-deps",
                "dhcp-service", "dhcp-service-2");
        assertThat(up.ok()).as("docker-compose up -d dhcp-service dhcp-service-2 (exit %d):%n%s", up.exit(), up.output()).isTrue();
        List<String> ids = new ArrayList<>();
        ids.addAll(stack.containers("dhcp-service"));
        ids.addAll(stack.containers("dhcp-service-2"));
        assertThat(ids).as("one container per instance:%n%s", stack.ps()).hasSize(2);
        long end = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (!ids.stream().allMatch(id -> stack.state(id).startsWith("running healthy ")) && System.nanoTime() < end) {
            TestNamespace.sleep(2000);
        }
        for (String id : ids) {
            assertThat(stack.state(id)).as("HA instance %s:%n%s%n%s", id, stack.ps(), stack.logs("dhcp-service-2", 40))
                    .startsWith("running healthy ");
        }
        System.out.printf("compose: HA pair (dhcp-service recreated with HA on, dhcp-service-2) healthy after %.1f s%n",
                (System.nanoTime() - t0) / 1e9);
        String env = engine.docker(Duration.ofSeconds(30), "inspect", "--format", "{{json .Config.Env}}", ids.get(0)).output();
        assertThat(env).as("dhcp-service's environment").contains("CHAINBOOT_DHCP_HA_ENABLED=true", "CHAINBOOT_DHCP_HA_INDEX=0");

        double[] acksBefore = {acks(8082),
                acks(8085)};
        Map<String, String> holder = new java.util.TreeMap<>();
        List<String> duplicates = new ArrayList<>();
        List<String> bound = new ArrayList<>();
        TestNamespace lan = ns.plugIn("cb-compose-" + ProcessHandle.current().pid() + "-ha", "ha", "10.77.0.240");
        try {
            Path hook = lan.dir().resolve("udhcpc-hook.sh");
            Path results = lan.dir().resolve("udhcpc-bound.txt");
            Files.writeString(hook, "#!/bin/sh\n[ \"$1\" = bound ] && echo \"$interface $ip $serverid\" >> " + results + "\nexit 0\n");
            Files.setPosixFilePermissions(hook, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(results, "");
            StringBuilder sh = new StringBuilder("set -e\n");
            List<String> macs = new ArrayList<>();
            for (int i = 1; i <= 12; i++) {
                String mac = String.format("52:54:00:77:0a:%02x", i);
                macs.add(mac);
                sh.append("ip link add mv").append(i).append(" link eth0 address ").append(mac).append(" type macvlan mode bridge\n")
                        .append("ip link set mv").append(i).append(" up\n");
            }
            sh.append("for i in $(seq 1 12); do busybox udhcpc -f -q -n -i mv$i -s ").append(hook)
                    .append(" -t 10 -T 2 -A 1 > ").append(lan.dir()).append("/udhcpc-mv$i.out 2>&1 & done\nwait\n");
            Cmd.Result clients = lan.run(Duration.ofSeconds(120), "sh", "-c", sh.toString());
            List<String> lines = Files.readAllLines(results);
            System.out.printf("compose HA: udhcpc clients bound:%n%s%n", String.join("\n", lines));
            assertThat(lines).as("udhcpc clients bound (%s):%n%s", clients.output(), stack.logs("dhcp-service-2", 30)).hasSize(12);
            for (String l : lines) {
                String[] f = l.split(" ");
                String mac = macs.get(Integer.parseInt(f[0].substring(2)) - 1);
                bound.add(f[2]);
                bind(holder, duplicates, f[1], mac, "udhcpc on " + f[0]);
            }
            assertThat(new java.util.TreeSet<>(bound)).as("server identifiers the udhcpc clients were bound by")
                    .containsExactly(TestNamespace.SERVER_IP, second);
            Cmd.Result perf = lan.run(Duration.ofSeconds(90), "perfdhcp", "-4", "-l", "eth0", "-r", "10", "-p", "8", "-R", "40");
            System.out.printf("compose HA: perfdhcp, 40 client MACs:%n%s%n", perf.output().lines()
                    .filter(l -> l.contains("sent packets") || l.contains("received packets") || l.startsWith("***")).toList());
        } finally {
            lan.close();
        }
        double[] acksAfter = {acks(8082),
                acks(8085)};
        System.out.printf("compose HA: ACKs sent by dhcp-service %.0f, by dhcp-service-2 %.0f%n",
                acksAfter[0] - acksBefore[0], acksAfter[1] - acksBefore[1]);
        assertThat(acksAfter[0]).as("ACKs of dhcp-service").isGreaterThan(acksBefore[0]);
        assertThat(acksAfter[1]).as("ACKs of dhcp-service-2").isGreaterThan(acksBefore[1]);

        // the verdict: one MAC per address, from both journals and the topic
        for (String id : ids) {
            Cmd.Result j = engine.docker(Duration.ofSeconds(60), "exec", id, "cat", "/var/lib/chainboot/dhcp/leases.journal");
            assertThat(j.ok()).as("lease journal of %s: %s", id, j.output()).isTrue();
            for (String l : j.output().lines().toList()) {
                String[] f = l.strip().split(" ");
                if (f.length >= 4 && f[0].startsWith("10.77.0.")) {
                    bind(holder, duplicates, f[0], f[1], "journal of " + id.substring(0, 12));
                }
            }
        }
        // the console consumer ends at its idle timeout (its exit status says nothing): the records are the check
        String topic = engine.docker(Duration.ofSeconds(120), "exec", stack.containers("kafka").get(0), "/opt/kafka/bin/kafka-tool",
                "org.apache.kafka.tools.consumer.ConsoleConsumer", "--bootstrap-server", "kafka:9092",
                "--topic", "chainboot.leases", "--from-beginning", "--timeout-ms", "15000").output();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"ip\"\\s*:\\s*\"([0-9.]+)\".*?\"mac\"\\s*:\\s*\"([0-9a-fA-F:-]+)\"")
                .matcher(topic);
        int records = 0;
        while (m.find()) {
            records++;
            bind(holder, duplicates, m.group(1), m.group(2).replace('-', ':'), "chainboot.leases");
        }
        System.out.printf("compose HA: %d addresses checked, %d lease records on chainboot.leases%n", holder.size(), records);
        assertThat(records).as("lease records read from chainboot.leases:%n%s", topic.length() > 2000 ? topic.substring(0, 2000) : topic)
                .isGreaterThanOrEqualTo(12);
        assertThat(duplicates).as("addresses bound to two MACs").isEmpty();
        assertThat(haMetric(8082, "chainboot_dhcp_ha_conflicts_total")).as("conflicts seen by dhcp-service").isZero();
        assertThat(haMetric(8085, "chainboot_dhcp_ha_conflicts_total")).as("conflicts seen by dhcp-service-2").isZero();
    }

    static void bind(Map<String, String> holder, List<String> duplicates, String ip, String mac, String source) {
        String m = mac.toLowerCase();
        String was = holder.putIfAbsent(ip, m + " (" + source + ")");
        if (was != null && !was.startsWith(m + " ")) {
            duplicates.add(ip + ": " + was + " and " + m + " (" + source + ")");
        }
    }

    /** ACKs a host-network dhcp-service has sent (0 before its first: the counter appears with it). */
    double acks(int port) {
        Chainboot.Http r = stack.http("GET", "http://127.0.0.1:" + port + "/q/metrics", null, false);
        assertThat(r.status()).as("/q/metrics on :%d: %s", port, r.body()).isEqualTo(200);
        return r.body().lines().filter(l -> l.startsWith("chainboot_dhcp_sent_total{type=\"ACK\"")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(0.0);
    }

    /** The first sample whose line starts with {@code name} on a host-network dhcp-service's /q/metrics (fails if none). */
    double haMetric(int port, String name) {
        Chainboot.Http r = stack.http("GET", "http://127.0.0.1:" + port + "/q/metrics", null, false);
        assertThat(r.status()).as("/q/metrics on :%d: %s", port, r.body()).isEqualTo(200);
        String line = r.body().lines().filter(l -> l.startsWith(name)).findFirst().orElse(null);
        assertThat(line).as("%s on :%d's /q/metrics", name, port).isNotNull();
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    // ---------------------------------------------------------------------------------------------

    /**
     * As many events stored as chainboot.boot-events holds (waiting for consumers to catch up), and
     * no event id twice in the guests' timelines.
     */
    void assertEveryEventStoredOnce(List<Guest> guests) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(180).toNanos();
        long onTopic;
        long stored;
        do {
            onTopic = topicEvents();
            stored = storedEvents();
            if (onTopic == stored) {
                break;
            }
            TestNamespace.sleep(2000);
        } while (System.nanoTime() < end);
        System.out.printf("compose: %d events on chainboot.boot-events, %d stored%n", onTopic, stored);
        assertThat(stored).as("events stored in PostgreSQL vs on chainboot.boot-events").isEqualTo(onTopic);
        for (Guest g : guests) {
            List<JsonNode> events = events(g.mac());
            List<String> ids = events.stream().map(e -> e.path("id").asText()).toList();
            List<String> types = events.stream().map(e -> e.path("type").asText()).toList();
            assertThat(ids).as(g.hostname() + "'s event ids").isNotEmpty().doesNotHaveDuplicates();
            assertThat(types).as(g.hostname() + "'s boot: one script, one iSCSI login, one LUN attach")
                    .containsOnlyOnce("script.rendered", "iscsi.login", "iscsi.lun.attached");
        }
    }

    /** The sum of chainboot.boot-events' end offsets (kafka-get-offsets.sh in the Kafka container). */
    long topicEvents() {
        String out = kafka("kafka-get-offsets.sh", "--bootstrap-server", "kafka:9092", "--topic", "chainboot.boot-events");
        long sum = 0;
        for (String line : out.lines().toList()) {
            String[] f = line.strip().split(":");
            if (f.length == 3 && f[0].equals("chainboot.boot-events")) {
                sum += Long.parseLong(f[2]);
            }
        }
        return sum;
    }

    long storedEvents() {
        return Long.parseLong(psql("select count(*) from boot_event").strip());
    }

    /**
     * Exactly one session holds the leader's advisory lock, and exactly one inventory replica's last
     * word on leadership since its (re)start is that it leads; returns that replica's container id.
     */
    String assertOneLeader() {
        String holders = psql("select count(*) from pg_locks where locktype = 'advisory' and granted and classid = 0"
                + " and objid = 7407157 and objsubid = 1");
        assertThat(holders.strip()).as("sessions holding the leader lock (chainboot.inventory.leader.lock-key)").isEqualTo("1");
        List<String> leaders = new ArrayList<>();
        for (String id : stack.containers("inventory-service")) {
            String started = engine.docker(Duration.ofSeconds(30), "inspect", "--format", "{{.State.StartedAt}}", id).output().strip();
            String logs = engine.docker(Duration.ofSeconds(60), "logs", "--since", started, id).output();
            int lead = logs.lastIndexOf("leader: this instance runs");
            int lost = logs.lastIndexOf("not the leader");
            if (lead >= 0 && lead > lost) {
                leaders.add(id);
            }
        }
        assertThat(leaders).as("inventory replicas that lead (stall detector, outbox relay)").hasSize(1);
        return leaders.get(0);
    }

    /** Per script-service replica: its chainboot_script_rendered_total, from /q/metrics on its own address. */
    Map<String, Double> renderedPerReplica() {
        Map<String, Double> out = new java.util.TreeMap<>();
        for (String id : stack.containers("script-service")) {
            String ip = engine.docker(Duration.ofSeconds(30), "inspect", "--format",
                    "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id).output().strip();
            Chainboot.Http m = stack.http("GET", "http://" + ip + ":8081/q/metrics", null, false);
            assertThat(m.status()).as("/q/metrics of script-service %s: %s", id, m.body()).isEqualTo(200);
            double sum = 0;
            for (String line : m.body().lines().toList()) {
                if (line.startsWith("chainboot_script_rendered_total")) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            out.put(id.substring(0, 12), sum);
        }
        return out;
    }

    String psql(String sql) {
        Cmd.Result r = engine.docker(Duration.ofSeconds(60), "exec", stack.containers("postgres").get(0), "psql", "-U",
                "chainboot", "-d", "chainboot", "-tAc", sql);
        assertThat(r.ok()).as("psql %s: %s", sql, r.output()).isTrue();
        return r.output();
    }

    String kafka(String tool, String... args) {
        List<String> argv = new ArrayList<>(List.of("exec", stack.containers("kafka").get(0), "/opt/kafka/bin/" + tool));
        argv.addAll(List.of(args));
        Cmd.Result r = engine.docker(Duration.ofSeconds(120), argv.toArray(String[]::new));
        assertThat(r.ok()).as("%s: %s", tool, r.output()).isTrue();
        return r.output();
    }

    int restarts(String container) {
        return Integer.parseInt(stack.state(container).split(" ")[3]);
    }

    /** SIGKILL of the container's main process from this host: a crash, which the restart policy answers. */
    void crash(String container) {
        String pid = engine.docker(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Pid}}", container).output().strip();
        assertThat(pid).matches("[1-9][0-9]*");
        Cmd.check("kill", "-KILL", pid);
    }


    /** A guest to boot: its MAC, hostname and the marker its own disk prints. */
    record Guest(String mac, String hostname, String marker, Firmware firmware) {
    }

    /** A finished boot with the time the guest was powered on. */
    record Booted(Qemu.Boot boot, Instant poweredOn) {
    }

    /**
     * A BIOS disk copied into the iscsi-disks volume ({@code docker cp}, as a user fills it), the machine
     * registered through the edge with the admin token, and its spec seen by script-service.
     */
    Guest prepare(String mac, String hostname, String marker) throws Exception {
        return prepare(mac, hostname, marker, Firmware.BIOS);
    }

    Guest prepare(String mac, String hostname, String marker, Firmware firmware) throws Exception {
        Path disk = Files.createDirectories(dir.resolve("disks")).resolve(hostname + ".img");
        BootImages.disk(firmware, disk, marker);
        stack.copyInto("iscsi-service", disk, DISKS);
        inventory.registerSanboot(mac, hostname, "RAW", hostname + ".img", false);
        awaitScript(mac, Duration.ofSeconds(90));
        machines++;
        return new Guest(mac, hostname, marker, firmware);
    }

    /** Until the edge's :8081 (a script-service replica) renders the machine's sanboot script. */
    void awaitScript(String mac, Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        Chainboot.Http last = null;
        while (System.nanoTime() < end) {
            last = stack.http("GET", stack.scriptUrl("/api/preview/" + mac), null, false);
            if (last.ok() && last.body().contains("set initiator-iqn")) {
                return;
            }
            TestNamespace.sleep(500);
        }
        fail("script-service never rendered a sanboot script for " + mac + " (spec not through chainboot.machines?): "
                + (last == null ? "no answer" : "HTTP " + last.status() + " " + last.body()) + "\n"
                + stack.logs("inventory-service", 40) + stack.logs("script-service", 40));
    }

    Booted boot(Guest g, Duration timeout) {
        String tap;
        synchronized (this) {
            tap = ns.addTap();
        }
        Instant poweredOn = Instant.now();
        Qemu.Boot boot = new Qemu(ns, g.firmware(), g.mac(), tap, g.hostname()).powerOn().awaitMarker(g.marker(), timeout);
        System.out.printf("compose " + g.firmware() + " %s: power-on -> marker %.2f s (%s)%n", g.hostname(), boot.seconds(), boot.outcome());
        return new Booted(boot, poweredOn);
    }

    /** The marker on COM1 and every BIOS stage in the inventory (through the edge), in chain order, within the boot. */
    void assertChain(Guest g, Booted booted) {
        assertChain(g, booted, Duration.ofSeconds(90));
    }

    void assertChain(Guest g, Booted booted, Duration settle) {
        Qemu.Boot boot = booted.boot();
        Instant from = booted.poweredOn().minusSeconds(2);
        // every expected stage, not only the last: each comes from another service's producer, and a
        // replica that just started (or a broker that just came back) delivers later — event time counts
        long end = System.nanoTime() + (boot.markerSeen() ? settle : Duration.ofSeconds(10)).toNanos();
        List<Inventory.StageAt> stages;
        Optional<BootStage> missing;
        while (true) {
            stages = inventory.latestStages(g.mac()).stream().filter(s -> !s.at().isBefore(from)).toList();
            missing = BootChain.firstMissing(g.firmware(), stages);
            if (missing.isEmpty() || System.nanoTime() > end) {
                break;
            }
            TestNamespace.sleep(1000);
        }
        List<Inventory.StageAt> seen = stages;
        if (!boot.markerSeen() || missing.isPresent()) {
            String where = missing.map(m -> BootChain.stoppedAt(m, seen))
                    .orElse("the inventory shows every stage (" + BootChain.describe(seen) + ") but the guest did not print its marker");
            String service = missing.map(BootChain.SERVED_BY::get).orElse("iscsi-service");
            String types;
            try {
                types = events(g.mac()).stream().map(e -> e.path("type").asText() + "@" + e.path("source").asText()).toList().toString();
            } catch (Exception | AssertionError e) {
                types = "(" + e + ")";
            }
            fail(String.format(g.firmware() + " boot of %s (%s) through compose failed: %s; QEMU: %s%n--- timeline JSON: %s%n--- events: %s%n"
                            + "--- serial console:%n%s%n--- %s:%n%s", g.hostname(), g.mac(), where, boot.outcome(),
                    inventory.timelineJson(g.mac()), types, boot.serialTail(), service, stack.logs(service, 60)));
        }
        BootChain.timingProblem(seen, booted.poweredOn(), Instant.now())
                .ifPresent(t -> fail("timeline of " + g.mac() + ": " + t + " (" + BootChain.describe(seen) + ")"));
    }

    /** The first event of {@code type} in the machine's latest boot (GET /api/machines/{mac}/boots?limit=1). */
    Optional<JsonNode> event(String mac, String type) throws Exception {
        for (JsonNode e : events(mac)) {
            if (type.equals(e.path("type").asText())) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /** The events of the machine's latest boot attempt, from {@code GET /api/boots/{id}} (the list omits them). */
    List<JsonNode> events(String mac) throws Exception {
        JsonNode boots = JSON.readTree(inventory.timelineJson(mac));
        List<JsonNode> out = new ArrayList<>();
        if (boots.isArray() && boots.size() > 0) {
            Chainboot.Http r = stack.http("GET", stack.inventoryUrl("/api/boots/" + boots.get(0).path("id").asText()), null, true);
            assertThat(r.status()).as("GET /api/boots/{id}: %s", r.body()).isEqualTo(200);
            JSON.readTree(r.body()).path("events").forEach(out::add);
        }
        return out;
    }
}
