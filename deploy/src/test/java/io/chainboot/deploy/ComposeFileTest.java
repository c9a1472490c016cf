package io.chainboot.deploy;

import io.chainboot.events.Topics;
import io.chainboot.infra.InfraPaths;
import io.chainboot.infra.launcher.LaunchPlan;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No Docker engine runs here, so docker-compose.yml is checked against the code instead: every
 * environment variable of a service names a real config key of that service (read from its
 * {@code @ConfigMapping} bytecode), health checks ask {@code /q/health/ready} on the port of the
 * service's application.properties, each Dockerfile exists and EXPOSEs that port, dependencies wait
 * for health, DHCP/TFTP use the host network, scaled services publish no fixed host port. The
 * launcher's settings ({@link LaunchPlan#settings}) are held to the same keys.
 */
class ComposeFileTest {
    static final Path ROOT = InfraPaths.root();
    /** Non-Chainboot keys the launcher and compose may set, and which service may get them. */
    static final Set<String> QUARKUS_KEYS = Set.of("kafka.bootstrap.servers", "quarkus.http.port");
    static final Set<String> DATASOURCE_KEYS = Set.of("quarkus.datasource.jdbc.url", "quarkus.datasource.username",
            "quarkus.datasource.password");

    static Map<String, Object> compose() throws IOException {
        try (Reader r = Files.newBufferedReader(ROOT.resolve("docker-compose.yml"))) {
            LoaderOptions o = new LoaderOptions();
            o.setAllowDuplicateKeys(false);
            return new Yaml(o).load(r);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    static Map<String, Object> service(String name) throws IOException {
        Map<String, Object> s = map(map(compose().get("services")).get(name));
        assertThat(s).as("service " + name + " in docker-compose.yml").isNotEmpty();
        return s;
    }

    static Map<String, String> env(String name) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Object e = service(name).get("environment");
        if (e instanceof Map) {
            map(e).forEach((k, v) -> out.put(k, v == null ? "" : String.valueOf(v)));
        } else if (e instanceof List) {
            for (Object line : (List<?>) e) {
                String s = String.valueOf(line);
                int eq = s.indexOf('=');
                out.put(eq < 0 ? s : s.substring(0, eq), eq < 0 ? "" : s.substring(eq + 1));
            }
        }
        return out;
    }

    static int httpPort(String svc) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(ROOT.resolve(svc).resolve("src/main/resources/application.properties"))) {
            p.load(r);
        }
        return Integer.parseInt(p.getProperty("quarkus.http.port").trim());
    }

    static String shortName(String svc) {
        return svc.substring(0, svc.indexOf('-'));
    }

    static ConfigKeys keysOf(String module) {
        Path classes = ROOT.resolve(module).resolve("target/classes");
        assertThat(classes).as(module + " must be compiled before this test (the reactor builds it first)").isDirectory();
        return ConfigKeys.ofClasses(classes);
    }

    static Set<String> commonKeys() {
        return keysOf("service-common").keys();
    }

    @Test
    void composeHasKafkaPostgresAndTheFiveServices() throws IOException {
        Set<String> names = map(compose().get("services")).keySet();
        assertThat(names).contains("kafka", "postgres").containsAll(LaunchPlan.SERVICES);
        assertThat(String.valueOf(service("kafka").get("image"))).startsWith("apache/kafka:4.1.");
        assertThat(env("kafka")).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller").containsKey("CLUSTER_ID");
        assertThat(String.valueOf(service("postgres").get("image"))).isEqualTo("postgres:17");
    }

    /** kafka-init creates exactly boot-events' {@link Topics#ALL}: same names, same topic configs. */
    @Test
    void kafkaInitCreatesTheTopicsOfBootEvents() throws IOException {
        Object command = service("kafka-init").get("command");
        String script = command instanceof List<?> l ? String.join("\n", l.stream().map(String::valueOf).toList())
                : String.valueOf(command);
        Map<String, Map<String, String>> created = new LinkedHashMap<>();
        Matcher create = Pattern.compile("--create\\b[^\n]*").matcher(script);
        while (create.find()) {
            Matcher topic = Pattern.compile("--topic\\s+(\\S+)").matcher(create.group());
            assertThat(topic.find()).as("a --create without --topic: " + create.group()).isTrue();
            Map<String, String> configs = new LinkedHashMap<>();
            Matcher config = Pattern.compile("--config\\s+([^=\\s]+)=(\\S+)").matcher(create.group());
            while (config.find()) {
                configs.put(config.group(1), config.group(2));
            }
            assertThat(created.put(topic.group(1), configs)).as("topic created twice: " + topic.group(1)).isNull();
        }
        Map<String, Map<String, String>> wanted = new LinkedHashMap<>();
        Topics.ALL.forEach(t -> wanted.put(t.name(), t.configs()));
        assertThat(created).isEqualTo(wanted);
    }

    @TestFactory
    Stream<DynamicTest> eachServiceMatchesItsCode() {
        List<DynamicTest> tests = new ArrayList<>();
        for (String svc : LaunchPlan.SERVICES) {
            tests.add(DynamicTest.dynamicTest(svc + ": Dockerfile exists and EXPOSEs the HTTP port", () -> {
                Map<String, Object> s = service(svc);
                Object build = s.get("build");
                String context = build instanceof Map ? String.valueOf(map(build).get("context")) : String.valueOf(build);
                assertThat(ROOT.resolve(context).normalize()).isEqualTo(ROOT.resolve(svc));
                Path dockerfile = ROOT.resolve(svc).resolve("Dockerfile");
                assertThat(dockerfile).isRegularFile();
                Matcher m = Pattern.compile("(?m)^\\s*EXPOSE\\s+(.+)$").matcher(Files.readString(dockerfile));
                List<String> exposed = new ArrayList<>();
                while (m.find()) {
                    for (String p : m.group(1).trim().split("\\s+")) {
                        exposed.add(p.replace("/tcp", ""));
                    }
                }
                assertThat(exposed).as("EXPOSE in " + dockerfile).contains(String.valueOf(httpPort(svc)));
            }));
            tests.add(DynamicTest.dynamicTest(svc + ": healthcheck asks /q/health/ready on the HTTP port", () -> {
                Map<String, Object> hc = map(service(svc).get("healthcheck"));
                String cmd = String.join(" ", ((List<?>) hc.get("test")).stream().map(String::valueOf).toList());
                assertThat(cmd).contains("/q/health/ready").contains("/dev/tcp/127.0.0.1/" + httpPort(svc) + " ");
                String portEnv = env(svc).get("QUARKUS_HTTP_PORT");
                assertThat(portEnv).as("QUARKUS_HTTP_PORT of " + svc).isIn(null, String.valueOf(httpPort(svc)));
            }));
            tests.add(DynamicTest.dynamicTest(svc + ": starts only after Kafka (and PostgreSQL) are healthy", () -> {
                Map<String, Object> deps = map(service(svc).get("depends_on"));
                assertThat(deps).as(svc + " depends_on").isNotEmpty();
                deps.forEach((dep, v) -> assertThat(String.valueOf(map(v).get("condition")))
                        .as(svc + " -> " + dep).isIn("service_healthy", "service_completed_successfully"));
                assertThat(dependsTransitively(svc)).contains("kafka");
                if (svc.equals("inventory-service")) {
                    assertThat(deps).containsKey("postgres");
                }
            }));
            tests.add(DynamicTest.dynamicTest(svc + ": every environment variable is a config key of the service", () -> {
                ConfigKeys keys = keysOf(svc);
                Assumptions.assumeTrue(keys.prefixes().contains("chainboot." + shortName(svc)),
                        svc + " has no @ConfigMapping(prefix = \"chainboot." + shortName(svc) + "\") yet: its keys cannot be checked");
                Set<String> own = keys.keys();
                Set<String> common = commonKeys();
                List<String> unknown = new ArrayList<>();
                for (String var : env(svc).keySet()) {
                    boolean ok;
                    if (var.startsWith("CHAINBOOT_COMMON_")) {
                        ok = ConfigKeys.envMatches(var, common);
                    } else if (var.startsWith("CHAINBOOT_")) {
                        ok = ConfigKeys.envMatches(var, own);
                    } else if (var.startsWith("QUARKUS_") || var.startsWith("KAFKA_")) {
                        ok = ConfigKeys.envMatches(var, allowedQuarkusKeys(svc));
                    } else {
                        ok = false;
                    }
                    if (!ok) {
                        unknown.add(var);
                    }
                }
                assertThat(unknown).as(svc + " environment variables that name no config key (its keys: " + own + ")").isEmpty();
            }));
            tests.add(DynamicTest.dynamicTest(svc + ": every launcher setting is a config key of the service", () -> {
                ConfigKeys keys = keysOf(svc);
                Assumptions.assumeTrue(keys.prefixes().contains("chainboot." + shortName(svc)),
                        svc + " has no @ConfigMapping(prefix = \"chainboot." + shortName(svc) + "\") yet: its keys cannot be checked");
                Set<String> all = new TreeSet<>(keys.keys());
                all.addAll(commonKeys());
                all.addAll(allowedQuarkusKeys(svc));
                List<String> unknown = new ArrayList<>();
                for (String key : LauncherSettings.fullModeSettings(svc).keySet()) {
                    if (!ConfigKeys.keyMatches(key, all)) {
                        unknown.add(key);
                    }
                }
                assertThat(unknown).as(svc + " settings ./chainboot passes that name no config key (its keys: " + keys.keys() + ")").isEmpty();
            }));
        }
        return tests.stream();
    }

    /** inventory-service may also get the datasource keys, but only once it has a JDBC driver extension. */
    static Set<String> allowedQuarkusKeys(String svc) throws IOException {
        Set<String> out = new TreeSet<>(QUARKUS_KEYS);
        if (svc.equals("inventory-service")) {
            String pom = Files.readString(ROOT.resolve(svc).resolve("pom.xml"));
            assertThat(pom).as("inventory-service is given quarkus.datasource.* but has no JDBC driver extension").contains("quarkus-jdbc-postgresql");
            out.addAll(DATASOURCE_KEYS);
        }
        return out;
    }

    static Set<String> dependsTransitively(String svc) throws IOException {
        Set<String> seen = new TreeSet<>();
        List<String> todo = new ArrayList<>(List.of(svc));
        while (!todo.isEmpty()) {
            String s = todo.remove(0);
            for (String d : map(service(s).get("depends_on")).keySet()) {
                if (seen.add(d)) {
                    todo.add(d);
                }
            }
        }
        return seen;
    }

    @Test
    void commonVariablesAreRealKeysOfServiceCommon() throws IOException {
        Set<String> common = commonKeys();
        assertThat(common).contains("chainboot.common.cluster-secret", "chainboot.common.die-with-parent");
        for (String svc : LaunchPlan.SERVICES) {
            for (String var : env(svc).keySet()) {
                if (var.startsWith("CHAINBOOT_COMMON_")) {
                    assertThat(ConfigKeys.envMatches(var, common)).as(svc + " " + var).isTrue();
                }
            }
        }
    }

    @Test
    void dhcpAndTftpUseTheHostNetworkAndReachKafkaThroughTheHost() throws IOException {
        for (String svc : List.of("dhcp-service", "tftp-service")) {
            assertThat(service(svc).get("network_mode")).as(svc).isEqualTo("host");
            assertThat(service(svc)).doesNotContainKey("ports");
            assertThat(env(svc).get("KAFKA_BOOTSTRAP_SERVERS")).isEqualTo("127.0.0.1:29092");
        }
        assertThat(env("kafka").get("KAFKA_ADVERTISED_LISTENERS")).contains("HOST://127.0.0.1:29092");
        assertThat(String.valueOf(service("kafka").get("ports"))).contains("127.0.0.1:29092:29092");
        for (String svc : List.of("script-service", "iscsi-service", "inventory-service")) {
            assertThat(env(svc).get("KAFKA_BOOTSTRAP_SERVERS")).as(svc).isEqualTo("kafka:9092");
        }
        assertThat(env("dhcp-service").get("CHAINBOOT_DHCP_PORT")).isEqualTo("67");
        assertThat(env("tftp-service").get("CHAINBOOT_TFTP_PORT")).isEqualTo("69");
    }

    @Test
    void scaledServicesPublishNoFixedHostPortAndTheEdgeProxiesThem() throws IOException {
        for (String svc : List.of("script-service", "inventory-service")) {
            assertThat(service(svc)).as(svc + " is scaled with --scale, so it must not publish a host port").doesNotContainKey("ports");
            assertThat(service(svc)).doesNotContainKey("container_name");
        }
        String edgePorts = String.valueOf(service("edge").get("ports"));
        String nginx = Files.readString(ROOT.resolve("deploy/nginx.conf"));
        for (String svc : List.of("script-service", "inventory-service")) {
            int port = httpPort(svc);
            assertThat(edgePorts).contains(port + ":" + port);
            assertThat(nginx).contains("listen " + port + ";").contains("http://" + svc + ":" + port);
        }
        assertThat(nginx).contains("resolver 127.0.0.11");
        assertThat(map(service("edge").get("depends_on"))).containsKeys("script-service", "inventory-service");
    }

    @Test
    void theEntryPointForwardsToTheServicesByTheirComposeNames() throws IOException {
        assertThat(env("inventory-service")).containsEntry("CHAINBOOT_INVENTORY_UPSTREAM_ISCSI_URL",
                        "http://iscsi-service:" + httpPort("iscsi-service"))
                .containsEntry("CHAINBOOT_INVENTORY_UPSTREAM_SCRIPT_URL", "http://script-service:" + httpPort("script-service"))
                .as("the entry point adds the cluster secret to what it forwards").containsKey("CHAINBOOT_COMMON_CLUSTER_SECRET");
        assertThat(env("iscsi-service")).as("iscsi-service checks the cluster secret on writes")
                .containsKey("CHAINBOOT_COMMON_CLUSTER_SECRET");
    }

    @Test
    void stateLivesInVolumesWhereTheServicesLook() throws IOException {
        assertThat(mountTargets("dhcp-service")).contains(env("dhcp-service").get("CHAINBOOT_DHCP_STATE_DIR"));
        assertThat(mountTargets("iscsi-service")).contains(env("iscsi-service").get("CHAINBOOT_ISCSI_DISKS_DIR"),
                env("iscsi-service").get("CHAINBOOT_ISCSI_IMAGES_DIR"), env("iscsi-service").get("CHAINBOOT_ISCSI_IMPORT_DIR"));
        assertThat(mountTargets("tftp-service")).contains(env("tftp-service").get("CHAINBOOT_TFTP_ROOT"));
        assertThat(mountTargets("postgres")).contains("/var/lib/postgresql/data");
        assertThat(mountTargets("kafka")).contains(env("kafka").get("KAFKA_LOG_DIRS"));
        Set<String> declared = map(compose().get("volumes")).keySet();
        for (String svc : map(compose().get("services")).keySet()) {
            for (Object v : (List<?>) service(svc).getOrDefault("volumes", List.of())) {
                String source = String.valueOf(v).split(":")[0];
                if (source.startsWith(".")) {
                    assertThat(ROOT.resolve(source)).as(svc + " bind mount").exists();
                } else {
                    assertThat(declared).as(svc + " volume " + source).contains(source);
                }
            }
        }
    }

    private static List<String> mountTargets(String svc) throws IOException {
        List<String> out = new ArrayList<>();
        for (Object v : (List<?>) service(svc).getOrDefault("volumes", List.of())) {
            out.add(String.valueOf(v).split(":")[1]);
        }
        return out;
    }

    @Test
    void everyVariableTheFileNeedsIsInTheEnvExample() throws IOException {
        String text = Files.readString(ROOT.resolve("docker-compose.yml"));
        Matcher m = Pattern.compile("(?<!\\$)\\$\\{([A-Z0-9_]+)").matcher(text);
        Set<String> needed = new TreeSet<>();
        while (m.find()) {
            needed.add(m.group(1));
        }
        String example = Files.readString(ROOT.resolve("deploy/compose.env.example"));
        for (String v : needed) {
            assertThat(example).as("deploy/compose.env.example documents " + v).containsPattern("(?m)^" + v + "=");
        }
        assertThat(needed).contains("CHAINBOOT_ADDRESS", "CHAINBOOT_DB_PASSWORD", "CHAINBOOT_CLUSTER_SECRET");
    }

    @Test
    void configKeyNamingFollowsSmallRye() {
        assertThat(ConfigKeys.rename("serverAddress", "KEBAB_CASE")).isEqualTo("server-address");
        assertThat(ConfigKeys.rename("dieWithParent", "KEBAB_CASE")).isEqualTo("die-with-parent");
        assertThat(ConfigKeys.envName("chainboot.dhcp.pool.subnet-mask")).isEqualTo("CHAINBOOT_DHCP_POOL_SUBNET_MASK");
        assertThat(ConfigKeys.envMatches("CHAINBOOT_X_PROFILES_LAB_TEMPLATE", Set.of("chainboot.x.profiles.*.template"))).isTrue();
        assertThat(ConfigKeys.envMatches("CHAINBOOT_X_POOL", Set.of("chainboot.x.pool.start"))).isFalse();
        assertThat(ConfigKeys.keyMatches("chainboot.x.profiles.lab.template", Set.of("chainboot.x.profiles.*.template"))).isTrue();
        assertThat(ConfigKeys.keyMatches("chainboot.x.profiles.lab.other", Set.of("chainboot.x.profiles.*.template"))).isFalse();
    }
}
