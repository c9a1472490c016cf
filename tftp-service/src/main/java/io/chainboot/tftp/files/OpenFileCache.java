package io.chainboot.tftp.files;

import io.chainboot.tftp.codec.TransferMode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Open boot files shared by concurrent transfers, keyed by real path, modification time, size and
 * mode: 200 machines fetching {@code undionly.kpxe} at once share one memory map, and a file
 * replaced on disk gets a new entry while transfers of the old version finish from theirs.
 * An entry whose last transfer released it stays open (idle) for the next request, up to
 * {@link #MAX_IDLE} idle entries (least recently used dropped first); a new version of a file
 * drops the idle entries of its older versions. So repeated boots map a file once, not once per
 * transfer.
 *
 * <p>Limit: files up to 2 GiB - 1 (one mapping); boot loaders are far smaller.
 */
public final class OpenFileCache {
    record Key(Path path, long mtimeNanos, long size, boolean netascii) {
    }

    static final int MAX_IDLE = 64;
    private final Map<Key, SharedFile> open = new HashMap<>();
    /** Entries no transfer uses, least recently released first. */
    private final LinkedHashMap<Key, SharedFile> idle = new LinkedHashMap<>();

    public synchronized SharedFile acquire(Path realPath, TransferMode mode) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(realPath, BasicFileAttributes.class);
        if (attrs.size() > Integer.MAX_VALUE) {
            throw new IOException("file larger than 2 GiB");
        }
        Key key = new Key(realPath, attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                attrs.size(), mode == TransferMode.NETASCII);
        // idle older versions of this file will not be asked for again
        idle.keySet().removeIf(k -> {
            boolean stale = k.path().equals(realPath) && (k.mtimeNanos() != key.mtimeNanos() || k.size() != key.size());
            if (stale) {
                open.remove(k);
            }
            return stale;
        });
        SharedFile f = open.get(key);
        if (f == null) {
            ByteBuffer data;
            try (FileChannel ch = FileChannel.open(realPath, StandardOpenOption.READ)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, attrs.size());
                data = key.netascii() ? Netascii.encode(map) : map;
            }
            f = new SharedFile(this, key, data);
            open.put(key, f);
        }
        if (f.refs++ == 0) {
            idle.remove(key);
        }
        return f;
    }

    synchronized void release(SharedFile f) {
        if (--f.refs == 0) {
            idle.put(f.key, f);
            if (idle.size() > MAX_IDLE) {
                Key eldest = idle.keySet().iterator().next();
                idle.remove(eldest);
                open.remove(eldest);
            }
        }
    }

    /** Number of distinct file versions in use by transfers now. */
    public synchronized int openFiles() {
        return open.size() - idle.size();
    }

    /** Number of file versions kept open with no transfer using them. */
    public synchronized int idleFiles() {
        return idle.size();
    }
}
