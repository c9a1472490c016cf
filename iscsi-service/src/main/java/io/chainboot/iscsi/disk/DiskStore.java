package io.chainboot.iscsi.disk;

import io.chainboot.common.BootEventPublisher;
import io.chainboot.events.DiskEvents;
import io.chainboot.events.DiskKind;
import io.chainboot.events.EventSource;
import io.chainboot.events.MacAddress;
import io.chainboot.events.MachineSpec;
import io.chainboot.events.Names;
import io.chainboot.iscsi.scsi.BlockDevice;
import io.chainboot.iscsi.scsi.FileBlockDevice;
import io.chainboot.iscsi.targets.DiskGuard;
import io.chainboot.iscsi.targets.DiskOpener;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Golden images and per-machine disks on the file system.
 *
 * <ul>
 *   <li>{@code <images-dir>/<name>.img}: a golden image, raw, made read-only (0444) once imported,
 *       with {@code <name>.img.sha256} beside it (hex SHA-256 of the content, computed while
 *       importing). Its identity {@code <name>@<first 16 hex of the SHA-256>} is written into every
 *       overlay made on it, so an overlay never opens on another image of the same name.</li>
 *   <li>{@code <disks-dir>/<mac-hyphenated>.ovl}: a machine's copy-on-write overlay
 *       ({@link OverlayBlockDevice}); snapshots are {@code <mac-hyphenated>@<snapshot>.ovl}.</li>
 *   <li>{@code <disks-dir>/<image or mac-hyphenated>.img}: a machine's RAW disk, a sparse file (the
 *       same name the target registry's RAW opener uses).</li>
 * </ul>
 *
 * Operations that replace a disk's file (reset, delete) must not run while the disk is open by a
 * target: the caller closes it first. Files are replaced by rename, so a crash leaves either the
 * old or the new file.
 */
public final class DiskStore implements DiskOpener {
    private static final Logger LOG = Logger.getLogger(DiskStore.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    /**
     * Largest disk (RAW or overlay) a request may ask for: 16 TiB. An open overlay keeps its grain
     * map in memory (8 bytes per 64 KiB grain), 2 GiB at this size; beyond it a request is refused
     * before any file is made.
     */
    public static final long MAX_DISK_BYTES = 16L << 40;
    private static final int COPY_CHUNK = 1 << 20;

    /** A golden image as listed. {@code users}: MACs whose overlay is made on it. */
    public record Image(String name, long sizeBytes, String sha256, List<String> users) {
    }

    /** A machine's disk as listed. */
    public record Disk(String mac, DiskKind kind, String image, long sizeBytes, long usedBytes, List<String> snapshots) {
    }

    /**
     * Progress of an import in flight: its {@code phase} — {@code receiving} (an upload's body
     * arriving; {@code totalBytes} its Content-Length, -1 if chunked), {@code converting} (qemu-img
     * turning a qcow2/VMDK/VHDX/VDI into raw; bytes of the virtual size, from its percentage) or
     * {@code copying} (a raw file copied and checksummed) — and the bytes done of that phase.
     */
    public record ImportProgress(String name, String phase, long copiedBytes, long totalBytes) {
        public ImportProgress(String name, long copiedBytes, long totalBytes) {
            this(name, "copying", copiedBytes, totalBytes);
        }
    }

    /**
     * An upload's outcome: the golden image, the format it came in ({@code raw}, {@code qcow2},
     * {@code VMDK}, ...), and how many bytes were received with their SHA-256 (for a raw upload the
     * same as the image's).
     */
    public record Uploaded(String name, long sizeBytes, String sha256, List<String> users, String format,
                           long receivedBytes, String receivedSha256) {
    }

    /** An upload over the configured limit (413 naming it). */
    public static final class TooLarge extends RuntimeException {
        public TooLarge(String message) {
            super(message);
        }
    }

    /** Receives the bytes copied so far of an import. */
    public interface Progress {
        void copied(long bytes, long total);
    }

    private final Path imagesDir;
    private final Path disksDir;
    private final long overlayLimitBytes;
    private final BootEventPublisher events;
    private final EventSource source;
    private final String iqnPrefix;
    private final Map<String, ImportProgress> imports = new ConcurrentHashMap<>();
    /** Overlays this store opened for serving, by MAC: reset acts on them in place. */
    private final Map<MacAddress, OverlayBlockDevice> serving = new ConcurrentHashMap<>();
    private volatile DiskGuard guard = DiskGuard.NONE;

    /**
     * @param overlayLimitBytes space each overlay may use for its data (0 = unbounded)
     */
    public DiskStore(Path imagesDir, Path disksDir, long overlayLimitBytes, BootEventPublisher events,
                     EventSource source, String iqnPrefix) {
        this.imagesDir = imagesDir.toAbsolutePath().normalize();
        this.disksDir = disksDir.toAbsolutePath().normalize();
        this.overlayLimitBytes = overlayLimitBytes;
        this.events = events;
        this.source = source;
        this.iqnPrefix = iqnPrefix;
    }

    public Path imagesDir() {
        return imagesDir;
    }

    public Path disksDir() {
        return disksDir;
    }

    public long overlayLimitBytes() {
        return overlayLimitBytes;
    }

    // ---- golden images -------------------------------------------------------------------------

    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.contains("..")) {
            throw new IllegalArgumentException("invalid name '" + name + "': letters, digits, '.', '_', '-', at most 100");
        }
        return name;
    }

    public Path imagePath(String name) {
        String n = checkName(name);
        return imagesDir.resolve(n.endsWith(".img") ? n : n + ".img");
    }

    private static String baseName(String name) {
        return name.endsWith(".img") ? name.substring(0, name.length() - 4) : name;
    }

    /**
     * Imports an image from a regular file on the server (copied, never moved): raw as it is;
     * qcow2, VMDK, VHDX or VDI converted to raw with qemu-img ({@link ImageConversion}) first.
     */
    public Image importImage(String name, Path source, Progress progress) throws IOException {
        checkName(name);
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException(Files.isDirectory(source) ? source.getFileName() + " is a directory, not an image file"
                    : "no file " + source.getFileName());
        }
        byte[] head = new byte[512];
        int n;
        try (InputStream in = Files.newInputStream(source)) {
            n = in.readNBytes(head, 0, head.length);
        }
        Optional<String> format = ImageFormat.detect(head, n);
        if (format.isEmpty()) {
            try (InputStream in = Files.newInputStream(source)) {
                return importImage(name, in, Files.size(source), progress);
            }
        }
        // qcow2, VMDK, VHDX, VDI: converted to raw by qemu-img first, then imported like a raw file
        String base = baseName(name);
        if (Files.exists(imagePath(base))) {
            throw new IllegalStateException("image '" + base + "' already exists");
        }
        Files.createDirectories(imagesDir);
        Path raw = imagesDir.resolve("." + base + ".converting");
        try {
            ImageConversion.convert(format.get(), source, raw);
            LOG.infof("golden image %s: %s %s converted to raw (%d bytes)", base, format.get(), source.getFileName(), Files.size(raw));
            try (InputStream in = Files.newInputStream(raw)) {
                return importImage(name, in, Files.size(raw), progress);
            }
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    /**
     * Imports a raw image from a stream of {@code totalBytes} bytes (-1 if unknown): copied to a
     * temporary file while its SHA-256 is computed, forced, renamed into place, made read-only.
     * Its size must be a multiple of 512 bytes. An image of that name must not exist.
     */
    public Image importImage(String name, InputStream in, long totalBytes, Progress progress) throws IOException {
        String base = baseName(checkName(name));
        Path target = imagePath(base);
        Files.createDirectories(imagesDir);
        if (Files.exists(target) || imports.putIfAbsent(base, new ImportProgress(base, 0, totalBytes)) != null) {
            throw new IllegalStateException("image '" + base + "' already exists");
        }
        Path tmp = imagesDir.resolve("." + base + ".importing");
        try {
            MessageDigest sha = sha256();
            long copied = 0;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                byte[] buf = new byte[COPY_CHUNK];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    if (copied == 0) {
                        ImageFormat.requireRaw(buf, n);
                    }
                    sha.update(buf, 0, n);
                    writeSkippingZeroes(out, buf, n, copied);
                    copied += n;
                    imports.put(base, new ImportProgress(base, copied, totalBytes));
                    if (progress != null) {
                        progress.copied(copied, totalBytes);
                    }
                }
                if (copied % 512 != 0 || copied == 0) {
                    throw new IllegalArgumentException("image size " + copied + " is not a positive multiple of 512 bytes");
                }
                if (totalBytes >= 0 && copied != totalBytes) {
                    throw new IllegalArgumentException("image truncated: " + copied + " of " + totalBytes + " bytes");
                }
                out.truncate(copied);
                if (out.size() < copied) {
                    out.write(ByteBuffer.allocate(1), copied - 1);
                }
                out.force(true);
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            Files.writeString(imagesDir.resolve(target.getFileName() + ".sha256"), hex + "\n", StandardCharsets.US_ASCII);
            readOnly(tmp);
            move(tmp, target);
            LOG.infof("golden image %s imported: %d bytes, sha256 %s", base, copied, hex);
            return image(base).orElseThrow();
        } finally {
            imports.remove(base);
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Imports an image sent as a stream (an HTTP upload): the bytes go to a hidden temporary file in
     * the images directory (sparse, never held in memory) while their SHA-256 is computed and
     * {@link #importsInProgress} shows how many arrived. At most {@code limit} bytes are read: a
     * declared or actual size over it is {@link TooLarge}. {@code declared} is the Content-Length
     * (-1 if unknown); fewer bytes is a cut upload. {@code expectedSha256} (hex, optional) must
     * match the received bytes. A raw upload is then renamed into place (no second copy); a qcow2,
     * VMDK, VHDX or VDI upload is checked and converted by qemu-img ({@link ImageConversion}) and
     * imported like a raw file. Compressed archives are refused ({@link ImageFormat.Unsupported}).
     * Whatever fails — a cut connection, a wrong checksum, too many bytes, not an image — leaves no
     * file behind.
     */
    public Uploaded upload(String name, InputStream in, long declared, String expectedSha256, long limit, Progress progress)
            throws IOException {
        String base = baseName(checkName(name));
        String expected = expectedSha256 == null || expectedSha256.isBlank() ? null : expectedSha256.trim().toLowerCase(java.util.Locale.ROOT);
        if (expected != null && !expected.matches("[0-9a-f]{64}")) {
            throw new BadUpload("sha256", "'" + expectedSha256 + "' is not 64 hexadecimal digits");
        }
        if (declared > limit) {
            throw new TooLarge("the upload is " + declared + " bytes, over the limit of " + limit
                    + " bytes (chainboot.iscsi.upload-limit-bytes)");
        }
        Path target = imagePath(base);
        Files.createDirectories(imagesDir);
        if (Files.exists(target) || imports.putIfAbsent(base, new ImportProgress(base, "receiving", 0, declared)) != null) {
            throw new IllegalStateException("image '" + base + "' already exists");
        }
        Path received = imagesDir.resolve("." + base + ".upload");
        Path raw = imagesDir.resolve("." + base + ".converting");
        try {
            MessageDigest sha = sha256();
            long got = 0;
            Optional<String> format = Optional.empty();
            try (FileChannel out = FileChannel.open(received, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE)) {
                byte[] buf = new byte[COPY_CHUNK];
                int n;
                while ((n = in.readNBytes(buf, 0, buf.length)) > 0) {
                    if (got == 0) {
                        format = ImageFormat.detect(buf, n);
                        ImageFormat.requireImage(buf, n);
                    }
                    if (got + n > limit) {
                        throw new TooLarge("the upload is over the limit of " + limit + " bytes (chainboot.iscsi.upload-limit-bytes)");
                    }
                    sha.update(buf, 0, n);
                    writeSkippingZeroes(out, buf, n, got);
                    got += n;
                    imports.put(base, new ImportProgress(base, "receiving", got, declared));
                    if (progress != null) {
                        progress.copied(got, declared);
                    }
                }
                if (declared >= 0 && got != declared) {
                    throw new BadUpload("body", "upload cut: " + got + " of " + declared + " bytes received");
                }
                if (got == 0) {
                    throw new BadUpload("body", "the upload is empty");
                }
                out.truncate(got);
                if (out.size() < got) {
                    out.write(ByteBuffer.allocate(1), got - 1);
                }
                if (format.isEmpty()) {
                    out.force(true);
                }
            }
            String hex = HexFormat.of().formatHex(sha.digest());
            if (expected != null && !expected.equals(hex)) {
                throw new BadUpload("sha256", "the upload's SHA-256 is " + hex + ", not " + expected + " as given; nothing was kept");
            }
            if (format.isEmpty()) {
                if (got % 512 != 0) {
                    throw new BadUpload("body", "image size " + got + " is not a positive multiple of 512 bytes "
                            + "(not a raw disk image, nor qcow2, VMDK, VHDX or VDI)");
                }
                Files.writeString(imagesDir.resolve(target.getFileName() + ".sha256"), hex + "\n", StandardCharsets.US_ASCII);
                readOnly(received);
                move(received, target);
                LOG.infof("golden image %s uploaded: %d bytes raw, sha256 %s", base, got, hex);
                Image img = image(base).orElseThrow();
                return new Uploaded(img.name(), img.sizeBytes(), img.sha256(), img.users(), "raw", got, hex);
            }
            final long receivedBytes = got;
            ImageConversion.convert(format.get(), received, raw, (done, total) -> {
                imports.put(base, new ImportProgress(base, "converting", done, total));
                if (progress != null) {
                    progress.copied(done, total);
                }
            });
            Files.deleteIfExists(received);
            LOG.infof("golden image %s: uploaded %s (%d bytes, sha256 %s) converted to raw (%d bytes)", base, format.get(),
                    receivedBytes, hex, Files.size(raw));
            imports.remove(base);
            Image img;
            try (InputStream rawIn = Files.newInputStream(raw)) {
                img = importImage(base, rawIn, Files.size(raw), progress);
            }
            return new Uploaded(img.name(), img.sizeBytes(), img.sha256(), img.users(), format.get(), receivedBytes, hex);
        } finally {
            imports.remove(base);
            Files.deleteIfExists(received);
            Files.deleteIfExists(raw);
            if (!Files.exists(target)) {
                Files.deleteIfExists(imagesDir.resolve(target.getFileName() + ".sha256"));
            }
        }
    }

    /** Bad upload input, 400 naming {@link #field}: {@code sha256} (wrong or malformed) or {@code body}. */
    public static final class BadUpload extends IllegalArgumentException {
        private final String field;

        BadUpload(String field, String message) {
            super(field + ": " + message);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** A sparse copy: all-zero 4 KiB pages are skipped (the file is extended at the end). */
    private static void writeSkippingZeroes(FileChannel out, byte[] buf, int n, long pos) throws IOException {
        for (int off = 0; off < n; off += 4096) {
            int len = Math.min(4096, n - off);
            if (!allZero(buf, off, len)) {
                ByteBuffer b = ByteBuffer.wrap(buf, off, len);
                while (b.hasRemaining()) {
                    out.write(b, pos + off + (b.position() - off));
                }
            }
        }
    }

    private static boolean allZero(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }

    public List<ImportProgress> importsInProgress() {
        return List.copyOf(imports.values());
    }

    public Optional<Image> image(String name) throws IOException {
        Path p = imagePath(baseName(name));
        if (!Files.isRegularFile(p)) {
            return Optional.empty();
        }
        String base = baseName(p.getFileName().toString());
        return Optional.of(new Image(base, Files.size(p), sha256Of(p), usersOf(base)));
    }

    public List<Image> images() throws IOException {
        List<Image> out = new ArrayList<>();
        if (!Files.isDirectory(imagesDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(imagesDir, "*.img")) {
            for (Path p : ds) {
                image(p.getFileName().toString()).ifPresent(out::add);
            }
        }
        out.sort(Comparator.comparing(Image::name));
        return out;
    }

    /** Deletes a golden image no overlay uses. */
    public void deleteImage(String name) throws IOException {
        String base = baseName(checkName(name));
        List<String> users = usersOf(base);
        if (!users.isEmpty()) {
            throw new IllegalStateException("image '" + base + "' is used by " + users);
        }
        Path p = imagePath(base);
        Files.deleteIfExists(imagesDir.resolve(p.getFileName() + ".sha256"));
        if (!Files.deleteIfExists(p)) {
            throw new IllegalArgumentException("no image '" + base + "'");
        }
    }

    private String sha256Of(Path image) throws IOException {
        Path f = imagesDir.resolve(image.getFileName() + ".sha256");
        return Files.exists(f) ? Files.readString(f, StandardCharsets.US_ASCII).trim() : null;
    }

    /** The identity written into overlays: name and the first 16 hex digits of the SHA-256. */
    String goldenId(String base) throws IOException {
        String sha = sha256Of(imagePath(base));
        return base + "@" + (sha == null ? "unchecked" : sha.substring(0, 16));
    }

    private List<String> usersOf(String base) throws IOException {
        List<String> users = new ArrayList<>();
        if (!Files.isDirectory(disksDir)) {
            return users;
        }
        String prefix = base + "@";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(disksDir, "*.ovl")) {
            for (Path p : ds) {
                try {
                    if (OverlayBlockDevice.readHeader(p).goldenId().startsWith(prefix)) {
                        users.add(p.getFileName().toString().replaceFirst("\\.ovl$", ""));
                    }
                } catch (IOException e) {
                    LOG.warnf("unreadable overlay %s: %s", p, e.getMessage());
                }
            }
        }
        users.sort(null);
        return users;
    }

    // ---- machine disks -------------------------------------------------------------------------

    public Path overlayPath(MacAddress mac) {
        return disksDir.resolve(mac.toHyphenated() + ".ovl");
    }

    private Path snapshotPath(MacAddress mac, String snapshot) {
        return disksDir.resolve(mac.toHyphenated() + "@" + checkName(snapshot) + ".ovl");
    }

    /** RAW disk file: {@code <image or mac-hyphenated>.img} ({@link #rawPath(Path, MacAddress, String)}). */
    public Path rawPath(MacAddress mac, String image) {
        return rawPath(disksDir, mac, image);
    }

    /**
     * The one naming of a machine's RAW disk file, for this store and the target registry's RAW
     * opener: {@code <disksDir>/<image or mac-hyphenated>.img}; an image name must be a plain file
     * name ({@link #checkName}), so it never leaves {@code disksDir}.
     */
    public static Path rawPath(Path disksDir, MacAddress mac, String image) {
        String name = image != null ? checkName(image) : mac.toHyphenated();
        return disksDir.resolve(name.endsWith(".img") ? name : name + ".img");
    }

    /**
     * Creates a machine's disk. OVERLAY: on golden image {@code image}, {@code sizeBytes} (null =
     * the image's size; never smaller). RAW: a sparse file of {@code sizeBytes}.
     */
    public Disk create(MacAddress mac, DiskKind kind, String image, Long sizeBytes) throws IOException {
        Files.createDirectories(disksDir);
        if (kind == DiskKind.OVERLAY) {
            if (image == null) {
                throw new IllegalArgumentException("an overlay needs a golden image");
            }
            String base = baseName(checkName(image));
            Path golden = imagePath(base);
            if (!Files.isRegularFile(golden)) {
                throw new IllegalArgumentException("no golden image '" + base + "'");
            }
            Path ovl = overlayPath(mac);
            if (Files.exists(ovl)) {
                throw new IllegalStateException("machine " + mac + " already has an overlay");
            }
            if (sizeBytes != null) {
                checkSize(sizeBytes);
            }
            long size;
            try (FileBlockDevice g = FileBlockDevice.open(golden, true)) {
                long blocks = sizeBytes == null ? g.blocks() : Math.max(g.blocks(), sizeBytes / 512);
                try {
                    OverlayBlockDevice.create(ovl, g, goldenId(base), blocks, OverlayBlockDevice.DEFAULT_GRAIN_BLOCKS);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(ovl); // no half-made overlay left to block the image's deletion
                    throw e;
                }
                size = blocks * 512;
            }
            publish(new DiskEvents.Created(UUID.randomUUID(), Instant.now(), source, mac, null, iqn(mac), kind, base, size));
            LOG.infof("mac=%s overlay created on %s (%d bytes)", mac, base, size);
            return disk(mac).orElseThrow();
        }
        if (sizeBytes == null) {
            throw new IllegalArgumentException("a RAW disk needs a size, a positive multiple of 512 bytes");
        }
        checkSize(sizeBytes);
        Path raw = rawPath(mac, image);
        if (Files.exists(raw)) {
            throw new IllegalStateException("machine " + mac + " already has a RAW disk " + raw.getFileName());
        }
        FileBlockDevice.createSparse(raw, sizeBytes);
        publish(new DiskEvents.Created(UUID.randomUUID(), Instant.now(), source, mac, null, iqn(mac), kind,
                raw.getFileName().toString(), sizeBytes));
        LOG.infof("mac=%s RAW disk created (%d bytes)", mac, sizeBytes);
        return new Disk(mac.toString(), DiskKind.RAW, raw.getFileName().toString(), sizeBytes, Files.size(raw), List.of());
    }

    /** A requested disk size: a positive multiple of 512 bytes, at most {@link #MAX_DISK_BYTES}. */
    static void checkSize(long sizeBytes) {
        if (sizeBytes <= 0 || sizeBytes % 512 != 0) {
            throw new IllegalArgumentException("sizeBytes " + sizeBytes + " is not a positive multiple of 512 bytes");
        }
        if (sizeBytes > MAX_DISK_BYTES) {
            throw new IllegalArgumentException("sizeBytes " + sizeBytes + " is over the limit of " + MAX_DISK_BYTES + " bytes (16 TiB)");
        }
    }

    /** A machine's overlay, if it has one. */
    public Optional<Disk> disk(MacAddress mac) throws IOException {
        Path ovl = overlayPath(mac);
        if (Files.exists(ovl)) {
            OverlayBlockDevice.Header h = OverlayBlockDevice.readHeader(ovl);
            long fileData = Math.max(0, Files.size(ovl) - h.dataOffset());
            return Optional.of(new Disk(mac.toString(), DiskKind.OVERLAY, h.goldenId().replaceFirst("@[^@]*$", ""),
                    h.blocks() * 512, fileData, snapshots(mac)));
        }
        Path raw = rawPath(mac, null);
        if (Files.exists(raw)) {
            return Optional.of(new Disk(mac.toString(), DiskKind.RAW, raw.getFileName().toString(), Files.size(raw),
                    Files.size(raw), List.of()));
        }
        return Optional.empty();
    }

    /**
     * Every machine disk in the disks directory — overlays ({@code <mac>.ovl}) and RAW disks named
     * by their MAC ({@code <mac>.img}) — whether or not a machine spec still names it (a deleted
     * machine's disk is kept until deleted here). RAW disks named after an image are not listed.
     */
    public List<Disk> disks() throws IOException {
        java.util.TreeSet<MacAddress> macs = new java.util.TreeSet<>();
        if (Files.isDirectory(disksDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(disksDir)) {
                for (Path p : ds) {
                    String f = p.getFileName().toString();
                    if (f.contains("@") || !(f.endsWith(".ovl") || f.endsWith(".img"))) {
                        continue;
                    }
                    try {
                        macs.add(MacAddress.parse(f.substring(0, f.length() - 4)));
                    } catch (IllegalArgumentException notAMac) {
                        // a RAW disk named after an image: not listed by MAC
                    }
                }
            }
        }
        List<Disk> out = new ArrayList<>();
        for (MacAddress m : macs) {
            disk(m).ifPresent(out::add);
        }
        return out;
    }

    /** Deletes one snapshot of a machine's overlay; false if there is none of that name. */
    public boolean deleteSnapshot(MacAddress mac, String name) throws IOException {
        boolean gone = Files.deleteIfExists(snapshotPath(mac, name));
        if (gone) {
            LOG.infof("mac=%s snapshot %s deleted", mac, name);
        }
        return gone;
    }

    private List<String> snapshots(MacAddress mac) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(disksDir, mac.toHyphenated() + "@*.ovl")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                out.add(f.substring(f.indexOf('@') + 1, f.length() - 4));
            }
        }
        out.sort(null);
        return out;
    }

    /**
     * Resets a machine's overlay to its golden image (every write since creation is dropped). An
     * overlay being served is reset in place ({@link OverlayBlockDevice#resetToGolden}), so its
     * target sees the golden content at once; otherwise the file is replaced by an empty overlay.
     */
    public void reset(MacAddress mac) throws IOException {
        Path ovl = requireOverlay(mac);
        OverlayBlockDevice open = serving.get(mac);
        if (open != null && open.isOpen()) {
            open.resetToGolden();
            String base = OverlayBlockDevice.readHeader(ovl).goldenId().replaceFirst("@[^@]*$", "");
            publish(new DiskEvents.Reset(UUID.randomUUID(), Instant.now(), source, mac, null, iqn(mac), base));
            LOG.infof("mac=%s overlay reset to %s (in place, being served)", mac, base);
            return;
        }
        OverlayBlockDevice.Header h = OverlayBlockDevice.readHeader(ovl);
        String base = h.goldenId().replaceFirst("@[^@]*$", "");
        Path tmp = disksDir.resolve("." + mac.toHyphenated() + ".resetting");
        Files.deleteIfExists(tmp);
        try (FileBlockDevice g = FileBlockDevice.open(imagePath(base), true)) {
            OverlayBlockDevice.create(tmp, g, h.goldenId(), h.blocks(), h.grainBlocks());
        }
        move(tmp, ovl);
        publish(new DiskEvents.Reset(UUID.randomUUID(), Instant.now(), source, mac, null, iqn(mac), base));
        LOG.infof("mac=%s overlay reset to %s", mac, base);
    }

    /** Keeps a copy of the machine's overlay as it is now, under {@code name}. */
    public void snapshot(MacAddress mac, String name) throws IOException {
        Path ovl = requireOverlay(mac);
        Path snap = snapshotPath(mac, name);
        if (Files.exists(snap)) {
            throw new IllegalStateException("snapshot '" + name + "' exists");
        }
        flushServing(mac);
        Path tmp = disksDir.resolve("." + snap.getFileName() + ".copying");
        Files.copy(ovl, tmp, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        move(tmp, snap);
        LOG.infof("mac=%s overlay snapshot %s", mac, name);
    }

    /** Who serves the disks (the target registry): restore and delete run with the machine's disk closed. */
    public void guardedBy(DiskGuard guard) {
        this.guard = guard;
    }

    /**
     * Makes the machine's overlay what a snapshot holds (the snapshot is kept). Refused while the
     * machine is logged in; a disk merely opened ahead of its login is closed for it.
     */
    public void restore(MacAddress mac, String name) throws IOException {
        Path ovl = requireOverlay(mac);
        Path snap = snapshotPath(mac, name);
        if (!Files.exists(snap)) {
            throw new IllegalArgumentException("no snapshot '" + name + "'");
        }
        guard.whileClosed(mac, () -> {
            requireNotServing(mac);
            Path tmp = disksDir.resolve("." + mac.toHyphenated() + ".restoring");
            Files.copy(snap, tmp, StandardCopyOption.REPLACE_EXISTING);
            move(tmp, ovl);
            LOG.infof("mac=%s overlay restored from snapshot %s", mac, name);
            return null;
        });
    }

    /**
     * Writes golden + overlay as a new golden image {@code newImage} (checksummed, read-only). The
     * machine keeps its overlay; reset it or point it at the new image as wanted.
     */
    public Image promote(MacAddress mac, String newImage, Progress progress) throws IOException {
        Path ovl = requireOverlay(mac);
        flushServing(mac);
        OverlayBlockDevice.Header h = OverlayBlockDevice.readHeader(ovl);
        String base = h.goldenId().replaceFirst("@[^@]*$", "");
        Image img;
        try (OverlayBlockDevice d = OverlayBlockDevice.open(ovl, FileBlockDevice.open(imagePath(base), true),
                h.goldenId(), 0, "promote", true)) {
            img = importImage(newImage, new DeviceInputStream(d), d.blocks() * 512, progress);
        }
        publish(new DiskEvents.Promoted(UUID.randomUUID(), Instant.now(), source, mac, null, iqn(mac), img.name()));
        LOG.infof("mac=%s overlay on %s promoted to golden image %s", mac, base, img.name());
        return img;
    }

    /**
     * Deletes a machine's disk (overlay and its snapshots, or RAW disk). Refused while the machine is
     * logged in; a disk merely opened ahead of its login is closed for it.
     */
    public boolean delete(MacAddress mac) throws IOException {
        return guard.whileClosed(mac, () -> deleteFiles(mac));
    }

    private boolean deleteFiles(MacAddress mac) throws IOException {
        boolean any = Files.deleteIfExists(overlayPath(mac));
        if (Files.isDirectory(disksDir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(disksDir, mac.toHyphenated() + "@*.ovl")) {
                for (Path p : ds) {
                    Files.deleteIfExists(p);
                }
            }
        }
        any |= Files.deleteIfExists(rawPath(mac, null));
        // its persistent reservations (scsi.Reservations) go with the disk; a reset or restore keeps them
        Files.deleteIfExists(overlayPath(mac).resolveSibling(overlayPath(mac).getFileName() + ".pr"));
        Files.deleteIfExists(rawPath(mac, null).resolveSibling(rawPath(mac, null).getFileName() + ".pr"));
        if (any) {
            LOG.infof("mac=%s disk deleted", mac);
        }
        return any;
    }

    /** A served overlay's dirty map entries are written first, so a copy of the file sees every write. */
    private void flushServing(MacAddress mac) throws IOException {
        OverlayBlockDevice open = serving.get(mac);
        if (open != null && open.isOpen()) {
            open.flush();
        }
    }

    private void requireNotServing(MacAddress mac) {
        OverlayBlockDevice open = serving.get(mac);
        if (open != null && open.isOpen()) {
            throw new IllegalStateException("machine " + mac + "'s disk is being served; restore needs it closed");
        }
    }

    private Path requireOverlay(MacAddress mac) {
        Path ovl = overlayPath(mac);
        if (!Files.exists(ovl)) {
            throw new IllegalArgumentException("machine " + mac + " has no overlay");
        }
        return ovl;
    }

    // ---- serving -------------------------------------------------------------------------------

    /**
     * The block device of a machine's disk (the target registry's {@link DiskOpener}): OVERLAY
     * opens (creating it on first use) the overlay on the spec's golden image; RAW opens (creating
     * it sparse when a size is given) the raw file.
     */
    @Override
    public BlockDevice open(MachineSpec spec) throws IOException {
        MachineSpec.DiskAssignment a = spec.disk();
        if (a == null) {
            throw new IOException("machine " + spec.mac() + " has no disk assignment");
        }
        if (a.kind() == DiskKind.OVERLAY) {
            Path ovl = overlayPath(spec.mac());
            if (!Files.exists(ovl)) {
                create(spec.mac(), DiskKind.OVERLAY, a.image(), a.sizeBytes());
            }
            OverlayBlockDevice.Header h = OverlayBlockDevice.readHeader(ovl);
            String base = h.goldenId().replaceFirst("@[^@]*$", "");
            if (a.image() != null && !baseName(a.image()).equals(base)) {
                throw new IOException("machine " + spec.mac() + " has an overlay on '" + base + "', its spec names '"
                        + a.image() + "': reset or delete the disk first");
            }
            FileBlockDevice golden = FileBlockDevice.open(imagePath(base), true);
            try {
                OverlayBlockDevice d = OverlayBlockDevice.open(ovl, golden, goldenId(base), overlayLimitBytes,
                        serialOf(spec.mac()), true);
                serving.put(spec.mac(), d);
                return d;
            } catch (IOException | RuntimeException e) {
                golden.close();
                throw e;
            }
        }
        Path raw = rawPath(spec.mac(), a.image());
        if (!Files.exists(raw)) {
            if (a.sizeBytes() == null) {
                throw new IOException("disk image " + raw + " does not exist and the spec gives no size");
            }
            create(spec.mac(), DiskKind.RAW, a.image(), a.sizeBytes());
        }
        return FileBlockDevice.open(raw, false);
    }

    static String serialOf(MacAddress mac) {
        return "CB" + mac.toHex().toUpperCase(java.util.Locale.ROOT);
    }

    private String iqn(MacAddress mac) {
        return Names.targetIqn(iqnPrefix, mac, null);
    }

    private void publish(io.chainboot.events.BootEvent e) {
        if (events != null) {
            events.publish(e);
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void readOnly(Path p) {
        try {
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("r--r--r--"));
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debugf("cannot make %s read-only: %s", p, e);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
        OverlayBlockDevice.forceDirectory(to.getParent());
    }

    /** Reads a block device front to back as a stream (for promote). */
    private static final class DeviceInputStream extends InputStream {
        private final BlockDevice d;
        private long lba;
        private final ByteBuffer buf = ByteBuffer.allocate(COPY_CHUNK);

        DeviceInputStream(BlockDevice d) {
            this.d = d;
            buf.limit(0);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (!buf.hasRemaining()) {
                if (lba >= d.blocks()) {
                    return -1;
                }
                int n = (int) Math.min(COPY_CHUNK / 512, d.blocks() - lba);
                buf.clear();
                d.read(lba, n, buf);
                buf.flip();
                lba += n;
            }
            int n = Math.min(len, buf.remaining());
            buf.get(b, off, n);
            return n;
        }
    }
}
