import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * Boot-storm simulator: N machines power on within a window and each runs the real boot chain
 * against a running Chainboot (see README.md): firmware DHCP DORA with PXE options → TFTP of the
 * first-stage loader (blksize 1468) → iPXE DHCP DORA (option 77 "iPXE") → HTTP GET of the script URL
 * the ACK named (variables expanded as iPXE does) → iSCSI login to the target the script's
 * {@code sanboot} line names, with the initiator IQN it sets, READ CAPACITY + READ of the first
 * 8 MiB (checked against the golden image's CRC) → logout → a second ("OS initiator") login,
 * TEST UNIT READY, logout.
 *
 * <p>One platform thread per machine (blocking I/O, Java 17: no virtual threads), one shared DHCP
 * socket on 0.0.0.0:68 demultiplexed by xid (the server broadcasts replies to unconfigured
 * clients, RFC 2131 §4.1), and every other socket bound to the machine's own leased address, which
 * the client namespace accepts as local through an AnyIP route over the pool (run.sh).
 *
 * <p>Subcommands: {@code register} (PUT every machine to the inventory API, OVERLAY disk on the
 * golden image) and {@code run} (the storm; prints per-stage percentiles and writes
 * {@code result.tsv}: one line per machine, and {@code observed.tsv}: replies received per kind).
 * It measures and prints; it asserts nothing about speed.
 */
public final class Storm {
    enum Stage { PXE_DHCP, TFTP, IPXE_DHCP, SCRIPT, SAN_ATTACH_READ, OS_LOGIN }

    static final AtomicLong dhcpRetrans = new AtomicLong();
    static final AtomicLong tftpRetrans = new AtomicLong();
    static final AtomicLong dhcpNaks = new AtomicLong();
    static final AtomicLong offersSeen = new AtomicLong();
    static final AtomicLong acksSeen = new AtomicLong();
    static final AtomicLong dhcpStray = new AtomicLong();
    static final AtomicLong bytesRead = new AtomicLong();
    static final AtomicLong unitAttentions = new AtomicLong();

    static String mac(int i) {
        return String.format(Locale.ROOT, "02:cb:%02x:%02x:%02x:%02x", (i >> 24) & 0xff, (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
    }

    static byte[] macBytes(int i) {
        return new byte[]{0x02, (byte) 0xcb, (byte) (i >> 24), (byte) (i >> 16), (byte) (i >> 8), (byte) i};
    }

    static byte[] uuid(int i) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.putLong(0x5354524d00000000L | 0x4000L).putLong(0x8000000000000000L | i);
        return b.array();
    }

    static String uuidText(byte[] u) {
        // iPXE's ${uuid}: RFC 4122 text; SMBIOS stores the first three fields little-endian, iPXE swaps them back
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < 16; k++) {
            if (k == 4 || k == 6 || k == 8 || k == 10) s.append('-');
            s.append(String.format(Locale.ROOT, "%02x", u[k]));
        }
        return s.toString();
    }

    // ------------------------------------------------------------------ main

    public static void main(String[] a) throws Exception {
        Map<String, String> o = new LinkedHashMap<>();
        for (int k = 1; k + 1 < a.length; k += 2) o.put(a[k].replaceFirst("^--", ""), a[k + 1]);
        int n = Integer.parseInt(o.getOrDefault("machines", "1000"));
        int first = Integer.parseInt(o.getOrDefault("first", "1"));
        switch (a.length == 0 ? "" : a[0]) {
            case "register" -> register(o.get("inventory"), o.get("token"), o.get("image"), first, n,
                    Integer.parseInt(o.getOrDefault("parallel", "8")));
            case "run" -> run(o, first, n);
            case "mac" -> System.out.println(mac(first + n - 1));
            case "golden" -> golden(Path.of(o.get("file")), Long.parseLong(o.getOrDefault("size", String.valueOf(64L << 20))),
                    Integer.parseInt(o.getOrDefault("read-bytes", String.valueOf(8 << 20))));
            default -> {
                System.err.println("usage: Storm register --inventory URL --token T --image NAME --machines N [--first I]\n"
                        + "       Storm run --server IP --machines N --window-ms W --out DIR --golden-crc HEX [--first I]");
                System.exit(2);
            }
        }
    }

    /** A golden image whose first {@code readBytes} are pseudo-random (seeded), the rest sparse; prints their CRC-32. */
    static void golden(Path file, long size, int readBytes) throws IOException {
        byte[] data = new byte[readBytes];
        new Random(1414).nextBytes(data);
        data[510] = 0x55;
        data[511] = (byte) 0xaa;
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(0);
            f.write(data);
            f.setLength(size);
        }
        CRC32 c = new CRC32();
        c.update(data);
        System.out.printf(Locale.ROOT, "%08x%n", c.getValue());
    }

    static void register(String inventory, String token, String image, int first, int n, int parallel) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        ExecutorService pool = Executors.newFixedThreadPool(parallel);
        AtomicInteger failed = new AtomicInteger();
        long t0 = System.nanoTime();
        CountDownLatch done = new CountDownLatch(n);
        for (int i = first; i < first + n; i++) {
            final int id = i;
            pool.execute(() -> {
                try {
                    String m = mac(id);
                    String body = "{\"mac\":\"" + m + "\",\"hostname\":\"storm" + id + "\",\"profile\":\"sanboot\",\"netboot\":true,"
                            + "\"disk\":{\"kind\":\"OVERLAY\",\"image\":\"" + image + "\"}}";
                    for (int attempt = 0; ; attempt++) {
                        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(inventory + "/api/machines/" + m))
                                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 == 2) break;
                        if (attempt == 3) {
                            System.err.println("register " + m + ": HTTP " + r.statusCode() + " " + r.body());
                            failed.incrementAndGet();
                            break;
                        }
                    }
                } catch (Exception e) {
                    System.err.println("register " + mac(id) + ": " + e);
                    failed.incrementAndGet();
                } finally {
                    done.countDown();
                }
            });
        }
        done.await();
        pool.shutdown();
        System.out.printf(Locale.ROOT, "registered %d machines in %.1f s, %d failed%n", n - failed.get(),
                (System.nanoTime() - t0) / 1e9, failed.get());
        if (failed.get() > 0) System.exit(1);
    }

    // ------------------------------------------------------------------ the storm

    record Outcome(int id, String mac, String ip, boolean ok, String failedAt, String reason, long startLagMs,
                   long[] stageMs, long totalMs, int dhcpRetries, int tftpRetries) {
    }

    static final class Failure extends Exception {
        final Stage stage;

        Failure(Stage stage, String reason) {
            super(reason);
            this.stage = stage;
        }
    }

    static void run(Map<String, String> o, int first, int n) throws Exception {
        InetAddress server = InetAddress.getByName(o.get("server"));
        long window = Long.parseLong(o.getOrDefault("window-ms", "10000"));
        long deadlineMs = Long.parseLong(o.getOrDefault("machine-timeout-ms", "300000"));
        long goldenCrc = Long.parseLong(o.get("golden-crc"), 16);
        int readBytes = Integer.parseInt(o.getOrDefault("read-bytes", String.valueOf(8 << 20)));
        Path out = Path.of(o.getOrDefault("out", "."));
        Files.createDirectories(out);
        DhcpPort dhcp = new DhcpPort();
        Random rnd = new Random(Long.parseLong(o.getOrDefault("seed", "14")));
        long[] at = new long[n];
        for (int k = 0; k < n; k++) at[k] = (long) (rnd.nextDouble() * window);
        Arrays.sort(at);
        Outcome[] results = new Outcome[n];
        CountDownLatch done = new CountDownLatch(n);
        long cpu0 = ownCpuNanos();
        long t0 = System.nanoTime();
        Thread starter = new Thread(() -> {
            for (int k = 0; k < n; k++) {
                long wait = t0 + at[k] * 1_000_000L - System.nanoTime();
                if (wait > 0) sleepNanos(wait);
                final int slot = k;
                final int id = first + k;
                final long planned = t0 + at[k] * 1_000_000L;
                Thread t = new Thread(null, () -> {
                    try {
                        results[slot] = new Machine(id, server, dhcp, goldenCrc, readBytes, deadlineMs).boot(planned);
                    } catch (Throwable e) {
                        results[slot] = new Outcome(id, mac(id), "", false, "SIM", e.toString(), 0, new long[Stage.values().length], 0, 0, 0);
                    } finally {
                        done.countDown();
                    }
                }, "m" + id, 256 * 1024);
                t.setDaemon(true);
                t.start();
            }
        }, "power-on");
        starter.start();
        // progress every 5 s
        while (!done.await(5, TimeUnit.SECONDS)) {
            System.out.printf(Locale.ROOT, "  t=%5.1f s  done %d/%d  dhcp-retx %d  tftp-retx %d%n",
                    (System.nanoTime() - t0) / 1e9, n - done.getCount(), n, dhcpRetrans.get(), tftpRetrans.get());
        }
        long wall = System.nanoTime() - t0;
        long cpu = ownCpuNanos() - cpu0;
        dhcp.close();
        report(results, wall, cpu, window, out);
    }

    static void report(Outcome[] rs, long wallNanos, long cpuNanos, long window, Path out) throws IOException {
        int ok = 0;
        Map<String, Integer> failures = new LinkedHashMap<>();
        EnumMap<Stage, List<Long>> per = new EnumMap<>(Stage.class);
        for (Stage s : Stage.values()) per.put(s, new ArrayList<>());
        List<Long> totals = new ArrayList<>();
        List<Long> lags = new ArrayList<>();
        long lastDone = 0;
        StringBuilder tsv = new StringBuilder("id\tmac\tip\tok\tfailed_at\treason\tstart_lag_ms\t");
        for (Stage s : Stage.values()) tsv.append(s.name().toLowerCase(Locale.ROOT)).append("_ms\t");
        tsv.append("total_ms\tdhcp_retx\ttftp_retx\n");
        for (Outcome r : rs) {
            lags.add(r.startLagMs());
            if (r.ok()) {
                ok++;
                totals.add(r.totalMs());
                for (Stage s : Stage.values()) per.get(s).add(r.stageMs()[s.ordinal()]);
            } else {
                failures.merge(r.failedAt() + ": " + r.reason(), 1, Integer::sum);
            }
            tsv.append(r.id()).append('\t').append(r.mac()).append('\t').append(r.ip()).append('\t').append(r.ok()).append('\t')
                    .append(r.failedAt() == null ? "" : r.failedAt()).append('\t')
                    .append(r.reason() == null ? "" : r.reason().replace('\t', ' ').replace('\n', ' ')).append('\t')
                    .append(r.startLagMs()).append('\t');
            for (long v : r.stageMs()) tsv.append(v).append('\t');
            tsv.append(r.totalMs()).append('\t').append(r.dhcpRetries()).append('\t').append(r.tftpRetries()).append('\n');
        }
        Files.writeString(out.resolve("result.tsv"), tsv);
        Files.writeString(out.resolve("observed.tsv"), "offers\t" + offersSeen.get() + "\nacks\t" + acksSeen.get()
                + "\nnaks\t" + dhcpNaks.get() + "\ndhcp_retransmissions\t" + dhcpRetrans.get()
                + "\ntftp_retransmissions\t" + tftpRetrans.get() + "\nok\t" + ok + "\n");
        StringBuilder p = new StringBuilder();
        p.append(String.format(Locale.ROOT, "machines %d, powered on within %.1f s; done %d, failed %d%n", rs.length, window / 1e3, ok, rs.length - ok));
        p.append(String.format(Locale.ROOT, "time until all done (first power-on -> last machine finished): %.1f s%n", wallNanos / 1e9));
        p.append(String.format(Locale.ROOT, "%-16s %8s %8s %8s %8s%n", "stage (ms)", "p50", "p90", "p99", "max"));
        for (Stage s : Stage.values()) p.append(row(s.name(), per.get(s)));
        p.append(row("TOTAL", totals));
        p.append(row("power-on lag", lags));
        p.append(String.format(Locale.ROOT, "DHCP: %d offers, %d acks, %d NAKs received; %d DHCP retransmissions, %d TFTP retransmissions, %d stray replies%n",
                offersSeen.get(), acksSeen.get(), dhcpNaks.get(), dhcpRetrans.get(), tftpRetrans.get(), dhcpStray.get()));
        p.append(String.format(Locale.ROOT, "iSCSI data read: %.1f MiB (%d unit attentions answered by a retry)%n", bytesRead.get() / 1048576.0, unitAttentions.get()));
        p.append(String.format(Locale.ROOT, "simulator CPU: %.1f s over %.1f s wall = %.0f %% of one core (box: %d cores)%n",
                cpuNanos / 1e9, wallNanos / 1e9, 100.0 * cpuNanos / wallNanos, Runtime.getRuntime().availableProcessors()));
        failures.forEach((k, v) -> p.append("FAILED ").append(v).append("x ").append(k).append('\n'));
        System.out.print(p);
        Files.writeString(out.resolve("summary.txt"), p);
    }

    static String row(String name, List<Long> v) {
        if (v.isEmpty()) return String.format(Locale.ROOT, "%-16s %8s%n", name, "-");
        List<Long> s = new ArrayList<>(v);
        s.sort(null);
        return String.format(Locale.ROOT, "%-16s %8d %8d %8d %8d%n", name, pct(s, 50), pct(s, 90), pct(s, 99), s.get(s.size() - 1));
    }

    static long pct(List<Long> sorted, int p) {
        int idx = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, idx)));
    }

    static long ownCpuNanos() {
        try {
            String[] f = Files.readString(Path.of("/proc/self/stat")).replaceFirst("^.*\\) ", "").split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime+stime, USER_HZ 100
        } catch (IOException e) {
            return 0;
        }
    }

    static void sleepNanos(long n) {
        try {
            TimeUnit.NANOSECONDS.sleep(n);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ DHCP (RFC 2131/2132, PXE 2.1, iPXE)

    /** A decoded DHCP reply: the fields the chain needs. */
    record Reply(int type, int xid, byte[] chaddr, InetAddress yiaddr, InetAddress serverId, String file, String bootfileOpt,
                 InetAddress siaddr) {
        String bootFile() {
            return bootfileOpt != null && !bootfileOpt.isEmpty() ? bootfileOpt : file;
        }
    }

    /** The one socket on 0.0.0.0:68 every machine shares; replies go to the waiting machine by xid. */
    static final class DhcpPort implements AutoCloseable {
        final DatagramSocket socket;
        final Map<Integer, BlockingQueue<Reply>> waiting = new ConcurrentHashMap<>();
        final Thread reader;

        DhcpPort() throws IOException {
            socket = new DatagramSocket(null);
            socket.setReuseAddress(true);
            socket.setBroadcast(true);
            socket.setReceiveBufferSize(8 << 20);
            socket.setSendBufferSize(4 << 20);
            socket.bind(new InetSocketAddress("0.0.0.0", 68));
            reader = new Thread(this::read, "dhcp-rx");
            reader.setDaemon(true);
            reader.start();
        }

        void read() {
            byte[] buf = new byte[1500];
            while (!socket.isClosed()) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    socket.receive(p);
                } catch (IOException e) {
                    return;
                }
                Reply r = decode(ByteBuffer.wrap(p.getData(), 0, p.getLength()));
                BlockingQueue<Reply> q = r == null ? null : waiting.get(r.xid());
                if (q == null || !q.offer(r)) dhcpStray.incrementAndGet();
            }
        }

        BlockingQueue<Reply> open(int xid) {
            BlockingQueue<Reply> q = new ArrayBlockingQueue<>(16);
            waiting.put(xid, q);
            return q;
        }

        void done(int xid) {
            waiting.remove(xid);
        }

        void send(byte[] packet) throws IOException {
            socket.send(new DatagramPacket(packet, packet.length, new InetSocketAddress("255.255.255.255", 67)));
        }

        @Override
        public void close() {
            socket.close();
        }
    }

    static Reply decode(ByteBuffer b) {
        try {
            if (b.remaining() < 240 || b.get(0) != 2) return null;
            int xid = b.getInt(4);
            byte[] ch = new byte[6];
            b.get(28, ch);
            byte[] yi = new byte[4];
            b.get(16, yi);
            byte[] si = new byte[4];
            b.get(20, si);
            byte[] fileB = new byte[128];
            b.get(108, fileB);
            if (b.getInt(236) != 0x63825363) return null;
            int type = 0;
            InetAddress sid = null;
            String bootfile = null;
            int p = 240;
            while (p < b.limit()) {
                int code = b.get(p) & 0xff;
                if (code == 255) break;
                if (code == 0) {
                    p++;
                    continue;
                }
                int len = b.get(p + 1) & 0xff;
                byte[] v = new byte[len];
                b.get(p + 2, v);
                switch (code) {
                    case 53 -> type = v[0];
                    case 54 -> sid = InetAddress.getByAddress(v);
                    case 67 -> bootfile = cstring(v);
                    default -> {
                    }
                }
                p += 2 + len;
            }
            return new Reply(type, xid, ch, InetAddress.getByAddress(yi), sid, cstring(fileB), bootfile, InetAddress.getByAddress(si));
        } catch (Exception e) {
            return null;
        }
    }

    static String cstring(byte[] v) {
        int e = 0;
        while (e < v.length && v[e] != 0) e++;
        return new String(v, 0, e, StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ one machine

    static final class Machine {
        final int id;
        final String mac;
        final byte[] macB;
        final byte[] uuid;
        final InetAddress server;
        final DhcpPort dhcp;
        final long goldenCrc;
        final int readBytes;
        final long deadlineMs;
        final Random rnd;
        InetAddress ip;
        int dhcpRetries;
        int tftpRetries;

        Machine(int id, InetAddress server, DhcpPort dhcp, long goldenCrc, int readBytes, long deadlineMs) {
            this.id = id;
            this.mac = mac(id);
            this.macB = macBytes(id);
            this.uuid = uuid(id);
            this.server = server;
            this.dhcp = dhcp;
            this.goldenCrc = goldenCrc;
            this.readBytes = readBytes;
            this.deadlineMs = deadlineMs;
            this.rnd = new Random(id);
        }

        Outcome boot(long plannedNanos) {
            long start = System.nanoTime();
            long lag = (start - plannedNanos) / 1_000_000;
            long[] ms = new long[Stage.values().length];
            Stage stage = Stage.PXE_DHCP;
            try {
                long t = System.nanoTime();
                Reply ack = dora(false, Stage.PXE_DHCP);
                ip = ack.yiaddr();
                ms[0] = (System.nanoTime() - t) / 1_000_000;

                stage = Stage.TFTP;
                t = System.nanoTime();
                InetAddress tftpServer = ack.siaddr().isAnyLocalAddress() ? server : ack.siaddr();
                tftp(tftpServer, ack.bootFile());
                ms[1] = (System.nanoTime() - t) / 1_000_000;

                stage = Stage.IPXE_DHCP;
                t = System.nanoTime();
                Reply ack2 = dora(true, Stage.IPXE_DHCP);
                if (!ack2.yiaddr().equals(ip)) throw new Failure(stage, "iPXE got another address " + ack2.yiaddr().getHostAddress() + " than the firmware " + ip.getHostAddress());
                ms[2] = (System.nanoTime() - t) / 1_000_000;

                stage = Stage.SCRIPT;
                t = System.nanoTime();
                String script = httpGet(expand(ack2.bootFile()));
                ms[3] = (System.nanoTime() - t) / 1_000_000;
                String initiator = null;
                String san = null;
                for (String line : script.split("\n")) {
                    line = line.strip();
                    if (line.startsWith("set initiator-iqn ")) initiator = line.substring(18).strip();
                    if (line.startsWith("sanboot ")) {
                        for (String w : line.split("\\s+")) if (w.startsWith("iscsi:")) san = w;
                    }
                }
                if (initiator == null || san == null) throw new Failure(stage, "script has no initiator-iqn/sanboot: " + script.replace('\n', '|'));
                // iscsi:<server>:<protocol>:<port>:<lun>:<targetname>  (RFC 4173)
                String[] f = san.substring(6).split(":", 5);
                InetAddress target = f[0].isEmpty() ? server : InetAddress.getByName(f[0]);
                int port = f[2].isEmpty() ? 3260 : Integer.parseInt(f[2]);
                String iqn = f[4];
                int lun = f[3].isEmpty() ? 0 : Integer.parseInt(f[3]);

                stage = Stage.SAN_ATTACH_READ;
                t = System.nanoTime();
                try (Iscsi s = Iscsi.login(ip, target, port, initiator, iqn, 0x1000 + (id & 0xfff), lun)) {
                    s.readCapacity();
                    long crc = s.read(0, readBytes);
                    bytesRead.addAndGet(readBytes);
                    if (crc != goldenCrc) throw new Failure(stage, String.format(Locale.ROOT, "first %d bytes have CRC %08x, golden image %08x", readBytes, crc, goldenCrc));
                    s.logout();
                }
                ms[4] = (System.nanoTime() - t) / 1_000_000;

                stage = Stage.OS_LOGIN;
                t = System.nanoTime();
                try (Iscsi s = Iscsi.login(ip, target, port, initiator, iqn, 0x2000 + (id & 0xfff), lun)) {
                    s.testUnitReady();
                    s.logout();
                }
                ms[5] = (System.nanoTime() - t) / 1_000_000;
                return new Outcome(id, mac, ip.getHostAddress(), true, null, null, lag, ms, (System.nanoTime() - start) / 1_000_000, dhcpRetries, tftpRetries);
            } catch (Failure e) {
                return new Outcome(id, mac, ip == null ? "" : ip.getHostAddress(), false, e.stage.name(), e.getMessage(), lag, ms, 0, dhcpRetries, tftpRetries);
            } catch (Exception e) {
                return new Outcome(id, mac, ip == null ? "" : ip.getHostAddress(), false, stage.name(), e.toString(), lag, ms, 0, dhcpRetries, tftpRetries);
            }
        }

        /** ${var} as iPXE expands them in a filename (only the ones our server's URL uses). */
        String expand(String url) {
            String hexhyp = mac.replace(':', '-');
            return url.replace("${mac:hexhyp}", hexhyp).replace("${mac}", mac).replace("${uuid}", uuidText(uuid))
                    .replace("${buildarch}", "i386").replace("${platform}", "pcbios")
                    .replace("${manufacturer:uristring}", "Storm").replace("${serial:uristring}", "S" + id)
                    .replaceAll("\\$\\{[^}]*\\}", "");
        }

        /**
         * DISCOVER → OFFER → REQUEST → ACK with PXE options; retransmits like a PXE ROM (4, 8, 16, 32 s,
         * PXE 2.1 §2.2.1) or iPXE (1, 2, 4, 8 s...), with a new xid each DISCOVER.
         */
        Reply dora(boolean ipxe, Stage st) throws Exception {
            long[] timeouts = ipxe ? new long[]{1000, 2000, 4000, 8000, 8000, 8000} : new long[]{4000, 8000, 16000, 32000};
            long secs0 = System.nanoTime();
            for (int round = 0; round < 10; round++) {
                int xid = rnd.nextInt();
                BlockingQueue<Reply> q = dhcp.open(xid);
                try {
                    Reply offer = null;
                    for (int k = 0; k < timeouts.length && offer == null; k++) {
                        if (k > 0) {
                            dhcpRetrans.incrementAndGet();
                            dhcpRetries++;
                        }
                        dhcp.send(packet(1, xid, secs0, ipxe, null, null));
                        offer = await(q, 2, timeouts[k]);
                    }
                    if (offer == null) throw new Failure(st, "no DHCPOFFER after " + timeouts.length + " DISCOVERs");
                    offersSeen.incrementAndGet();
                    Reply ack = null;
                    for (int k = 0; k < timeouts.length && ack == null; k++) {
                        if (k > 0) {
                            dhcpRetrans.incrementAndGet();
                            dhcpRetries++;
                        }
                        dhcp.send(packet(3, xid, secs0, ipxe, offer.yiaddr(), offer.serverId()));
                        ack = await(q, 5, timeouts[k]);
                        if (ack != null && ack.type() == 6) {
                            dhcpNaks.incrementAndGet();
                            break;
                        }
                    }
                    if (ack == null) throw new Failure(st, "no DHCPACK after " + timeouts.length + " REQUESTs");
                    if (ack.type() == 5) {
                        acksSeen.incrementAndGet();
                        if (!Arrays.equals(ack.chaddr(), macB)) throw new Failure(st, "ACK for another chaddr");
                        return ack;
                    }
                    // NAK: start over (RFC 2131 §3.1 step 5)
                } finally {
                    dhcp.done(xid);
                }
            }
            throw new Failure(st, "NAKed ten times");
        }

        /** The next reply of {@code type} for this machine (other types, e.g. a late OFFER while waiting for the ACK, are skipped). */
        Reply await(BlockingQueue<Reply> q, int type, long timeoutMs) throws InterruptedException {
            long end = System.nanoTime() + timeoutMs * 1_000_000L;
            while (true) {
                long left = end - System.nanoTime();
                if (left <= 0) return null;
                Reply r = q.poll(left, TimeUnit.NANOSECONDS);
                if (r == null) return null;
                if (!Arrays.equals(r.chaddr(), macB)) continue;
                if (r.type() == type || (type == 5 && r.type() == 6)) return r;
            }
        }

        byte[] packet(int type, int xid, long secs0, boolean ipxe, InetAddress requested, InetAddress serverId) {
            ByteBuffer b = ByteBuffer.allocate(548);
            b.put((byte) 1).put((byte) 1).put((byte) 6).put((byte) 0).putInt(xid);
            b.putShort((short) Math.min(65535, (System.nanoTime() - secs0) / 1_000_000_000L)).putShort((short) 0x8000);
            b.position(28);
            b.put(macB);
            b.position(236);
            b.putInt(0x63825363);
            b.put((byte) 53).put((byte) 1).put((byte) type);
            if (requested != null) b.put((byte) 50).put((byte) 4).put(requested.getAddress());
            if (serverId != null) b.put((byte) 54).put((byte) 4).put(serverId.getAddress());
            b.put((byte) 57).put((byte) 2).putShort((short) 1472);
            byte[] prl = ipxe ? new byte[]{1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119, (byte) 128, (byte) 129, (byte) 130,
                    (byte) 131, (byte) 132, (byte) 133, (byte) 134, (byte) 135, (byte) 175, (byte) 203}
                    : new byte[]{1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67,
                    (byte) 128, (byte) 129, (byte) 130, (byte) 131, (byte) 132, (byte) 133, (byte) 134, (byte) 135};
            b.put((byte) 55).put((byte) prl.length).put(prl);
            b.put((byte) 93).put((byte) 2).putShort((short) 0);            // client system architecture: x86 BIOS (RFC 4578 §2.1)
            b.put((byte) 94).put((byte) 3).put((byte) 1).put((byte) 2).put((byte) 1); // UNDI 2.1 (RFC 4578 §2.2)
            b.put((byte) 97).put((byte) 17).put((byte) 0).put(uuid);        // UUID/GUID client identifier (RFC 4578 §2.3)
            byte[] vc = "PXEClient:Arch:00000:UNDI:002001".getBytes(StandardCharsets.US_ASCII);
            b.put((byte) 60).put((byte) vc.length).put(vc);
            if (ipxe) {
                byte[] uc = "iPXE".getBytes(StandardCharsets.US_ASCII);
                b.put((byte) 77).put((byte) uc.length).put(uc);           // user class (RFC 3004), as iPXE sends it
                // 175: iPXE encapsulated options, bus id and feature flags (HTTP 19, iSCSI 17, version 235)
                b.put((byte) 175).put((byte) 12).put((byte) 19).put((byte) 1).put((byte) 1).put((byte) 17).put((byte) 1).put((byte) 1)
                        .put((byte) 235).put((byte) 3).put((byte) 1).put((byte) 21).put((byte) 1);
            }
            b.put((byte) 255);
            return Arrays.copyOf(b.array(), Math.max(300, b.position()));
        }

        // -------------------------------------------------------------- TFTP (RFC 1350, 2347-2349)

        void tftp(InetAddress srv, String file) throws Exception {
            if (file == null || file.isEmpty()) throw new Failure(Stage.TFTP, "DHCP ACK named no boot file");
            try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(ip, 0))) {
                s.setReceiveBufferSize(256 * 1024);
                ByteArrayOutputStream rrq = new ByteArrayOutputStream();
                rrq.write(0);
                rrq.write(1);
                for (String part : new String[]{file, "octet", "blksize", "1468", "tsize", "0"}) {
                    rrq.writeBytes(part.getBytes(StandardCharsets.US_ASCII));
                    rrq.write(0);
                }
                byte[] req = rrq.toByteArray();
                InetSocketAddress to = new InetSocketAddress(srv, 69);
                byte[] buf = new byte[2048];
                DatagramPacket in = new DatagramPacket(buf, buf.length);
                DatagramPacket last = new DatagramPacket(req, req.length, to);
                s.send(last);
                int blksize = 512;
                int expect = 1;
                long total = 0;
                long tsize = -1;
                InetSocketAddress peer = null;
                long timeout = 500;
                int tries = 0;
                long end = System.nanoTime() + deadlineMs * 1_000_000L;
                while (true) {
                    s.setSoTimeout((int) timeout);
                    try {
                        in.setLength(buf.length);
                        s.receive(in);
                    } catch (SocketTimeoutException e) {
                        if (++tries > 8 || System.nanoTime() > end) throw new Failure(Stage.TFTP, "timed out at block " + expect + " after " + tries + " tries");
                        tftpRetrans.incrementAndGet();
                        tftpRetries++;
                        s.send(last);
                        timeout = Math.min(timeout * 2, 8000);
                        continue;
                    }
                    InetSocketAddress from = (InetSocketAddress) in.getSocketAddress();
                    if (peer != null && !from.equals(peer)) continue; // RFC 1350 §4: wrong TID
                    ByteBuffer b = ByteBuffer.wrap(buf, 0, in.getLength());
                    int op = b.getShort() & 0xffff;
                    if (op == 5) throw new Failure(Stage.TFTP, "ERROR " + (b.getShort() & 0xffff) + " " + cstring(Arrays.copyOfRange(buf, 4, in.getLength())));
                    if (op == 6 && peer == null) { // OACK
                        peer = from;
                        String[] kv = new String(buf, 2, in.getLength() - 2, StandardCharsets.US_ASCII).split("\0");
                        for (int k = 0; k + 1 < kv.length; k += 2) {
                            if (kv[k].equalsIgnoreCase("blksize")) blksize = Integer.parseInt(kv[k + 1]);
                            if (kv[k].equalsIgnoreCase("tsize")) tsize = Long.parseLong(kv[k + 1]);
                        }
                        last = ack(0, peer);
                        s.send(last);
                        tries = 0;
                        timeout = 500;
                        continue;
                    }
                    if (op != 3) continue;
                    if (peer == null) peer = from;
                    int block = b.getShort() & 0xffff;
                    if (block == (expect & 0xffff)) {
                        int len = in.getLength() - 4;
                        total += len;
                        last = ack(block, peer);
                        s.send(last);
                        expect++;
                        tries = 0;
                        timeout = 500;
                        if (len < blksize) break;
                    } else if (block == ((expect - 1) & 0xffff)) {
                        s.send(last); // duplicate of the last block: our ACK was lost
                    }
                }
                if (blksize != 1468) throw new Failure(Stage.TFTP, "server did not accept blksize 1468 (got " + blksize + ")");
                if (tsize >= 0 && tsize != total) throw new Failure(Stage.TFTP, "received " + total + " bytes, tsize said " + tsize);
            }
        }

        static DatagramPacket ack(int block, InetSocketAddress to) {
            byte[] a = {0, 4, (byte) (block >> 8), (byte) block};
            return new DatagramPacket(a, 4, to);
        }

        // -------------------------------------------------------------- HTTP

        String httpGet(String url) throws Exception {
            URI u = URI.create(url);
            int port = u.getPort() < 0 ? 80 : u.getPort();
            try (Socket s = new Socket()) {
                s.bind(new InetSocketAddress(ip, 0));
                s.connect(new InetSocketAddress(u.getHost(), port), 30_000);
                s.setSoTimeout(60_000);
                String path = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + u.getHost() + ":" + port
                        + "\r\nUser-Agent: iPXE/1.21.1+ (g4bd064de)\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                byte[] all = s.getInputStream().readAllBytes();
                String resp = new String(all, StandardCharsets.UTF_8);
                int headEnd = resp.indexOf("\r\n\r\n");
                if (!resp.matches("(?s)HTTP/1\\.[01] 200.*")) throw new Failure(Stage.SCRIPT, "GET " + path + ": " + resp.lines().findFirst().orElse("(no answer)"));
                String body = headEnd < 0 ? "" : resp.substring(headEnd + 4);
                if (resp.substring(0, Math.max(0, headEnd)).toLowerCase(Locale.ROOT).contains("transfer-encoding: chunked")) body = unchunk(body);
                return body;
            }
        }

        static String unchunk(String b) {
            StringBuilder o = new StringBuilder();
            int p = 0;
            while (p < b.length()) {
                int nl = b.indexOf("\r\n", p);
                if (nl < 0) break;
                int len = Integer.parseInt(b.substring(p, nl).split(";")[0].strip(), 16);
                if (len == 0) break;
                o.append(b, nl + 2, nl + 2 + len);
                p = nl + 2 + len + 2;
            }
            return o.toString();
        }
    }

    // ------------------------------------------------------------------ iSCSI initiator (RFC 7143), just what the chain needs

    static final class Iscsi implements AutoCloseable {
        final Socket sock;
        final DataInputStream in;
        final OutputStream out;
        int cmdSn = 1;
        int expStatSn;
        int itt = 1;
        int maxRecv = 262144;

        private Iscsi(Socket s) throws IOException {
            sock = s;
            in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 64 * 1024));
            out = s.getOutputStream();
        }

        int lun;

        static Iscsi login(InetAddress local, InetAddress target, int port, String initiator, String targetIqn, int isidQual, int lun) throws Exception {
            Socket s = new Socket();
            s.setReceiveBufferSize(1 << 20);
            s.bind(new InetSocketAddress(local, 0));
            s.connect(new InetSocketAddress(target, port), 30_000);
            s.setSoTimeout(120_000);
            s.setTcpNoDelay(true);
            Iscsi c = new Iscsi(s);
            c.lun = lun;
            try {
                byte[] isid = {(byte) 0x80, 0, 0, 0, (byte) (isidQual >> 8), (byte) isidQual}; // OUI-format type, qualifier
                // security stage → operational (AuthMethod=None), then operational → full feature, like iPXE
                String sec = "InitiatorName=" + initiator + "\0TargetName=" + targetIqn + "\0SessionType=Normal\0AuthMethod=None\0";
                c.loginPdu(isid, 0, 1, sec);
                String op = "HeaderDigest=None\0DataDigest=None\0MaxRecvDataSegmentLength=262144\0InitialR2T=Yes\0ImmediateData=Yes\0"
                        + "MaxBurstLength=16776192\0FirstBurstLength=262144\0DefaultTime2Wait=0\0DefaultTime2Retain=0\0"
                        + "MaxOutstandingR2T=1\0DataPDUInOrder=Yes\0DataSequenceInOrder=Yes\0ErrorRecoveryLevel=0\0";
                c.loginPdu(isid, 1, 3, op);
                return c;
            } catch (Exception e) {
                s.close();
                throw e;
            }
        }

        int tsih;

        /** One login request/response; returns the response's data. Fails on a non-zero status class. */
        byte[] loginPdu(byte[] isid, int csg, int nsg, String text) throws Exception {
            byte[] data = text.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer h = ByteBuffer.allocate(48);
            h.put((byte) 0x43).put((byte) (0x80 | (csg << 2) | nsg)).put((byte) 0).put((byte) 0);
            h.putInt(data.length); // AHS 0 + 24-bit length
            h.put(isid).putShort((short) tsih).putInt(itt).putShort((short) 0).putShort((short) 0).putInt(cmdSn).putInt(expStatSn);
            send(h.array(), data);
            while (true) {
                byte[] bhs = new byte[48];
                in.readFully(bhs);
                ByteBuffer b = ByteBuffer.wrap(bhs);
                byte[] d = readData(b);
                int opc = bhs[0] & 0x3f;
                if (opc != 0x23) continue; // not a login response
                int cls = bhs[36] & 0xff;
                int det = bhs[37] & 0xff;
                if (cls != 0) throw new IOException(String.format(Locale.ROOT, "login refused %02x%02x", cls, det));
                tsih = b.getShort(14) & 0xffff;
                expStatSn = b.getInt(24) + 1;
                int flags = bhs[1] & 0xff;
                if ((flags & 0x80) == 0 || (flags & 0x03) != nsg) throw new IOException("target did not move to stage " + nsg + " (flags " + flags + ")");
                String resp = new String(d, StandardCharsets.US_ASCII);
                for (String kv : resp.split("\0")) {
                    if (kv.startsWith("MaxRecvDataSegmentLength=")) maxRecv = Integer.parseInt(kv.substring(25));
                }
                return d;
            }
        }

        byte[] readData(ByteBuffer bhs) throws IOException {
            int ahs = (bhs.get(4) & 0xff) * 4;
            int len = bhs.getInt(4) & 0xffffff;
            if (ahs > 0) in.skipNBytes(ahs);
            byte[] d = new byte[len];
            in.readFully(d);
            int pad = (4 - (len & 3)) & 3;
            if (pad > 0) in.skipNBytes(pad);
            return d;
        }

        void send(byte[] bhs, byte[] data) throws IOException {
            int pad = (4 - (data.length & 3)) & 3;
            byte[] all = new byte[48 + data.length + pad];
            System.arraycopy(bhs, 0, all, 0, 48);
            System.arraycopy(data, 0, all, 48, data.length);
            out.write(all);
            out.flush();
        }

        /** A SCSI command with no data out; returns the CRC-32 of the data in (and checks status GOOD). */
        long command(byte[] cdb, int expectedIn) throws IOException {
            int myItt = ++itt;
            ByteBuffer h = ByteBuffer.allocate(48);
            h.put((byte) 0x01).put((byte) (0x80 | (expectedIn > 0 ? 0x40 : 0) | 0x01)).putShort((short) 0);
            h.putInt(0).putLong((long) lun << 48).putInt(myItt).putInt(expectedIn).putInt(cmdSn++).putInt(expStatSn); // SAM-2 single-level LUN
            h.put(cdb);
            send(h.array(), new byte[0]);
            CRC32 crc = new CRC32();
            byte[] chunk = new byte[65536];
            long got = 0;
            while (true) {
                byte[] bhs = new byte[48];
                in.readFully(bhs);
                ByteBuffer b = ByteBuffer.wrap(bhs);
                int opc = bhs[0] & 0x3f;
                int len = b.getInt(4) & 0xffffff;
                int ahs = (bhs[4] & 0xff) * 4;
                if (opc == 0x25) { // Data-In
                    if (ahs > 0) in.skipNBytes(ahs);
                    int left = len;
                    while (left > 0) {
                        int r = in.read(chunk, 0, Math.min(chunk.length, left));
                        if (r < 0) throw new IOException("connection closed in Data-In");
                        crc.update(chunk, 0, r);
                        left -= r;
                    }
                    int pad = (4 - (len & 3)) & 3;
                    if (pad > 0) in.skipNBytes(pad);
                    got += len;
                    if ((bhs[1] & 0x01) != 0) { // S bit: status in this PDU
                        expStatSn = b.getInt(24) + 1;
                        if ((bhs[3] & 0xff) != 0) throw new IOException("SCSI status " + (bhs[3] & 0xff));
                        break;
                    }
                } else if (opc == 0x21) { // SCSI Response
                    byte[] d = readData(b);
                    expStatSn = b.getInt(24) + 1;
                    if ((bhs[2] & 0xff) != 0) throw new IOException("SCSI response " + (bhs[2] & 0xff));
                    int status = bhs[3] & 0xff;
                    if (status == 2 && senseKey(d) == 6) {
                        throw new UnitAttention();
                    }
                    if (status != 0) throw new IOException("SCSI status " + status + " sense " + hex(d));
                    break;
                } else if (opc == 0x20) { // NOP-In: answer a target ping (TTT != ffffffff)
                    readData(b);
                    int ttt = b.getInt(20);
                    if (ttt != -1) {
                        ByteBuffer n = ByteBuffer.allocate(48);
                        n.put((byte) 0x40).put((byte) 0x80).putShort((short) 0).putInt(0).putLong(0).putInt(-1).putInt(ttt).putInt(cmdSn).putInt(expStatSn);
                        send(n.array(), new byte[0]);
                    }
                } else {
                    readData(b);
                    throw new IOException("unexpected PDU opcode 0x" + Integer.toHexString(opc));
                }
            }
            if (got != expectedIn) throw new IOException("got " + got + " bytes, asked " + expectedIn);
            return crc.getValue();
        }

        /** A CHECK CONDITION with sense key UNIT ATTENTION (SPC-4 §5.14: e.g. power on / reset after a login). */
        static final class UnitAttention extends IOException {
            UnitAttention() {
                super("unit attention");
            }
        }

        /** Sense key of the sense data in a SCSI Response (2-byte SenseLength first; fixed or descriptor format, SPC-4 §4.5). */
        static int senseKey(byte[] d) {
            if (d.length < 5) return -1;
            int code = d[2] & 0x7f;
            if (code == 0x70 || code == 0x71) return d[4] & 0x0f;
            if (code == 0x72 || code == 0x73) return d[3] & 0x0f;
            return -1;
        }

        static String hex(byte[] d) {
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < Math.min(d.length, 24); k++) s.append(String.format(Locale.ROOT, "%02x", d[k]));
            return s.toString();
        }

        /** As every initiator does: a unit attention is reported once, then the command is sent again. */
        long commandRetryingUa(byte[] cdb, int expectedIn) throws IOException {
            for (int k = 0; ; k++) {
                try {
                    return command(cdb, expectedIn);
                } catch (UnitAttention e) {
                    unitAttentions.incrementAndGet();
                    if (k == 3) throw new IOException("unit attention four times in a row");
                }
            }
        }

        void readCapacity() throws IOException {
            commandRetryingUa(new byte[]{0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, 8);
        }

        void testUnitReady() throws IOException {
            commandRetryingUa(new byte[16], 0);
        }

        long read(long lba, int bytes) throws IOException {
            int blocks = bytes / 512;
            byte[] cdb = new byte[16];
            cdb[0] = 0x28;
            ByteBuffer.wrap(cdb).putInt(2, (int) lba).putShort(7, (short) blocks);
            return commandRetryingUa(cdb, bytes);
        }

        void logout() throws IOException {
            ByteBuffer h = ByteBuffer.allocate(48);
            h.put((byte) 0x46).put((byte) 0x80).putShort((short) 0).putInt(0).putLong(0).putInt(++itt).putShort((short) 0).putShort((short) 0)
                    .putInt(cmdSn).putInt(expStatSn);
            send(h.array(), new byte[0]);
            while (true) {
                byte[] bhs = new byte[48];
                in.readFully(bhs);
                readData(ByteBuffer.wrap(bhs));
                if ((bhs[0] & 0x3f) == 0x26) {
                    if (bhs[2] != 0) throw new IOException("logout response " + bhs[2]);
                    return;
                }
            }
        }

        @Override
        public void close() throws IOException {
            sock.close();
        }
    }
}
