package io.chainboot.infra.runtime;

import io.chainboot.events.Topics;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Entry point of Chainboot's Kafka child JVM.
 *
 * <pre>
 *   KafkaMain format  server.properties clusterId   -- format KRaft storage (first start)
 *   KafkaMain run     server.properties bootstrap partitions  -- run the broker, create the topics
 * </pre>
 *
 * The JVM exits when its stdin closes, so the broker dies with the process that started it.
 */
public final class KafkaMain {
    private KafkaMain() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: KafkaMain format <server.properties> <clusterId> | run <server.properties> <bootstrap> <partitions>");
            System.exit(2);
        }
        switch (args[0]) {
            case "format" -> kafka.tools.StorageTool.main(new String[] {
                    "format", "--ignore-formatted", "-t", args[2], "-c", args[1]});
            case "run" -> {
                watchParent();
                Thread topics = new Thread(() -> createTopics(args[2], Integer.parseInt(args[3])), "create-topics");
                topics.setDaemon(true);
                topics.start();
                kafka.Kafka.main(new String[] {args[1]});
            }
            default -> {
                System.err.println("unknown command " + args[0]);
                System.exit(2);
            }
        }
    }

    private static void watchParent() {
        Thread t = new Thread(() -> {
            InputStream in = System.in;
            byte[] buf = new byte[64];
            try {
                while (in.read(buf) >= 0) {
                    // nothing is ever written; wait for EOF
                }
            } catch (IOException ignored) {
                // parent gone
            }
            System.err.println("KafkaMain: parent gone (stdin closed), stopping broker");
            System.exit(0); // runs the broker's shutdown hook
        }, "parent-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /** boot-events' {@link Topics#ALL}, each with {@code partitions} partitions, replication 1. */
    static List<NewTopic> topics(int partitions) {
        return Topics.ALL.stream().map(t -> new NewTopic(t.name(), partitions, (short) 1).configs(t.configs())).toList();
    }

    /** Creates the Chainboot topics (those that exist are left alone), retrying while the broker starts. */
    static void createTopics(String bootstrap, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            List<NewTopic> wanted = topics(partitions);
            for (int attempt = 0; attempt < 120; attempt++) {
                try {
                    for (NewTopic t : wanted) {
                        try {
                            admin.createTopics(List.of(t)).all().get(10, TimeUnit.SECONDS);
                        } catch (ExecutionException e) {
                            if (!(e.getCause() instanceof TopicExistsException)) {
                                throw e;
                            }
                        }
                    }
                    System.out.println("KafkaMain: topics ready");
                    return;
                } catch (Exception e) {
                    Thread.sleep(500);
                }
            }
            System.err.println("KafkaMain: could not create topics");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
