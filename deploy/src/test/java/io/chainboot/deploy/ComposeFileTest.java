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
import java.util.TreeMap;
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
    /** quarkus.http.host: ./chainboot up --v6-pool binds script-service's HTTP to "::" (dual stack). */
    static final Set<String> QUARKUS_KEYS = Set.of("kafka.bootstrap.servers", "quarkus.http.port", "quarkus.http.host");
    /** Behind the edge (script and inventory only): the machine's address from X-Forwarded-For. */
    static final Set<String> PROXY_KEYS = Set.of("quarkus.http.proxy.proxy-address-forwarding",
            "quarkus.http.proxy.allow-x-forwarded");
    /** Where each service's secret file is mounted: Quarkus reads $PWD/config/application.properties (ordinal 260). */
    static final String SECRET_TARGET = "/app/config/application.properties";
    /** The production images, the defaults of the compose file's image variables. */
    static final Map<String, String> DEFAULT_IMAGES = Map.of("CHAINBOOT_KAFKA_IMAGE", "apache/kafka:4.1.0",
            "CHAINBOOT_POSTGRES_IMAGE", "postgres:17", "CHAINBOOT_EDGE_IMAGE", "nginx:1.27-alpine",
            "CHAINBOOT_JRE_IMAGE", "eclipse-temurin:17-jre");
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
        assertThat(String.valueOf(service("kafka").get("image"))).isEqualTo("${CHAINBOOT_KAFKA_IMAGE:-apache/kafka:4.1.0}");
        assertThat(String.valueOf(service("kafka-init").get("image"))).isEqualTo(String.valueOf(service("kafka").get("image")));
        assertThat(env("kafka")).containsEntry("KAFKA_PROCESS_ROLES", "broker,controller").containsKey("CLUSTER_ID");
        assertThat(String.valueOf(service("postgres").get("image"))).isEqualTo("${CHAINBOOT_POSTGRES_IMAGE:-postgres:17}");
        assertThat(String.valueOf(service("edge").get("image"))).isEqualTo("${CHAINBOOT_EDGE_IMAGE:-nginx:1.27-alpine}");
    }

    /**
     * Every image can be swapped (the offline recipe, docs/deploy.md) and defaults to the production
     * one: the variables' defaults, and each Dockerfile's JRE_IMAGE default, which compose passes.
     */
    @Test
    void imagesAreParameterisedWithTheProductionImagesAsDefaults() throws IOException {
        String text = Files.readString(ROOT.resolve("docker-compose.yml"));
        Matcher m = Pattern.compile("\\$\\{(CHAINBOOT_[A-Z]+_IMAGE)(:-([^}]*))?}").matcher(text);
        Map<String, Set<String>> defaults = new LinkedHashMap<>();
        while (m.find()) {
            defaults.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(String.valueOf(m.group(3)));
        }
        Map<String, String> seen = new LinkedHashMap<>();
        defaults.forEach((var, d) -> {
            assertThat(d).as("every use of ${" + var + "} has the same default").hasSize(1);
            seen.put(var, d.iterator().next());
        });
        assertThat(seen).isEqualTo(DEFAULT_IMAGES);
        for (String svc : LaunchPlan.SERVICES) {
            Map<String, Object> build = map(service(svc).get("build"));
            assertThat(map(build.get("args"))).as(svc + " build args")
                    .containsEntry("JRE_IMAGE", "${CHAINBOOT_JRE_IMAGE:-eclipse-temurin:17-jre}");
            String dockerfile = Files.readString(ROOT.resolve(svc).resolve("Dockerfile"));
            assertThat(dockerfile).as(svc + "/Dockerfile").containsPattern("(?m)^ARG JRE_IMAGE=eclipse-temurin:17-jre$")
                    .containsPattern("(?m)^FROM \\$\\{JRE_IMAGE}$");
            assertThat(ROOT.resolve(svc).resolve(".dockerignore")).as("only target/quarkus-app goes to the daemon").isRegularFile();
        }
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
        if (svc.equals("script-service") || svc.equals("inventory-service")) {
            out.addAll(PROXY_KEYS);
        }
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

    /**
     * The HA pair (docs/dhcp-ha.md): dhcp-service-2 runs only with the {@code ha} profile, is the same
     * image and settings as dhcp-service (every variable a dhcp-service key) except its own server
     * identifier, HTTP port, HA index and lease volume; HA is on in both exactly when
     * CHAINBOOT_DHCP_HA says so (the second instance always has it on).
     */
    @Test
    void theSecondDhcpInstanceIsAnHaPartnerOfTheFirst() throws Exception {
        Map<String, Object> second = service("dhcp-service-2");
        assertThat(String.valueOf(second.get("profiles"))).isEqualTo("[ha]");
        assertThat(second.get("network_mode")).isEqualTo("host");
        assertThat(second).doesNotContainKey("ports");
        assertThat(String.valueOf(map(second.get("build")).get("context"))).isEqualTo("./dhcp-service");
        assertThat(service("dhcp-service")).doesNotContainKey("profiles");
        Map<String, String> one = env("dhcp-service");
        Map<String, String> two = env("dhcp-service-2");
        assertThat(one).containsEntry("CHAINBOOT_DHCP_HA_ENABLED", "${CHAINBOOT_DHCP_HA:-false}")
                .containsEntry("CHAINBOOT_DHCP_HA_INDEX", "0").containsEntry("CHAINBOOT_DHCP_HA_INSTANCES", "2");
        assertThat(two).containsEntry("CHAINBOOT_DHCP_HA_ENABLED", "true").containsEntry("CHAINBOOT_DHCP_HA_INDEX", "1")
                .containsEntry("CHAINBOOT_DHCP_SERVER_ADDRESS", "${CHAINBOOT_ADDRESS_2:-}");
        Set<String> differ = new TreeSet<>();
        for (String k : new TreeSet<>(one.keySet())) {
            if (!one.get(k).equals(two.get(k))) {
                differ.add(k);
            }
        }
        assertThat(differ).as("what dhcp-service-2 sets differently from dhcp-service")
                .containsExactlyInAnyOrder("QUARKUS_HTTP_PORT", "CHAINBOOT_DHCP_SERVER_ADDRESS", "CHAINBOOT_DHCP_HA_ENABLED",
                        "CHAINBOOT_DHCP_HA_INDEX");
        assertThat(two.keySet()).isEqualTo(one.keySet());
        String port = two.get("QUARKUS_HTTP_PORT");
        String hc = String.join(" ", ((List<?>) map(second.get("healthcheck")).get("test")).stream().map(String::valueOf).toList());
        assertThat(hc).contains("/q/health/ready").contains("/dev/tcp/127.0.0.1/" + port + " ");
        for (String svc : map(compose().get("services")).keySet()) {
            if (!svc.equals("dhcp-service-2")) {
                assertThat(String.valueOf(service(svc).get("ports"))).as(svc + " must not publish dhcp-service-2's HTTP port")
                        .doesNotContain(port + ":");
                assertThat(env(svc).get("QUARKUS_HTTP_PORT")).as(svc).isNotEqualTo(port);
            }
        }
        assertThat(mountTargets("dhcp-service-2")).contains(two.get("CHAINBOOT_DHCP_STATE_DIR"));
        assertThat(String.valueOf(second.get("volumes"))).as("its own lease volume").doesNotContain("dhcp-leases:")
                .contains("dhcp-leases-2:");
        ConfigKeys keys = keysOf("dhcp-service");
        List<String> unknown = new ArrayList<>();
        for (String var : two.keySet()) {
            boolean ok = var.startsWith("CHAINBOOT_") ? ConfigKeys.envMatches(var, keys.keys())
                    : ConfigKeys.envMatches(var, allowedQuarkusKeys("dhcp-service"));
            if (!ok) {
                unknown.add(var);
            }
        }
        assertThat(unknown).as("dhcp-service-2 variables that name no dhcp-service key").isEmpty();
        assertThat(secretKeys("dhcp-service-2")).isEqualTo(secretKeys("dhcp-service"));
        assertThat(map(second.get("depends_on")).keySet()).isEqualTo(map(service("dhcp-service").get("depends_on")).keySet());
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
    void theEntryPointForwardsToTheServicesByTheirComposeNames() throws Exception {
        assertThat(env("inventory-service")).containsEntry("CHAINBOOT_INVENTORY_UPSTREAM_ISCSI_URL",
                        "http://iscsi-service:" + httpPort("iscsi-service"))
                .containsEntry("CHAINBOOT_INVENTORY_UPSTREAM_SCRIPT_URL", "http://script-service:" + httpPort("script-service"));
        assertThat(secretKeys("inventory-service")).as("the entry point adds the cluster secret to what it forwards")
                .contains("chainboot.common.cluster-secret");
        assertThat(secretKeys("iscsi-service")).as("iscsi-service checks the cluster secret on writes")
                .contains("chainboot.common.cluster-secret");
    }

    /**
     * Secrets are files, never environment variables: no variable of any service names a secret
     * (PostgreSQL gets POSTGRES_PASSWORD_FILE), each Chainboot service mounts one compose secret as
     * its config/application.properties, and the keys deploy/make-secrets.sh writes into it are
     * config keys of that service; the file the postgres container reads holds the same password.
     */
    @Test
    void secretsAreFilesWhoseKeysTheServicesKnow() throws Exception {
        for (String svc : map(compose().get("services")).keySet()) {
            for (String var : env(svc).keySet()) {
                assertThat(var).as(svc + ": a secret in an environment variable")
                        .matches(v -> !v.matches(".*(SECRET|TOKEN|PASSWORD).*") || v.endsWith("_FILE"));
            }
        }
        assertThat(env("postgres")).containsEntry("POSTGRES_PASSWORD_FILE", "/run/secrets/db-password");
        assertThat(String.valueOf(service("postgres").get("secrets"))).contains("db-password");
        Map<String, Object> declared = map(compose().get("secrets"));
        assertThat(declared).containsOnlyKeys("db-password", "cluster", "inventory");
        Map<String, String> files = makeSecrets();
        declared.forEach((name, v) -> assertThat(String.valueOf(map(v).get("file")))
                .isEqualTo("${CHAINBOOT_SECRETS:-./secrets}/" + (name.equals("db-password") ? name : name + ".properties")));
        for (String svc : LaunchPlan.SERVICES) {
            Set<String> keys = secretKeys(svc);
            assertThat(keys).as(svc + " secret").contains("chainboot.common.cluster-secret");
            Set<String> known = new TreeSet<>(keysOf(svc).keys());
            known.addAll(commonKeys());
            known.addAll(allowedQuarkusKeys(svc));
            known.add("quarkus.datasource.password");
            for (String k : keys) {
                assertThat(ConfigKeys.keyMatches(k, known)).as(svc + ": secret key " + k + " is a config key").isTrue();
            }
        }
        assertThat(secretKeys("inventory-service")).contains("chainboot.inventory.api-token", "quarkus.datasource.password");
        assertThat(secretKeys("dhcp-service")).as("only inventory needs the token and the DB password")
                .doesNotContain("chainboot.inventory.api-token", "quarkus.datasource.password");
        Properties inventory = new Properties();
        inventory.load(new java.io.StringReader(files.get("inventory.properties")));
        assertThat(inventory.getProperty("quarkus.datasource.password")).isEqualTo(files.get("db-password"))
                .matches("[0-9a-f]{48}");
    }

    /** The compose secret {@code svc} mounts at {@link #SECRET_TARGET}: the keys make-secrets.sh writes into it. */
    static Set<String> secretKeys(String svc) throws Exception {
        String source = null;
        for (Object s : (List<?>) service(svc).getOrDefault("secrets", List.of())) {
            Map<String, Object> m = map(s);
            if (SECRET_TARGET.equals(m.get("target"))) {
                source = String.valueOf(m.get("source"));
            }
        }
        assertThat(source).as(svc + " mounts a secret at " + SECRET_TARGET).isNotNull();
        Properties p = new Properties();
        p.load(new java.io.StringReader(makeSecrets().get(source + ".properties")));
        return new TreeSet<>(p.stringPropertyNames());
    }

    private static Map<String, String> secretFiles;

    /** Runs deploy/make-secrets.sh into a temporary directory, twice (the second run must change nothing). */
    static synchronized Map<String, String> makeSecrets() throws Exception {
        if (secretFiles == null) {
            Path dir = Files.createTempDirectory("cb-secrets").resolve("s");
            Map<String, String> first = runMakeSecrets(dir);
            assertThat(runMakeSecrets(dir)).as("make-secrets.sh keeps existing secrets").isEqualTo(first);
            assertThat(Files.getPosixFilePermissions(dir)).as("the secrets directory is private")
                    .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
            secretFiles = first;
            try (Stream<Path> s = Files.list(dir)) {
                for (Path f : s.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
            Files.delete(dir.getParent());
        }
        return secretFiles;
    }

    private static Map<String, String> runMakeSecrets(Path dir) throws Exception {
        Process p = new ProcessBuilder("bash", ROOT.resolve("deploy/make-secrets.sh").toString(), dir.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("deploy/make-secrets.sh: " + out).isZero();
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path f : s.toList()) {
                files.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        assertThat(files).containsOnlyKeys("db-password", "cluster.properties", "inventory.properties");
        return files;
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
        assertThat(needed).contains("CHAINBOOT_ADDRESS", "CHAINBOOT_SECRETS").containsAll(DEFAULT_IMAGES.keySet());
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
