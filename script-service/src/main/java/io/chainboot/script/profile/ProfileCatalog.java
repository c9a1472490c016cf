package io.chainboot.script.profile;

import io.chainboot.events.Decoded;
import io.chainboot.script.config.ScriptConfig;
import io.quarkus.runtime.Startup;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * All profiles: the built-in ones shipped in {@code profiles/} on the class path, then every
 * {@code *.yaml}/{@code *.yml} in {@code chainboot.script.profiles-dir} (same name replaces a
 * built-in). Loaded at start, on {@link #reload()}, and when the directory's files change (checked
 * every {@code chainboot.script.profiles-scan} seconds); readers see an immutable {@link ProfileSet}.
 * A bad file found by a reload is logged and reported by the API, and the others still load; at
 * start a bad file (any refusal of {@link ProfileParser#check} or {@link ProfileSet#of}, the same
 * checks as the API's writes) is logged at ERROR, one line per problem, and the service does not
 * start — {@code ./chainboot up} prints those lines — unless {@code chainboot.script.refuse-bad-profiles=false}.
 * Several replicas share one directory (docker-compose: the {@code profiles} volume): the replica
 * that writes a file through the API reloads at once, the others when their scan sees the change.
 */
@ApplicationScoped
@Startup
public class ProfileCatalog {
    private static final Logger LOG = Logger.getLogger(ProfileCatalog.class);
    static final List<String> BUILTIN = List.of("menu", "local", "sanboot", "install-windows", "netboot-xyz");

    private final Path dir;
    private final AtomicReference<ProfileSet> current = new AtomicReference<>();

    private final ScheduledExecutorService scanner;
    private volatile String fingerprint;

    @jakarta.inject.Inject
    public ProfileCatalog(ScriptConfig config) {
        this(Path.of(config.profilesDir()), config.profilesScan(), config.refuseBadProfiles());
    }

    /** A catalog of {@code dir}, scanned every {@code scanSeconds} (0 = never); {@code refuseBad}: throw at start on a problem. */
    public ProfileCatalog(Path dir, int scanSeconds, boolean refuseBad) {
        this.dir = dir;
        this.fingerprint = fingerprint(dir);
        ProfileSet first = reload();
        List<ProfileSet.Problem> bad = first.problems();
        if (!bad.isEmpty() && refuseBad) {
            bad.forEach(p -> LOG.errorf("profile file %s: %s", p.source(), p.reason()));
            throw new IllegalStateException(bad.size() + " profile problem(s) in " + dir + " (logged above, one per line); "
                    + "fix the files or set chainboot.script.refuse-bad-profiles=false");
        }
        if (scanSeconds > 0) {
            scanner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "profiles-scan");
                t.setDaemon(true);
                return t;
            });
            scanner.scheduleWithFixedDelay(this::reloadIfChanged, scanSeconds, scanSeconds, TimeUnit.SECONDS);
        } else {
            scanner = null;
        }
    }

    @PreDestroy
    void stop() {
        if (scanner != null) {
            scanner.shutdownNow();
        }
    }

    /** The profiles directory, where the API writes. */
    public Path dir() {
        return dir;
    }

    /** Reloads when a profile file was added, removed or changed (name, size, modification time, file identity). */
    public synchronized void reloadIfChanged() {
        try {
            String now = fingerprint(dir);
            if (!now.equals(fingerprint)) {
                fingerprint = now;
                reload();
            }
        } catch (RuntimeException e) {
            LOG.warnf("scanning %s failed: %s", dir, e.toString());
        }
    }

    static String fingerprint(Path dir) {
        if (!Files.isDirectory(dir)) {
            return "";
        }
        StringBuilder b = new StringBuilder();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
            List<Path> files = new ArrayList<>();
            ds.forEach(files::add);
            files.sort(null);
            for (Path f : files) {
                java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class);
                // the file key (device and inode) changes on every write of the API, which renames a new file into place
                b.append(f.getFileName()).append(':').append(a.size()).append(':')
                        .append(a.lastModifiedTime().toMillis()).append(':').append(a.fileKey()).append('\n');
            }
        } catch (IOException e) {
            return "error:" + e.getMessage();
        }
        return b.toString();
    }

    public ProfileSet current() {
        return current.get();
    }

    public synchronized ProfileSet reload() {
        fingerprint = fingerprint(dir);
        ProfileSet set = load(dir);
        current.set(set);
        LOG.infof("profiles: %d loaded (%s), %d problems", set.byName().size(), dir, set.problems().size());
        set.problems().forEach(p -> LOG.warnf("profile %s refused: %s", p.source(), p.reason()));
        return set;
    }

    private static final ProfileSet BUILTINS = load(Path.of("/nonexistent/chainboot-builtins-only"));

    /** The built-in profiles alone (what applies when no file replaces them). */
    public static ProfileSet builtins() {
        return BUILTINS;
    }

    /** The document a profile was read from: its file, or the built-in resource. */
    public static String document(Profile p) throws IOException {
        if (p.source().startsWith("builtin:")) {
            try (InputStream in = ProfileCatalog.class.getClassLoader().getResourceAsStream("profiles/" + p.source().substring(8))) {
                if (in == null) {
                    throw new IOException("no built-in resource " + p.source());
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        return Files.readString(Path.of(p.source()));
    }

    /** Built-ins plus the files of {@code dir} (which may not exist). */
    public static ProfileSet load(Path dir) {
        List<Profile> profiles = new ArrayList<>();
        List<ProfileSet.Problem> problems = new ArrayList<>();
        for (String name : BUILTIN) {
            String resource = "profiles/" + name + ".yaml";
            try (InputStream in = ProfileCatalog.class.getClassLoader().getResourceAsStream(resource)) {
                add(new String(in.readAllBytes(), StandardCharsets.UTF_8), "builtin:" + name + ".yaml", profiles, problems);
            } catch (IOException | NullPointerException e) {
                problems.add(new ProfileSet.Problem("builtin:" + name, "cannot read: " + e));
            }
        }
        if (Files.isDirectory(dir)) {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.{yaml,yml}")) {
                ds.forEach(files::add);
            } catch (IOException e) {
                problems.add(new ProfileSet.Problem(dir.toString(), "cannot list: " + e.getMessage()));
            }
            files.sort(null);
            for (Path f : files) {
                try {
                    add(Files.readString(f), f.toString(), profiles, problems);
                } catch (IOException e) {
                    problems.add(new ProfileSet.Problem(f.toString(), "cannot read: " + e.getMessage()));
                }
            }
        }
        return ProfileSet.of(profiles, problems);
    }

    private static void add(String yaml, String source, List<Profile> profiles, List<ProfileSet.Problem> problems) {
        Decoded<Profile> d = ProfileParser.parse(yaml, source);
        if (d instanceof Decoded.Valid<Profile> v) {
            profiles.add(v.value());
        } else {
            problems.add(new ProfileSet.Problem(source, ((Decoded.Invalid<Profile>) d).reason()));
        }
    }
}
