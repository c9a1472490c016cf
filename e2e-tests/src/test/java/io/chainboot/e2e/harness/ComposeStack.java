package io.chainboot.e2e.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The project's own {@code docker-compose.yml}, run as a user runs it (docker-compose 1.29, the
 * checkout as project directory) in a {@link DockerEngine}: the offline images of
 * {@code deploy/offline/build-images.sh}, the secrets of {@code deploy/make-secrets.sh} and an env
 * file holding what a user's {@code .env} holds — the image names and this namespace's addresses
 * (server {@value TestNamespace#SERVER_IP} on {@code br0}, full DHCP with a pool). No override file.
 * HTTP goes from inside the namespace to the edge's published ports, as a browser on the LAN would.
 */
public final class ComposeStack implements Inventory.Api {
    public static final String PROJECT = "chainboot";
    /** The long-running services and the one-shot kafka-init. */
    public static final List<String> SERVICES = List.of("kafka", "postgres", "inventory-service", "dhcp-service",
            "tftp-service", "script-service", "iscsi-service", "edge");
    public static final String ONE_SHOT = "kafka-init";

    private final DockerEngine engine;
    private final Path root;
    private final Path dir;
    private final Path envFile;
    private final Path secrets;

    private ComposeStack(DockerEngine engine, Path root, Path dir) {
        this.engine = engine;
        this.root = root;
        this.dir = dir;
        this.envFile = dir.resolve("compose.env");
        this.secrets = dir.resolve("secrets");
    }

    /**
     * Builds (or takes from the cache) the offline base images, writes the secrets and the env file.
     * Returns the stack, not started; {@code images} receives build-images.sh's output.
     */
    public static ComposeStack prepare(DockerEngine engine, Path dir, Duration timeout) {
        Path root = Chainboot.checkoutRoot();
        ComposeStack s = new ComposeStack(engine, root, dir);
        try {
            Files.createDirectories(dir);
            Cmd.Result images = engine.run(timeout, null, root.resolve("deploy/offline/build-images.sh").toString());
            if (!images.ok()) {
                throw new IllegalStateException("deploy/offline/build-images.sh failed (exit " + images.exit() + "):\n"
                        + images.output());
            }
            List<String> imageLines = images.output().lines().filter(l -> l.matches("CHAINBOOT_[A-Z]+_IMAGE=\\S+")).toList();
            if (imageLines.size() != 4) {
                throw new IllegalStateException("build-images.sh printed no four image lines:\n" + images.output());
            }
            System.out.println(images.output().strip());
            Cmd.Result sec = Cmd.run(Duration.ofSeconds(30), null, root.resolve("deploy/make-secrets.sh").toString(),
                    s.secrets.toString());
            sec.check();
            List<String> env = new ArrayList<>(List.of("COMPOSE_PROJECT_NAME=" + PROJECT,
                    "CHAINBOOT_ADDRESS=" + TestNamespace.SERVER_IP, "CHAINBOOT_INTERFACE=" + TestNamespace.BRIDGE,
                    "CHAINBOOT_DHCP_MODE=full", "CHAINBOOT_POOL_START=10.77.0.100", "CHAINBOOT_POOL_END=10.77.0.200",
                    "CHAINBOOT_SECRETS=" + s.secrets));
            env.addAll(imageLines);
            Files.writeString(s.envFile, String.join("\n", env) + "\n");
            return s;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Appends lines ({@code NAME=value}) to the env file, as a user edits {@code .env}; later
     * {@code docker-compose} commands see them (a later line wins over an earlier one).
     */
    public void addEnv(String... lines) {
        try {
            Files.writeString(envFile, String.join("\n", lines) + "\n", java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public DockerEngine engine() {
        return engine;
    }

    /** {@code docker-compose -f <checkout>/docker-compose.yml --project-directory <checkout> --env-file ENV ARGS}. */
    public Cmd.Result compose(Duration timeout, String... args) {
        return engine.run(timeout, null, composeArgv(args));
    }

    /** The same, output appended to {@code <dir>/<logName>} (long builds); the result carries its tail. */
    public Cmd.Result composeLogged(Duration timeout, String logName, String... args) {
        return engine.run(timeout, dir.resolve(logName), composeArgv(args));
    }

    private String[] composeArgv(String... args) {
        return Cmd.concat(new String[]{"docker-compose", "-f", root.resolve("docker-compose.yml").toString(),
                "--project-directory", root.toString(), "--env-file", envFile.toString(), "--ansi", "never"}, args);
    }

    /** The container IDs of a service (one per replica). */
    public List<String> containers(String service) {
        Cmd.Result r = compose(Duration.ofSeconds(60), "ps", "-q", service).check();
        return r.output().lines().map(String::strip).filter(l -> l.matches("[0-9a-f]{12,}")).toList();
    }

    /** {@code docker inspect} of one container: "status health exitCode restartCount". */
    public String state(String container) {
        return engine.docker(Duration.ofSeconds(30), "inspect", "--format",
                "{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}-{{end}} {{.State.ExitCode}} {{.RestartCount}}",
                container).output().strip();
    }

    /**
     * Waits until every replica of every long-running service is running and healthy and kafka-init
     * exited 0; returns an empty list, or what is not (service: state) at the timeout.
     */
    public List<String> awaitHealthy(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        List<String> notYet = notHealthy();
        while (!notYet.isEmpty() && System.nanoTime() < end) {
            TestNamespace.sleep(2000);
            notYet = notHealthy();
        }
        return notYet;
    }

    public List<String> notHealthy() {
        List<String> out = new ArrayList<>();
        for (String svc : SERVICES) {
            List<String> ids = containers(svc);
            if (ids.isEmpty()) {
                out.add(svc + ": no container");
            }
            for (String id : ids) {
                String st = state(id);
                if (!st.startsWith("running healthy ")) {
                    out.add(svc + " " + id.substring(0, 12) + ": " + st);
                }
            }
        }
        for (String id : containers(ONE_SHOT)) {
            String st = state(id);
            if (!st.startsWith("exited - 0 ")) {
                out.add(ONE_SHOT + ": " + st);
            }
        }
        return out;
    }

    /** The admin API token deploy/make-secrets.sh generated (chainboot.inventory.api-token). */
    public String apiToken() {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(secrets.resolve("inventory.properties"))) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return p.getProperty("chainboot.inventory.api-token");
    }

    @Override
    public Chainboot.Http http(String method, String url, String jsonBody, boolean auth) {
        List<String> a = new ArrayList<>(List.of("curl", "-sS", "-m", "60", "-X", method, "-o", "-", "-w", "\n%{http_code}"));
        if (auth) {
            a.addAll(List.of("-H", "Authorization: Bearer " + apiToken()));
        }
        if (jsonBody != null) {
            a.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", jsonBody));
        }
        a.add(url);
        String out = engine.namespace().run(Duration.ofSeconds(70), a.toArray(String[]::new)).output();
        int nl = out.lastIndexOf('\n');
        int code;
        try {
            code = Integer.parseInt(out.substring(nl + 1).strip());
        } catch (NumberFormatException e) {
            code = -1;
        }
        return new Chainboot.Http(code, nl < 0 ? out : out.substring(0, nl));
    }

    /** The edge's 8080: inventory API, dashboard and the admin API it forwards. */
    @Override
    public String inventoryUrl(String path) {
        return "http://" + TestNamespace.SERVER_IP + ":8080" + path;
    }

    /** The edge's 8081: boot scripts (script-service replicas). */
    public String scriptUrl(String path) {
        return "http://" + TestNamespace.SERVER_IP + ":8081" + path;
    }

    /** Copies a file into a service's (first) container, as a user fills a volume: {@code docker cp -L} (Debian's /usr/lib/ipxe/ipxe.efi is a symlink). */
    public void copyInto(String service, Path file, String containerDir) {
        String id = containers(service).get(0);
        engine.docker(Duration.ofSeconds(120), "cp", "-L", file.toString(), id + ":" + containerDir + "/").check();
    }

    /** The last lines of a service's logs (every replica). */
    public String logs(String service, int lines) {
        return compose(Duration.ofSeconds(60), "logs", "--no-color", "--tail", String.valueOf(lines), service).output();
    }

    /** {@code docker-compose ps} as a user reads it. */
    public String ps() {
        return compose(Duration.ofSeconds(60), "ps").output();
    }

    /** Per container of {@code docker-compose ps}: its name → the rest of its line(s). */
    public static Map<String, String> psRows(String ps) {
        Map<String, String> rows = new LinkedHashMap<>();
        String current = null;
        for (String line : ps.lines().toList()) {
            if (line.startsWith(PROJECT + "_")) {
                current = line.split("\\s+")[0];
                rows.put(current, line.substring(current.length()));
            } else if (current != null && !line.startsWith("---") && !line.isBlank()) {
                rows.put(current, rows.get(current) + " " + line.strip());
            }
        }
        return rows;
    }

    /** {@code docker-compose down -v}: containers, networks and volumes (the daemon's teardown covers a failed one). */
    public Cmd.Result down() {
        return composeLogged(Duration.ofSeconds(180), "compose-down.log", "down", "-v", "--timeout", "10");
    }
}
