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
 * A bad file is logged and reported by the API, and the others still load.
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

    public ProfileCatalog(ScriptConfig config) {
        this.dir = Path.of(config.profilesDir());
        this.fingerprint = fingerprint(dir);
        reload();
        if (config.profilesScan() > 0) {
            scanner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "profiles-scan");
                t.setDaemon(true);
                return t;
            });
            scanner.scheduleWithFixedDelay(this::reloadIfChanged, config.profilesScan(), config.profilesScan(), TimeUnit.SECONDS);
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

    /** Reloads when a profile file was added, removed or changed (name, size, modification time). */
    void reloadIfChanged() {
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
                b.append(f.getFileName()).append(':').append(Files.size(f)).append(':')
                        .append(Files.getLastModifiedTime(f).toMillis()).append('\n');
            }
        } catch (IOException e) {
            return "error:" + e.getMessage();
        }
        return b.toString();
    }

    public ProfileSet current() {
        return current.get();
    }

    public ProfileSet reload() {
        ProfileSet set = load(dir);
        current.set(set);
        LOG.infof("profiles: %d loaded (%s), %d problems", set.byName().size(), dir, set.problems().size());
        set.problems().forEach(p -> LOG.warnf("profile %s refused: %s", p.source(), p.reason()));
        return set;
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
