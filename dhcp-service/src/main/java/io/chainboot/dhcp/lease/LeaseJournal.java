package io.chainboot.dhcp.lease;

import io.chainboot.events.Ipv4Address;
import io.chainboot.events.MacAddress;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The lease database: an append-only text journal {@code leases.journal} in the state directory,
 * one line per change ({@code ip mac expiry-epoch-seconds STATE [hostname]}); the last line for an
 * address wins. On open the journal is replayed and rewritten compacted (write to a temporary file,
 * fsync, atomic rename). Every BOUND/DECLINED/FREE change is written before the ACK leaves, so a
 * restarted server knows every address it handed out; {@code fsync} additionally forces each write
 * to disk (survives power loss, costs a disk flush per ACK).
 */
public final class LeaseJournal implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaseJournal.class);
    static final String FILE = "leases.journal";

    private final Path file;
    private final boolean fsync;
    private FileChannel channel;
    private long lines;

    private LeaseJournal(Path file, boolean fsync) {
        this.file = file;
        this.fsync = fsync;
    }

    /** Opens (creating) the journal in {@code dir}, returning it and the entries it holds. */
    public static LeaseJournal open(Path dir, boolean fsync, Map<Ipv4Address, LeaseEntry> into) throws IOException {
        Files.createDirectories(dir);
        LeaseJournal j = new LeaseJournal(dir.resolve(FILE), fsync);
        if (Files.exists(j.file)) {
            int bad = 0;
            for (String line : Files.readAllLines(j.file, StandardCharsets.UTF_8)) {
                LeaseEntry e = parse(line);
                if (e == null) {
                    if (!line.isBlank()) {
                        bad++;
                    }
                    continue;
                }
                into.put(e.ip(), e);
            }
            if (bad > 0) {
                LOG.warnf("lease journal %s: skipped %d unreadable lines (a torn last write?)", j.file, bad);
            }
        }
        j.rewrite(into.values());
        return j;
    }

    static LeaseEntry parse(String line) {
        String[] f = line.strip().split(" ");
        if (f.length < 4) {
            return null;
        }
        try {
            LeaseEntry.State s = LeaseEntry.State.valueOf(f[3]);
            if (s == LeaseEntry.State.OFFERED) {
                return null;
            }
            return new LeaseEntry(Ipv4Address.parse(f[0]), MacAddress.parse(f[1]), Instant.ofEpochSecond(Long.parseLong(f[2])),
                    s, f.length > 4 ? f[4] : null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    static String format(LeaseEntry e) {
        return e.ip() + " " + e.mac() + " " + e.expiresAt().getEpochSecond() + " " + e.state()
                + (e.hostname() != null ? " " + e.hostname() : "") + "\n";
    }

    /** Appends one change; compacts when the journal has grown to several times the table. */
    public void append(LeaseEntry e, Collection<LeaseEntry> table) {
        try {
            ByteBuffer b = ByteBuffer.wrap(format(e).getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                channel.write(b);
            }
            if (fsync) {
                channel.force(false);
            }
            if (++lines > 4L * table.size() + 10_000) {
                rewrite(table);
            }
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot write lease journal " + file, ex);
        }
    }

    private void rewrite(Collection<LeaseEntry> table) throws IOException {
        if (channel != null) {
            channel.close();
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        List<LeaseEntry> keep = table.stream().filter(e -> e.state() != LeaseEntry.State.OFFERED).toList();
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            StringBuilder sb = new StringBuilder();
            keep.forEach(e -> sb.append(format(e)));
            ByteBuffer b = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
            while (b.hasRemaining()) {
                out.write(b);
            }
            out.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        lines = keep.size();
    }

    @Override
    public void close() {
        try {
            if (channel != null) {
                channel.force(true);
                channel.close();
            }
        } catch (IOException e) {
            LOG.warnf("closing lease journal %s: %s", file, e.toString());
        }
    }

    static Map<Ipv4Address, LeaseEntry> newTable() {
        return new LinkedHashMap<>();
    }
}
