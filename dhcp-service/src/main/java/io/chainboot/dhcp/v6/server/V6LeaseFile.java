package io.chainboot.dhcp.v6.server;

import org.jboss.logging.Logger;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The DHCPv6 leases on disk: {@code leases6.txt} in the DHCP state directory, one bound lease a line
 * ({@code duid-hex iaid address expiry-epoch-seconds [mac]}; the MAC when it is known, so a restart re-publishes
 * the lease on {@code chainboot.leases}; files written without it still read). Rewritten whole (temporary file, optional fsync,
 * atomic rename) after every Reply that bound, renewed or released a lease, before the Reply is sent, so
 * a restarted server keeps every address it gave out. A rewrite rather than the v4 journal's appends:
 * IPv6 boot pools are small and a Reply is rare next to v4 traffic. Unreadable lines are skipped, counted
 * and logged.
 */
public final class V6LeaseFile {
    private static final Logger LOG = Logger.getLogger(V6LeaseFile.class);
    public static final String FILE = "leases6.txt";

    private final Path file;
    private final boolean fsync;

    public V6LeaseFile(Path dir, boolean fsync) throws IOException {
        Files.createDirectories(dir);
        this.file = dir.resolve(FILE);
        this.fsync = fsync;
    }

    public List<V6LeaseTable.Binding> read() throws IOException {
        List<V6LeaseTable.Binding> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        int bad = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            V6LeaseTable.Binding b = parse(line);
            if (b == null) {
                bad++;
            } else {
                out.add(b);
            }
        }
        if (bad > 0) {
            LOG.warnf("DHCPv6 leases %s: skipped %d unreadable lines", file, bad);
        }
        return out;
    }

    static V6LeaseTable.Binding parse(String line) {
        String[] f = line.strip().split(" ");
        if ((f.length != 4 && f.length != 5) || !f[0].matches("[0-9a-f]{2,260}") || !f[2].contains(":") || !f[2].matches("[0-9a-fA-F:.]{2,45}")) {
            return null;
        }
        try {
            InetAddress a = InetAddress.getByName(f[2]);
            if (!(a instanceof Inet6Address v6)) {
                return null;
            }
            io.chainboot.events.MacAddress mac = f.length == 5 ? io.chainboot.events.MacAddress.parse(f[4]) : null;
            return new V6LeaseTable.Binding(f[0], Long.parseLong(f[1]), v6, Instant.ofEpochSecond(Long.parseLong(f[3])), true, mac);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    public void write(List<V6LeaseTable.Binding> bound) throws IOException {
        StringBuilder s = new StringBuilder();
        for (V6LeaseTable.Binding b : bound) {
            s.append(b.duid()).append(' ').append(b.iaid()).append(' ').append(io.chainboot.events.Names.ipv6(b.address())).append(' ')
                    .append(b.expiry().getEpochSecond());
            if (b.mac() != null) {
                s.append(' ').append(b.mac());
            }
            s.append('\n');
        }
        Path tmp = file.resolveSibling(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(s.toString().getBytes(StandardCharsets.UTF_8)));
            if (fsync) {
                ch.force(true);
            }
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
