package io.chainboot.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A real Apache Kafka broker (KRaft, combined broker+controller, one node) in its own JVM on its
 * own classpath ({@code infra-runtime/target/lib}). Creates the Chainboot topics on start.
 */
public final class KafkaBroker extends ChildServer {
    private static KafkaBroker shared;

    private final Path dir;
    private final String host;
    private final int port;
    private final int controllerPort;

    public KafkaBroker(Path dir, String host, int port, int controllerPort) {
        this.dir = dir.toAbsolutePath();
        this.host = host;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** One broker per JVM for tests, on free ports under {@code target/}, stopped when the JVM exits. */
    public static synchronized KafkaBroker shared() {
        if (shared == null || !shared.isRunning()) {
            // a fresh directory per start: a broker restarted on new ports in an old KRaft data
            // directory does not come up. That restart happens when Quarkus swaps the test class
            // loader (a test class with other resources): the old loader's broker handle is
            // collected, its stdin pipe closes, and that broker stops. (Statics are per class loader,
            // so the name cannot come from a counter here.)
            Path dir = Path.of("target", "test-infra", "kafka-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
            shared = new KafkaBroker(dir, "127.0.0.1", Ports.free(), Ports.free());
            shared.start(Duration.ofSeconds(90));
            KafkaBroker broker = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "stop-kafka"));
        }
        return shared;
    }

    public String bootstrapServers() {
        return host + ":" + port;
    }

    @Override
    public int port() {
        return port;
    }


    public synchronized KafkaBroker start(Duration timeout) {
        try {
            Files.createDirectories(dir.resolve("data"));
            Path props = dir.resolve("server.properties");
            Files.writeString(props, serverProperties());
            Path lib = InfraPaths.kafkaLibs();
            Path log = dir.resolve("kafka.log");
            if (!Files.exists(dir.resolve("data/meta.properties"))) {
                String clusterId = clusterId();
                ChildProcess format = ChildProcess.start("kafka-format",
                        java(lib, List.of("format", props.toString(), clusterId)), Map.of(), dir, log);
                int rc = format.process().waitFor();
                if (rc != 0) {
                    throw new IllegalStateException("kafka storage format failed (rc " + rc + "):\n" + format.logTail(15));
                }
            }
            process = ChildProcess.start("kafka",
                    java(lib, List.of("run", props.toString(), bootstrapServers(), "6")), Map.of(), dir, log);
            Ports.await("kafka", host, port, timeout, process);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start kafka in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting kafka", e);
        }
    }

    private List<String> java(Path lib, List<String> args) {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xms128m", "-Xmx768m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=classpath:chainboot-kafka-log4j2.properties",
                "-cp", lib + "/*",
                "io.chainboot.infra.runtime.KafkaMain"));
        cmd.addAll(args);
        return cmd;
    }

    private String serverProperties() {
        return String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@" + host + ":" + controllerPort,
                "listeners=PLAINTEXT://" + host + ":" + port + ",CONTROLLER://" + host + ":" + controllerPort,
                "advertised.listeners=PLAINTEXT://" + host + ":" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=6",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=6",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                "auto.create.topics.enable=true",
                "log.cleaner.backoff.ms=5000",
                "") ;
    }

    /**
     * A KRaft cluster id: 16 random bytes, URL-safe base64. Like Kafka's own {@code Uuid.randomUuid()}, an id
     * that starts with '-' is drawn again: the storage tool would read it as an option (1 draw in 64).
     */
    static String clusterId() {
        while (true) {
            UUID u = UUID.randomUUID();
            byte[] b = new byte[16];
            long hi = u.getMostSignificantBits();
            long lo = u.getLeastSignificantBits();
            for (int i = 0; i < 8; i++) {
                b[i] = (byte) (hi >>> (56 - 8 * i));
                b[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            String id = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }
}
