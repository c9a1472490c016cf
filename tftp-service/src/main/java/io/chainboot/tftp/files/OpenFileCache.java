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
import java.util.Map;

/**
 * Open boot files shared by concurrent transfers, keyed by real path, modification time, size and
 * mode: 200 machines fetching {@code undionly.kpxe} at once share one memory map, and a file
 * replaced on disk gets a new entry while transfers of the old version finish from theirs.
 * An entry is dropped when its last transfer releases it.
 *
 * <p>Limit: files up to 2 GiB - 1 (one mapping); boot loaders are far smaller.
 */
public final class OpenFileCache {
    record Key(Path path, long mtimeNanos, long size, boolean netascii) {
    }

    private final Map<Key, SharedFile> open = new HashMap<>();

    public synchronized SharedFile acquire(Path realPath, TransferMode mode) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(realPath, BasicFileAttributes.class);
        if (attrs.size() > Integer.MAX_VALUE) {
            throw new IOException("file larger than 2 GiB");
        }
        Key key = new Key(realPath, attrs.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS),
                attrs.size(), mode == TransferMode.NETASCII);
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
        f.refs++;
        return f;
    }

    synchronized void release(SharedFile f) {
        if (--f.refs == 0) {
            open.remove(f.key, f);
        }
    }

    /** Number of distinct file versions open now. */
    public synchronized int openFiles() {
        return open.size();
    }
}
